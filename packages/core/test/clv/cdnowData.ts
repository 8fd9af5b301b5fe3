import { existsSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import type { Transaction } from '../../src/clv/index.js'

/**
 * The CDNOW reference files (/work/shared/data, i.e. `../shared/data` beside the repo; see its
 * README.md for provenance). Absent data skips the tests that need it, except under CI, which must
 * have it: there the import itself fails.
 */
export const dataDir = fileURLToPath(new URL('../../../../../shared/data/', import.meta.url))
export const hasCdnow = existsSync(`${dataDir}CDNOW_sample.txt`)
export const skipReason = hasCdnow ? '' : ` (skipped: ${dataDir} is absent)`

if (!hasCdnow && process.env.CI === 'true') {
  throw new Error(`CDNOW reference data missing: ${dataDir} (CI must provide ../shared/data beside the repo)`)
}

/** End of the CDNOW calibration period used by every published result: 1997-09-30. */
export const cdnowCalibrationEnd = Date.UTC(1997, 8, 30)

/** Parses a yyyymmdd date to epoch ms at 00:00 UTC. */
export function parseYyyymmdd(text: string): number {
  return Date.UTC(Number(text.slice(0, 4)), Number(text.slice(4, 6)) - 1, Number(text.slice(6, 8)))
}

/** CDNOW_sample.txt: `master_id sample_id yyyymmdd n_cds dollar_value`; ids are the sample ids. */
export function readCdnowSample(): Transaction[] {
  return readFileSync(`${dataDir}CDNOW_sample.txt`, 'utf8')
    .trim()
    .split('\n')
    .map((line) => {
      const [, sampleId = '', date = '', , dollars = ''] = line.trim().split(/\s+/)
      return { customerId: String(Number(sampleId)), at: parseYyyymmdd(date), amount: Number(dollars) }
    })
}

/** One row of cdnow_customers_summary_with_transactions.csv, plus the decimals each number was printed with. */
export interface PublishedSummary {
  readonly id: string
  readonly values: readonly [x: number, tx: number, T: number, zbar: number]
  readonly decimals: readonly number[]
}

/** cdnow_customers_summary_with_transactions.csv: `ID,x,t_x,T,zbar`, rounded as printed. */
export function readPublishedSummary(): PublishedSummary[] {
  const [, ...rows] = readFileSync(`${dataDir}cdnow_customers_summary_with_transactions.csv`, 'utf8').trim().split('\n')
  return rows.map((row) => {
    const [id = '', ...fields] = row.trim().split(',')
    const [x = NaN, tx = NaN, T = NaN, zbar = NaN] = fields.map(Number)
    return { id, values: [x, tx, T, zbar], decimals: fields.map((field) => field.split('.')[1]?.length ?? 0) }
  })
}
