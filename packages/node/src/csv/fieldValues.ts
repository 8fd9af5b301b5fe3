/**
 * Dates and amounts as shops' exports write them. Shared by `ecrm analyze` and `ecrm import`, so
 * a file reads the same in both.
 */

/**
 * Parses a date to epoch ms: `yyyymmdd`, ISO 8601 (`2024-03-01`, `2024-03-01T10:00:00Z`; a date
 * without a zone is UTC), `yyyy/mm/dd`, or epoch seconds / milliseconds. Ambiguous forms such as
 * `03/04/2024` are refused (null) rather than guessed.
 */
export function parseDate(text: string): number | null {
  const value = text.trim()
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

/** What {@link parseDate} accepts, for messages. */
export const DATE_FORMATS = 'yyyymmdd, ISO 8601 (2024-03-01, 2024-03-01T10:00:00Z) or epoch seconds'

/**
 * Parses an amount in currency units, tolerating a currency sign and thousands separators:
 * `$1,234.50`, or with `decimal: ','` (a `;` file from a European spreadsheet) `1.234,50 €`.
 */
export function parseAmount(text: string, decimal: '.' | ',' = '.'): number | null {
  const thousands = decimal === '.' ? /,(?=\d{3}(\D|$))/g : /\.(?=\d{3}(\D|$))/g
  let cleaned = text
    .trim()
    .replace(/^[^\d\-+.,]+|[^\d.,]+$/g, '')
    .replace(thousands, '')
  if (decimal === ',') cleaned = cleaned.replace(',', '.')
  if (cleaned === '' || !/^[-+]?(\d+\.?\d*|\.\d+)$/.test(cleaned)) return null
  return Number(cleaned)
}

/** A header name as matched against known names: `Order Date` and `order-date` are `order_date`. */
export const headerKey = (name: string): string =>
  name
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
