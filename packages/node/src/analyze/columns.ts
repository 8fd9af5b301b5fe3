/**
 * How an orders file is laid out: its delimiter, whether the first line is a header, and which
 * fields hold the customer, the date and the amount.
 */

/** Which column holds what: a header name (any case) or a 0-based index. */
export interface ColumnMapping {
  /** The customer id column. @default the first of customer_id, customer, user_id, client_id, email, … */
  readonly customer?: string | number
  /** The order date column. @default the first of date, order_date, created_at, timestamp, … */
  readonly date?: string | number
  /** The order amount column, currency units. @default the first of amount, total, revenue, dollar_value, … */
  readonly amount?: string | number
}

/** A delimiter, or `whitespace` for runs of spaces and tabs (as in CDNOW_master.txt). */
export type Delimiter = ',' | ';' | '\t' | '|' | 'whitespace'

/** The resolved layout of a file. */
export interface Layout {
  readonly delimiter: Delimiter
  readonly hasHeader: boolean
  /** 0-based field indexes. */
  readonly customer: number
  readonly date: number
  readonly amount: number
  /** The header names, or `column 1`, `column 2`, … */
  readonly names: readonly string[]
}

const candidates = {
  customer: ['customer_id', 'customerid', 'customer', 'user_id', 'userid', 'client_id', 'clientid', 'member_id', 'buyer_id', 'email', 'customer_email', 'contact_id', 'account_id'],
  date: ['date', 'order_date', 'orderdate', 'created_at', 'createdat', 'timestamp', 'order_time', 'purchased_at', 'purchase_date', 'invoice_date', 'invoicedate', 'datetime', 'time', 'day'],
  amount: ['amount', 'total', 'order_total', 'revenue', 'dollar_value', 'value', 'sales', 'spend', 'grand_total', 'total_price', 'price', 'subtotal', 'net_amount'],
} as const

const normalize = (name: string): string => name.trim().toLowerCase().replace(/^"|"$/g, '').replace(/[^a-z0-9]+/g, '_')

/** Picks the delimiter of a file from its first line: the most frequent of , ; tab |, else whitespace. */
export function detectDelimiter(firstLine: string): Delimiter {
  let best: Delimiter = 'whitespace'
  let bestCount = 0
  for (const delimiter of [',', ';', '\t', '|'] as const) {
    const count = firstLine.split(delimiter).length - 1
    if (count > bestCount) {
      best = delimiter
      bestCount = count
    }
  }
  return best
}

/** Splits one line into fields: quoted CSV fields ("a ""b"", c") or whitespace runs. */
export function splitFields(line: string, delimiter: Delimiter): string[] {
  if (delimiter === 'whitespace') return line.trim().split(/\s+/)
  if (!line.includes('"')) return line.split(delimiter).map((field) => field.trim())
  const fields: string[] = []
  let field = ''
  let quoted = false
  for (let i = 0; i < line.length; i += 1) {
    const char = line[i]
    if (quoted) {
      if (char === '"' && line[i + 1] === '"') {
        field += '"'
        i += 1
      } else if (char === '"') quoted = false
      else field += char
    } else if (char === '"') quoted = true
    else if (char === delimiter) {
      fields.push(field.trim())
      field = ''
    } else field += char
  }
  fields.push(field.trim())
  return fields
}

/**
 * Resolves the layout from the first line: a header when no field of it parses as a date, then
 * columns by the mapping, by known header names, or — without a header — by position (customer
 * first, the first date-like field, the last field as the amount; CDNOW_master.txt's
 * `customer_id yyyymmdd n_cds dollar_value` fits). Returns an error message when a column is
 * missing.
 */
export function resolveLayout(firstLine: string, mapping: ColumnMapping = {}): Layout | string {
  const delimiter = detectDelimiter(firstLine)
  const fields = splitFields(firstLine, delimiter)
  const hasHeader = !fields.some((field) => parseDate(field) !== null)
  const names = hasHeader ? fields : fields.map((_, index) => `column ${index + 1}`)
  const normalized = names.map(normalize)
  const pick = (role: keyof typeof candidates, fallback: number): number | string => {
    const wanted = mapping[role]
    if (typeof wanted === 'number') return wanted < fields.length ? wanted : `column index ${wanted} is out of range (the file has ${fields.length})`
    if (wanted !== undefined) {
      const index = normalized.indexOf(normalize(wanted))
      return index >= 0 ? index : `no column named "${wanted}" (columns: ${names.join(', ')})`
    }
    if (hasHeader) {
      for (const name of candidates[role]) {
        const index = normalized.indexOf(name)
        if (index >= 0) return index
      }
      return `no ${role} column found among ${names.join(', ')} (name it with --${role}-column)`
    }
    return fallback
  }
  const dateFallback = Math.max(0, fields.findIndex((field, index) => index > 0 && parseDate(field) !== null))
  const customer = pick('customer', 0)
  const date = pick('date', dateFallback)
  const amount = pick('amount', fields.length - 1)
  for (const found of [customer, date, amount]) if (typeof found === 'string') return found
  return { delimiter, hasHeader, customer: customer as number, date: date as number, amount: amount as number, names }
}

/**
 * Parses an order date to epoch ms: `yyyymmdd`, ISO 8601 (`2024-03-01`, `2024-03-01T10:00:00Z`;
 * a date without a zone is UTC), `yyyy/mm/dd`, or epoch seconds / milliseconds. Ambiguous forms
 * such as `03/04/2024` are refused (null) rather than guessed.
 */
export function parseDate(text: string): number | null {
  const value = text.trim().replace(/^"|"$/g, '')
  let match = /^(\d{4})(\d{2})(\d{2})$/.exec(value)
  if (match === null) match = /^(\d{4})[-/](\d{1,2})[-/](\d{1,2})$/.exec(value)
  if (match !== null) {
    const [, year, month, day] = match.map(Number) as [number, number, number, number]
    if (month < 1 || month > 12 || day < 1 || day > 31) return null
    const at = Date.UTC(year, month - 1, day)
    return new Date(at).getUTCDate() === day ? at : null
  }
  if (/^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}/.test(value)) {
    const at = Date.parse(value.replace(' ', 'T') + (/[zZ]|[+-]\d{2}:?\d{2}$/.test(value) ? '' : 'Z'))
    return Number.isNaN(at) ? null : at
  }
  if (/^\d{9,13}$/.test(value)) {
    const number = Number(value)
    return number >= 1e11 ? number : number * 1000
  }
  return null
}

/** Parses an amount in currency units, tolerating a currency sign and thousands separators (`$1,234.50`). */
export function parseAmount(text: string): number | null {
  const cleaned = text.trim().replace(/^"|"$/g, '').replace(/^[^\d\-+.]+|[^\d.]+$/g, '').replace(/,(?=\d{3}(\D|$))/g, '')
  if (cleaned === '' || !/^[-+]?(\d+\.?\d*|\.\d+)$/.test(cleaned)) return null
  return Number(cleaned)
}
