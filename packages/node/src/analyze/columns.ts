/**
 * How an orders file is laid out: its dialect, whether the first line is a header, and which
 * fields hold the customer, the date and the amount.
 */
import { headerKey, parseDate } from '../csv/fieldValues.js'
import type { CsvDialect } from '../csv/csvDialect.js'

/** Which column holds what: a header name (any case) or a 0-based index. */
export interface ColumnMapping {
  /** The customer id column. @default the first of customer_id, customer, user_id, client_id, email, … */
  readonly customer?: string | number
  /** The order date column. @default the first of date, order_date, created_at, timestamp, … */
  readonly date?: string | number
  /** The order amount column, currency units. @default the first of amount, total, revenue, dollar_value, … */
  readonly amount?: string | number
}

/** The resolved layout of a file. */
export interface Layout {
  readonly dialect: CsvDialect
  readonly hasHeader: boolean
  /** 0-based field indexes. */
  readonly customer: number
  readonly date: number
  readonly amount: number
  /** The header names, or `column 1`, `column 2`, … */
  readonly names: readonly string[]
}

const candidates = {
  customer: [
    'customer_id',
    'customerid',
    'customer',
    'user_id',
    'userid',
    'client_id',
    'clientid',
    'member_id',
    'buyer_id',
    'email',
    'customer_email',
    'contact_id',
    'account_id',
  ],
  date: [
    'date',
    'order_date',
    'orderdate',
    'ordered_at',
    'created_at',
    'createdat',
    'timestamp',
    'order_time',
    'purchased_at',
    'purchase_date',
    'invoice_date',
    'invoicedate',
    'datetime',
    'time',
    'day',
  ],
  amount: [
    'amount',
    'total',
    'order_total',
    'revenue',
    'dollar_value',
    'value',
    'sales',
    'spend',
    'grand_total',
    'total_price',
    'price',
    'subtotal',
    'net_amount',
  ],
} as const

/**
 * Resolves the layout from the first record: a header when no field of it parses as a date, then
 * columns by the mapping, by known header names, or — without a header — by position (customer
 * first, the first date-like field, the last field as the amount; CDNOW_master.txt's
 * `customer_id yyyymmdd n_cds dollar_value` fits). Returns an error message when a column is
 * missing.
 */
export function resolveLayout(
  fields: readonly string[],
  dialect: CsvDialect,
  mapping: ColumnMapping = {},
): Layout | string {
  const hasHeader = !fields.some((field) => parseDate(field) !== null)
  const names = hasHeader ? fields : fields.map((_, index) => `column ${index + 1}`)
  const headerKeyd = names.map(headerKey)
  const pick = (role: keyof typeof candidates, fallback: number): number | string => {
    const wanted = mapping[role]
    if (typeof wanted === 'number')
      return wanted < fields.length ? wanted : `column index ${wanted} is out of range (the file has ${fields.length})`
    if (wanted !== undefined) {
      const index = headerKeyd.indexOf(headerKey(wanted))
      return index >= 0 ? index : `no column named "${wanted}" (columns: ${names.join(', ')})`
    }
    if (hasHeader) {
      for (const name of candidates[role]) {
        const index = headerKeyd.indexOf(name)
        if (index >= 0) return index
      }
      return `no ${role} column found among ${names.join(', ')} (name it with --${role})`
    }
    return fallback
  }
  const dateFallback = Math.max(
    0,
    fields.findIndex((field, index) => index > 0 && parseDate(field) !== null),
  )
  const customer = pick('customer', 0)
  const date = pick('date', dateFallback)
  const amount = pick('amount', fields.length - 1)
  for (const found of [customer, date, amount]) if (typeof found === 'string') return found
  return { dialect, hasHeader, customer: customer as number, date: date as number, amount: amount as number, names }
}
