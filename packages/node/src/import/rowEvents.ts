/**
 * A customers or orders row as the event a shop's site would have sent for it: an `identify`
 * with the customer's traits, or an `Order Completed` with the documented order properties
 * (docs/event-model.md). The events then take the collector's path (validation, `insertEvents`).
 */
import { createHash } from 'node:crypto'
import type { EcrmEvent, JsonObject } from '@ecrm/core'
import { DATE_FORMATS, parseAmount, parseDate } from '../csv/fieldValues.js'
import type { CsvDialect } from '../csv/csvDialect.js'
import type { CampaignColumns, CustomerColumns, ImportKind, OrderColumns } from './importColumns.js'

/** A row that could not become an event: which field (an event path or a column) and why. */
export interface RowProblem {
  /** The zod path in the event (`properties.currency`), or `column "<name>"` for an unreadable field. */
  readonly path: string
  readonly message: string
}

/** An event built from a row, or the row's problem. */
export type RowEvent = { readonly event: EcrmEvent } | { readonly problem: RowProblem }

/**
 * The message id of an imported row: a SHA-256 of the kind and the row's key, so importing the
 * same row again is a duplicate the store skips, from any machine, in any order.
 */
export function importMessageId(kind: ImportKind, key: readonly string[]): string {
  return `import-${createHash('sha256')
    .update([kind, ...key].join('\u0000'))
    .digest('hex')}`
}

const columnOf = (names: readonly string[], index: number): string => `column "${names[index] ?? index + 1}"`

/** The UTM touch the row carries (its acquisition channel), as `context.campaign`. */
function campaignContext(fields: readonly string[], columns: CampaignColumns): EcrmEvent['context'] {
  const value = (index: number | undefined): string | undefined =>
    index === undefined || (fields[index] ?? '') === '' ? undefined : fields[index]
  const campaign = Object.fromEntries(
    Object.entries({
      source: value(columns.source),
      medium: value(columns.medium),
      name: value(columns.campaign),
    }).filter(([, text]) => text !== undefined),
  ) as Record<string, string>
  return Object.keys(campaign).length === 0 ? undefined : { campaign }
}

/**
 * A customers row as an `identify`: the id column is the `userId`, every other non-empty field a
 * trait under its header name (`First Name` → `first_name`), the sign-up date (when the file has
 * one) both the `created_at` trait and the event's time. The message id hashes the whole row, so
 * a changed customer re-imports as an update and an unchanged one as a duplicate.
 */
export function customerEvent(fields: readonly string[], columns: CustomerColumns, now: string): RowEvent {
  const userId = fields[columns.id] ?? ''
  if (userId === '') return { problem: { path: columnOf(columns.names, columns.id), message: 'empty customer id' } }
  const traits: JsonObject = {}
  for (const [index, name] of columns.traits) {
    const text = fields[index] ?? ''
    if (text !== '') traits[name] = text
  }
  let timestamp = now
  if (columns.signedUpAt !== undefined && (fields[columns.signedUpAt] ?? '') !== '') {
    const text = fields[columns.signedUpAt] ?? ''
    const at = parseDate(text)
    if (at === null)
      return {
        problem: {
          path: columnOf(columns.names, columns.signedUpAt),
          message: `unrecognised date "${text}" (expected ${DATE_FORMATS})`,
        },
      }
    timestamp = new Date(at).toISOString()
    traits['created_at'] = timestamp
  }
  const context = campaignContext(fields, columns)
  return {
    event: {
      type: 'identify',
      messageId: importMessageId('customers', fields),
      userId,
      traits,
      timestamp,
      ...(context === undefined ? {} : { context }),
    },
  }
}

/**
 * An orders row as an `Order Completed` at the row's date: `order_id`, `total` (the amount) and
 * `currency` (the column, else `defaultCurrency`). The message id hashes the order id; a file
 * without one keys each order by customer, date and amount, and the how-many-th such row it is.
 */
export function orderEvent(
  fields: readonly string[],
  columns: OrderColumns,
  dialect: CsvDialect,
  seen: Map<string, number>,
  defaultCurrency: string | undefined,
): RowEvent {
  const { layout, names } = columns
  const userId = fields[layout.customer] ?? ''
  const dateText = fields[layout.date] ?? ''
  const amountText = fields[layout.amount] ?? ''
  if (userId === '') return { problem: { path: columnOf(names, layout.customer), message: 'empty customer id' } }
  const at = parseDate(dateText)
  if (at === null)
    return {
      problem: {
        path: columnOf(names, layout.date),
        message: `unrecognised date "${dateText}" (expected ${DATE_FORMATS})`,
      },
    }
  const total = parseAmount(amountText, dialect.decimal)
  if (total === null)
    return {
      problem: {
        path: columnOf(names, layout.amount),
        message: `unrecognised amount "${amountText}" (expected ${dialect.decimal === ',' ? 'a number with a decimal comma, e.g. 1.234,50' : 'a number, e.g. 1234.50'})`,
      },
    }
  const orderId = columns.orderId === undefined ? '' : (fields[columns.orderId] ?? '')
  let key = orderId
  if (orderId === '') {
    const tuple = `${userId}\u0000${at}\u0000${total}`
    const nth = (seen.get(tuple) ?? 0) + 1
    seen.set(tuple, nth)
    key = `${tuple}\u0000${nth}`
  }
  const messageId = importMessageId('orders', [key])
  const currency = columns.currency === undefined ? defaultCurrency : fields[columns.currency] || defaultCurrency
  const context = campaignContext(fields, columns)
  return {
    event: {
      type: 'track',
      event: 'Order Completed',
      messageId,
      userId,
      timestamp: new Date(at).toISOString(),
      properties: {
        // Without an order id column the hash is the id: orders are joined and deduplicated by it.
        order_id: orderId === '' ? messageId : orderId,
        total,
        ...(currency === undefined ? {} : { currency }),
      },
      ...(context === undefined ? {} : { context }),
    },
  }
}
