import { DAY_MS, EcrmError } from '@ecrm/core'
import { describeDialect } from '../csv/csvDialect.js'
import { DATE_FORMATS, parseAmount, parseDate } from '../csv/fieldValues.js'
import { openCsv } from '../csv/readCsvRecords.js'
import { resolveLayout } from './columns.js'
import type { ColumnMapping, Layout } from './columns.js'

/** A line that could not be read as an order. */
export interface BadRow {
  /** 1-based line number in the file. */
  readonly line: number
  /** What was wrong, naming the column and what was expected, e.g. `column "date": unrecognised date "03/04/2024" (expected yyyymmdd, …)`. */
  readonly reason: string
}

/** Options of {@link readOrders}. */
export interface ReadOrdersOptions {
  /** Which columns hold the customer, date and amount; detected from the header when absent. */
  readonly columns?: ColumnMapping
  /**
   * Offset added to timestamps before cutting them into calendar days, ms (the shop's UTC offset).
   * @default 0
   */
  readonly timeZoneOffsetMs?: number
  /**
   * Bad rows kept with their reason; the rest are only counted.
   * @default 100
   */
  readonly maxBadRows?: number
  /** Called about every 64 KiB read, for a progress bar. */
  readonly onProgress?: (bytesRead: number, totalBytes: number) => void
}

/** What {@link readOrders} gathered. */
export interface OrdersRead {
  /**
   * Spend per customer per calendar day, as flat `[day, spend, day, spend, …]` arrays (day =
   * whole days since the epoch): memory grows with customer-days, not with lines.
   */
  readonly daily: Map<string, number[]>
  readonly layout: Layout
  /** Lines read as orders. */
  readonly rows: number
  /** Lines that were not orders, up to `maxBadRows`. */
  readonly badRows: BadRow[]
  /** Every line that was not an order, including those not kept in `badRows`. */
  readonly badRowCount: number
  /** Revenue over every order read, currency units. */
  readonly revenue: number
  /** Earliest and latest order day start, epoch ms (NaN without orders). */
  readonly firstAt: number
  readonly lastAt: number
}

/**
 * Streams an orders file through csv-parse (quoted fields may hold delimiters and line breaks;
 * the delimiter and a decimal comma are detected) and folds it into spend per customer per day.
 * Bad records are reported by line and column and skipped, never fatal. Throws only when the file
 * cannot be opened or its columns cannot be found.
 *
 * @example
 * const { daily, badRows } = await readOrders('orders.csv', { columns: { amount: 'grand_total' } })
 */
export async function readOrders(path: string, options: ReadOrdersOptions = {}): Promise<OrdersRead> {
  const { timeZoneOffsetMs = 0, maxBadRows = 100 } = options
  const file = await openCsv(path, options.onProgress === undefined ? {} : { onProgress: options.onProgress })
  const daily = new Map<string, number[]>()
  const badRows: BadRow[] = []
  let badRowCount = 0
  let rows = 0
  let revenue = 0
  let firstDay = Number.POSITIVE_INFINITY
  let lastDay = Number.NEGATIVE_INFINITY
  let layout: Layout | undefined
  const reject = (line: number, reason: string): void => {
    badRowCount += 1
    if (badRows.length < maxBadRows) badRows.push({ line, reason })
  }

  for await (const record of file.records()) {
    if ('error' in record) {
      reject(record.line, record.error)
      continue
    }
    const { line, fields } = record
    if (layout === undefined) {
      const resolved = resolveLayout(fields, file.dialect, options.columns)
      if (typeof resolved === 'string') {
        throw new EcrmError(
          'invalid_input',
          `ecrm analyze cannot read the orders: ${path} (${resolved}; read as ${describeDialect(file.dialect)})`,
        )
      }
      layout = resolved
      if (layout.hasHeader) continue
    }
    const { names } = layout
    const column = (index: number): string => `column "${names[index] ?? index + 1}"`
    const customer = fields[layout.customer]
    const dateText = fields[layout.date]
    const amountText = fields[layout.amount]
    if (customer === undefined || dateText === undefined || amountText === undefined) {
      reject(
        line,
        `expected at least ${Math.max(layout.customer, layout.date, layout.amount) + 1} fields, got ${fields.length} (read as ${describeDialect(file.dialect)})`,
      )
      continue
    }
    if (customer === '') {
      reject(line, `${column(layout.customer)}: empty customer id`)
      continue
    }
    const at = parseDate(dateText)
    if (at === null) {
      reject(line, `${column(layout.date)}: unrecognised date "${dateText}" (expected ${DATE_FORMATS})`)
      continue
    }
    const amount = parseAmount(amountText, file.dialect.decimal)
    if (amount === null) {
      const expected =
        file.dialect.decimal === ',' ? 'a number with a decimal comma, e.g. 1.234,50' : 'a number, e.g. 1234.50'
      reject(line, `${column(layout.amount)}: unrecognised amount "${amountText}" (expected ${expected})`)
      continue
    }
    const day = Math.floor((at + timeZoneOffsetMs) / DAY_MS)
    addSpend(daily, customer, day, amount)
    rows += 1
    revenue += amount
    if (day < firstDay) firstDay = day
    if (day > lastDay) lastDay = day
  }
  if (layout === undefined) {
    throw new EcrmError('invalid_input', `ecrm analyze cannot read the orders: ${path} (the file is empty)`)
  }
  const toAt = (day: number): number => (Number.isFinite(day) ? day * DAY_MS - timeZoneOffsetMs : Number.NaN)
  return { daily, layout, rows, badRows, badRowCount, revenue, firstAt: toAt(firstDay), lastAt: toAt(lastDay) }
}

/** Adds spend to a customer's day; orders files are mostly chronological, so look from the end. */
function addSpend(daily: Map<string, number[]>, customer: string, day: number, amount: number): void {
  const days = daily.get(customer)
  if (days === undefined) {
    daily.set(customer, [day, amount])
    return
  }
  for (let i = days.length - 2; i >= 0; i -= 2) {
    if (days[i] === day) {
      days[i + 1] = (days[i + 1] ?? 0) + amount
      return
    }
  }
  days.push(day, amount)
}

/** Presents the flat day arrays as the `[customer, [day, spend] pairs]` that core's summariser reads. */
export function* dailyPairs(
  daily: ReadonlyMap<string, readonly number[]>,
): Generator<[string, Generator<[number, number]>]> {
  for (const [customer, days] of daily) yield [customer, pairsOf(days)]
}

function* pairsOf(days: readonly number[]): Generator<[number, number]> {
  for (let i = 0; i < days.length; i += 2) yield [days[i] ?? 0, days[i + 1] ?? 0]
}
