import { writeFile } from 'node:fs/promises'
import { basename } from 'node:path'
import { EcrmError } from '@ecrm/core'
import type { BgNbdFit, GammaGammaFit, TimeUnit } from '@ecrm/core'
import { describeDialect } from '../csv/csvDialect.js'
import { analyzeCustomers } from './analyzeCustomers.js'
import type { ColumnMapping } from './columns.js'
import { renderReport } from './htmlReport.js'
import { readOrders } from './readOrders.js'
import type { BadRow } from './readOrders.js'
import { writeResults } from './writeResults.js'
import type { ResultFormat } from './writeResults.js'

/** Options of {@link runAnalyze} (the `ecrm analyze` command). */
export interface AnalyzeOptions {
  /** Path of the orders file: CSV (`,` `;` tab `|`, header optional) or whitespace-separated. */
  readonly input: string
  /** Path of the per-customer results. */
  readonly output: string
  /** @default 'csv' */
  readonly format?: ResultFormat
  /** Path of the HTML report; `false` for none. @default output with `.html` instead of its extension */
  readonly report?: string | false
  /** Column names or 0-based indexes; detected from the header when absent. */
  readonly columns?: ColumnMapping
  /** End of calibration: epoch ms or a date (`yyyy-mm-dd`). @default the last order's day */
  readonly calibrationEnd?: number | string
  /** Model time unit. @default 'weeks' */
  readonly unit?: TimeUnit
  /** Horizon of expected purchases and CLV, in `unit`s. @default 52 weeks / 365 days */
  readonly horizon?: number
  /** Annual discount rate of CLV. @default 0.1 */
  readonly discountRate?: number
  /** Profit share of revenue, 0–1. @default 1 */
  readonly margin?: number
  /** The shop's UTC offset in ms, for cutting orders into days. @default 0 */
  readonly timeZoneOffsetMs?: number
  /** Customers the models are fitted on (an even sample of larger bases). @default 25000 */
  readonly fitSampleSize?: number
  /** Printed before money in the report. @default '' */
  readonly currency?: string
  /** Report title. @default `Customer analysis — <file name>` */
  readonly title?: string
  /** Progress while reading (bytes), e.g. for a progress bar on large files. */
  readonly onProgress?: (bytesRead: number, totalBytes: number) => void
}

/** What {@link runAnalyze} did. */
export interface AnalyzeSummary {
  readonly customers: number
  readonly rows: number
  readonly badRowCount: number
  /** The first bad rows with their line numbers and reasons. */
  readonly badRows: readonly BadRow[]
  readonly calibrationEnd: number
  readonly bgNbd: BgNbdFit | null
  readonly gammaGamma: GammaGammaFit | null
  /** Customers per RFM segment id. */
  readonly segments: Readonly<Record<string, number>>
  readonly output: string
  readonly report: string | null
  readonly notes: readonly string[]
  readonly durationMs: number
}

/**
 * Reads an orders file, fits BG/NBD and Gamma-Gamma, scores RFM, P(alive), expected purchases and
 * CLV per customer, and writes them as CSV or JSON plus an HTML report (RFM grid, segment sizes,
 * retention cohorts, CLV distribution). Bad rows are skipped and reported by line number.
 *
 * @example
 * const summary = await runAnalyze({ input: 'orders.csv', output: 'customers.csv' })
 * // customers.csv + customers.html; summary.badRows lists skipped lines
 */
export async function runAnalyze(options: AnalyzeOptions): Promise<AnalyzeSummary> {
  const started = performance.now()
  const { input, output, format = 'csv' } = options
  if (format !== 'csv' && format !== 'json') {
    throw new EcrmError(
      'invalid_options',
      `ecrm analyze got an unknown format: options.format (use csv or json, got ${String(format)})`,
    )
  }
  const calibrationEnd = parseCalibrationEnd(options.calibrationEnd)
  const read = await readOrders(input, {
    ...(options.columns === undefined ? {} : { columns: options.columns }),
    ...(options.timeZoneOffsetMs === undefined ? {} : { timeZoneOffsetMs: options.timeZoneOffsetMs }),
    ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
  })
  if (read.rows === 0) {
    const first = read.badRows[0]
    const why =
      first === undefined
        ? 'no data rows after the header'
        : `${read.badRowCount} rows could not be read, the first at line ${first.line}: ${first.reason}`
    throw new EcrmError(
      'invalid_input',
      `ecrm analyze found no orders: ${input} (${why}; read as ${describeDialect(read.layout.dialect)})`,
    )
  }
  const analysis = analyzeCustomers(read.daily, read.lastAt, {
    ...(calibrationEnd === undefined ? {} : { calibrationEnd }),
    ...pick(options, ['unit', 'horizon', 'discountRate', 'margin', 'fitSampleSize']),
  })
  const segments: Record<string, number> = {}
  for (const { rfm } of analysis.customers) if (rfm !== null) segments[rfm.segment] = (segments[rfm.segment] ?? 0) + 1

  const meta = {
    source: input,
    calibrationEnd: new Date(analysis.calibrationEnd).toISOString().slice(0, 10),
    unit: analysis.unit,
    horizon: analysis.horizon,
    discountRate: analysis.discountRate,
    margin: analysis.margin,
    bgNbd: analysis.bgNbd,
    gammaGamma: analysis.gammaGamma,
    notes: analysis.notes,
  }
  await writeResults(output, format, analysis, meta)
  const report = options.report ?? output.replace(/\.[^./\\]*$/, '') + '.html'
  if (report !== false) {
    const html = renderReport(analysis, {
      title: options.title ?? `Customer analysis — ${basename(input)}`,
      source: input,
      rows: read.rows,
      revenue: read.revenue,
      badRows: read.badRows,
      badRowCount: read.badRowCount,
      currency: options.currency ?? '',
    })
    await writeFile(report, html, 'utf8')
  }
  return {
    customers: analysis.customers.length,
    rows: read.rows,
    badRowCount: read.badRowCount,
    badRows: read.badRows,
    calibrationEnd: analysis.calibrationEnd,
    bgNbd: analysis.bgNbd,
    gammaGamma: analysis.gammaGamma,
    segments,
    output,
    report: report === false ? null : report,
    notes: analysis.notes,
    durationMs: performance.now() - started,
  }
}

function parseCalibrationEnd(value: number | string | undefined): number | undefined {
  if (value === undefined || typeof value === 'number') return value
  const at = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : value)
  if (Number.isNaN(at)) {
    throw new EcrmError(
      'invalid_options',
      `ecrm analyze got a bad date: options.calibrationEnd (use yyyy-mm-dd, got "${value}")`,
    )
  }
  return at
}

/** Copies the defined options only (exactOptionalPropertyTypes forbids passing undefined on). */
function pick<T extends object, K extends keyof T>(source: T, keys: readonly K[]): Partial<Pick<T, K>> {
  const picked: Partial<Pick<T, K>> = {}
  for (const key of keys) if (source[key] !== undefined) picked[key] = source[key]
  return picked
}
