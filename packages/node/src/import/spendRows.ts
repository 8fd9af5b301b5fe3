/**
 * Marketing spend rows (date, channel, campaign?, amount, currency?) into `ecrm_spend`, keyed by
 * day, channel, campaign and currency so a file imported again replaces its amounts.
 */
import { DATE_FORMATS, parseAmount, parseDate } from '../csv/fieldValues.js'
import type { CsvDialect } from '../csv/csvDialect.js'
import type { Store } from '../store/storeTypes.js'
import type { SpendColumns } from './importColumns.js'
import type { RowProblem } from './rowEvents.js'

/** One day's spend on a channel (and campaign), currency units. */
export interface SpendRow {
  /** `YYYY-MM-DD`, UTC. */
  readonly day: string
  readonly channel: string
  /** '' when the file has no campaign. */
  readonly campaign: string
  /** ISO 4217 code, or '' when neither the file nor `--currency` names one. */
  readonly currency: string
  readonly amount: number
}

/** A spend row, or what is wrong with it (naming the column). */
export function spendRow(
  fields: readonly string[],
  columns: SpendColumns,
  dialect: CsvDialect,
  defaultCurrency: string | undefined,
): SpendRow | RowProblem {
  const column = (index: number): string => `column "${columns.names[index] ?? index + 1}"`
  const dateText = fields[columns.date] ?? ''
  const at = parseDate(dateText)
  if (at === null)
    return { path: column(columns.date), message: `unrecognised date "${dateText}" (expected ${DATE_FORMATS})` }
  // Channels are matched to customers' utm_source, which sites write in lower case.
  const channel = (fields[columns.channel] ?? '').toLowerCase()
  if (channel === '') return { path: column(columns.channel), message: 'empty channel' }
  const amountText = fields[columns.amount] ?? ''
  const amount = parseAmount(amountText, dialect.decimal)
  if (amount === null || amount < 0)
    return {
      path: column(columns.amount),
      message: `expected an amount of 0 or more in currency units, got "${amountText}"`,
    }
  const currency = (columns.currency === undefined ? '' : (fields[columns.currency] ?? '')) || (defaultCurrency ?? '')
  if (currency !== '' && !/^[A-Z]{3}$/.test(currency))
    return {
      path: column(columns.currency ?? columns.amount),
      message: `expected a 3-letter ISO 4217 currency code in capitals, e.g. 'EUR', got "${currency}"`,
    }
  const campaign = columns.campaign === undefined ? '' : (fields[columns.campaign] ?? '')
  return { day: new Date(at).toISOString().slice(0, 10), channel, campaign, currency, amount }
}

/** The key of a spend row in `ecrm_spend`. */
export const spendKey = (row: SpendRow): string => [row.day, row.channel, row.campaign, row.currency].join('\u0000')

/** What {@link writeSpend} did. */
export interface SpendWritten {
  /** Keys (day, channel, campaign, currency) stored for the first time. */
  readonly inserted: number
  /** Keys already stored, whose amount the file's replaced. */
  readonly replaced: number
}

const CHUNK = 1_000

/** Upserts the rows (one per key), a chunk of a thousand per statement. */
export async function writeSpend(store: Pick<Store, 'query'>, rows: Iterable<SpendRow>): Promise<SpendWritten> {
  let inserted = 0
  let replaced = 0
  const pending = [...rows]
  for (let start = 0; start < pending.length; start += CHUNK) {
    const chunk = pending.slice(start, start + CHUNK)
    // `xmax = 0` tells a row this statement inserted from one it updated (PostgreSQL and PGlite).
    const result = await store.query<{ inserted: boolean }>(
      `insert into ecrm_spend (day, channel, campaign, currency, amount)
       select * from unnest($1::date[], $2::text[], $3::text[], $4::text[], $5::float8[])
       on conflict (day, channel, campaign, currency) do update set amount = excluded.amount, imported_at = now()
       returning (xmax = 0) as inserted`,
      [
        chunk.map((row) => row.day),
        chunk.map((row) => row.channel),
        chunk.map((row) => row.campaign),
        chunk.map((row) => row.currency),
        chunk.map((row) => row.amount),
      ],
    )
    const fresh = result.filter((row) => row.inserted).length
    inserted += fresh
    replaced += result.length - fresh
  }
  return { inserted, replaced }
}
