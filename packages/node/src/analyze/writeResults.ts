import { createWriteStream } from 'node:fs'
import { once } from 'node:events'
import type { CustomerAnalysis, CustomerResult } from './analyzeCustomers.js'

/** Output formats of the per-customer results. */
export type ResultFormat = 'csv' | 'json'

/** The per-customer columns, in order, as written to CSV and JSON. */
export const resultColumns = [
  'customer_id',
  'frequency',
  'recency',
  'T',
  'mean_repeat_spend',
  'total_spend',
  'first_purchase',
  'last_purchase',
  'rfm_r',
  'rfm_f',
  'rfm_m',
  'segment',
  'p_alive',
  'expected_purchases',
  'expected_spend',
  'clv',
  'historic_clv',
] as const

type Row = Record<(typeof resultColumns)[number], string | number | null>

const day = (at: number): string => new Date(at).toISOString().slice(0, 10)
const round = (value: number | undefined, digits: number): number | null =>
  value === undefined || !Number.isFinite(value) ? null : Number(value.toFixed(digits))

/** One customer as a flat record (numbers rounded to what is meaningful; null when unknown). */
export function toRow({ summary, rfm, value, historicClv }: CustomerResult): Row {
  return {
    customer_id: summary.customerId,
    frequency: summary.frequency,
    recency: round(summary.recency, 4),
    T: round(summary.age, 4),
    mean_repeat_spend: round(summary.meanRepeatSpend, 2),
    total_spend: round(summary.totalSpend, 2),
    first_purchase: day(summary.firstPurchaseAt),
    last_purchase: day(summary.lastPurchaseAt),
    rfm_r: rfm?.r ?? null,
    rfm_f: rfm?.f ?? null,
    rfm_m: rfm?.m ?? null,
    segment: rfm?.segment ?? null,
    p_alive: round(value?.probabilityAlive, 4),
    expected_purchases: round(value?.expectedPurchases, 4),
    expected_spend: round(value?.expectedSpend, 2),
    clv: round(value?.clv, 2),
    historic_clv: round(historicClv, 2),
  }
}

const csvCell = (value: string | number | null): string => {
  if (value === null) return ''
  const text = String(value)
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text
}

/**
 * Writes the per-customer results to `path`, streaming (one line per customer), as CSV with a
 * header or as JSON `{ "meta": {...}, "customers": [ {...}, ... ] }`.
 */
export async function writeResults(
  path: string,
  format: ResultFormat,
  analysis: CustomerAnalysis,
  meta: Record<string, unknown>,
): Promise<void> {
  const out = createWriteStream(path, { encoding: 'utf8' })
  const write = async (chunk: string): Promise<void> => {
    if (!out.write(chunk)) await once(out, 'drain')
  }
  if (format === 'csv') {
    await write(`${resultColumns.join(',')}\n`)
    for (const customer of analysis.customers) {
      const row = toRow(customer)
      await write(`${resultColumns.map((column) => csvCell(row[column])).join(',')}\n`)
    }
  } else {
    await write(`{"meta":${JSON.stringify(meta)},"customers":[`)
    let first = true
    for (const customer of analysis.customers) {
      await write(`${first ? '\n' : ',\n'}${JSON.stringify(toRow(customer))}`)
      first = false
    }
    await write('\n]}\n')
  }
  out.end()
  await once(out, 'finish')
}
