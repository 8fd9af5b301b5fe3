/**
 * Which kind of history a file holds (customers, orders, spend) and where its columns are, from
 * its header. Orders are laid out by `ecrm analyze`'s {@link resolveLayout}, so a file both commands
 * read is read the same way.
 */
import { EcrmError } from '@ecrm/core'
import { resolveLayout } from '../analyze/columns.js'
import type { ColumnMapping, Layout } from '../analyze/columns.js'
import { describeDialect } from '../csv/csvDialect.js'
import type { CsvDialect } from '../csv/csvDialect.js'
import { headerKey } from '../csv/fieldValues.js'

/** What a file holds: customers (with traits), completed orders, or marketing spend. */
export type ImportKind = 'customers' | 'orders' | 'spend'

/** The import kinds, in the order they are best imported (customers before their orders). */
export const IMPORT_KINDS: readonly ImportKind[] = ['customers', 'orders', 'spend']

/** Header names (as {@link headerKey} writes them) that may hold each field, the likeliest first. */
const names = {
  id: ['customer_id', 'customerid', 'customer', 'user_id', 'userid', 'client_id', 'member_id', 'contact_id', 'id'],
  email: ['email', 'customer_email', 'e_mail', 'email_address'],
  signedUpAt: ['created_at', 'signed_up_at', 'signup_date', 'registered_at', 'joined_at', 'first_seen_at'],
  orderId: ['order_id', 'orderid', 'order_number', 'order_no', 'invoice', 'invoice_no', 'invoice_id', 'transaction_id'],
  currency: ['currency', 'currency_code'],
  source: ['utm_source', 'source', 'channel', 'acquisition_channel'],
  medium: ['utm_medium', 'medium'],
  campaign: ['utm_campaign', 'campaign', 'campaign_name'],
  spendDate: ['date', 'day', 'spend_date', 'report_date'],
  spendChannel: ['channel', 'utm_source', 'source', 'platform', 'network'],
  spendAmount: ['amount', 'spend', 'cost', 'spent'],
} as const

/** The campaign (UTM) columns of a customers or orders file: the customer's acquisition touch. */
export interface CampaignColumns {
  readonly source: number | undefined
  readonly medium: number | undefined
  readonly campaign: number | undefined
}

/** Where a customers file's fields are (0-based indexes). */
export interface CustomerColumns extends CampaignColumns {
  readonly kind: 'customers'
  /** The customer id column, else the email column (which then is the id). */
  readonly id: number
  readonly signedUpAt: number | undefined
  /** Every column that becomes a trait: `[index, trait name]`. */
  readonly traits: readonly (readonly [number, string])[]
  readonly names: readonly string[]
}

/** Where an orders file's fields are: `ecrm analyze`'s layout plus the order id, currency and campaign. */
export interface OrderColumns extends CampaignColumns {
  readonly kind: 'orders'
  readonly layout: Layout
  readonly orderId: number | undefined
  readonly currency: number | undefined
  readonly names: readonly string[]
}

/** Where a spend file's fields are. */
export interface SpendColumns {
  readonly kind: 'spend'
  readonly date: number
  readonly channel: number
  readonly amount: number
  readonly campaign: number | undefined
  readonly currency: number | undefined
  readonly names: readonly string[]
}

/** The resolved columns of a file of any kind. */
export type ImportColumns = CustomerColumns | OrderColumns | SpendColumns

/**
 * Resolves a file's kind (given, or told by its header) and its columns from its first record.
 * Throws `EcrmError` `invalid_input` naming the missing column (or, without `kind`, saying why
 * the kind could not be told), so a bad file stops before any row is imported.
 */
export function resolveImportColumns(
  fields: readonly string[],
  dialect: CsvDialect,
  file: string,
  kind?: ImportKind,
  mapping: ColumnMapping = {},
): ImportColumns {
  const keys = fields.map(headerKey)
  const find = (candidates: readonly string[]): number | undefined => {
    for (const name of candidates) {
      const index = keys.indexOf(name)
      if (index >= 0) return index
    }
    return undefined
  }
  const fail = (what: string): never => {
    throw new EcrmError(
      'invalid_input',
      `ecrm import cannot read ${file}: ${what} (read as ${describeDialect(dialect)}, columns: ${fields.join(', ')})`,
    )
  }
  const require = (role: string, candidates: readonly string[]): number =>
    find(candidates) ?? fail(`no ${role} column (expected one of ${candidates.join(', ')})`)
  const campaign = { source: find(names.source), medium: find(names.medium), campaign: find(names.campaign) }
  const resolved = kind ?? detectKind(keys, fields, dialect, mapping, fail)
  if (resolved === 'spend') {
    return {
      kind: 'spend',
      date: require('date', names.spendDate),
      channel: require('channel', names.spendChannel),
      amount: require('amount', names.spendAmount),
      campaign: find(names.campaign),
      currency: find(names.currency),
      names: fields,
    }
  }
  if (resolved === 'orders') {
    const layout = resolveLayout(fields, dialect, mapping)
    if (typeof layout === 'string') return fail(layout)
    const header = layout.hasHeader
    return {
      kind: 'orders',
      layout,
      orderId: header ? find(names.orderId) : undefined,
      currency: header ? find(names.currency) : undefined,
      ...(header ? campaign : { source: undefined, medium: undefined, campaign: undefined }),
      names: layout.names,
    }
  }
  const id =
    (typeof mapping.customer === 'string' ? keys.indexOf(headerKey(mapping.customer)) : mapping.customer) ??
    find(names.id) ??
    find(names.email) ??
    fail(`no customer id column (expected one of ${[...names.id, ...names.email].join(', ')})`)
  if (id < 0 || id >= fields.length) return fail(`no column named "${String(mapping.customer)}"`)
  const signedUpAt = find(names.signedUpAt)
  const campaignIndexes = new Set([campaign.source, campaign.medium, campaign.campaign])
  return {
    kind: 'customers',
    id,
    signedUpAt,
    ...campaign,
    traits: keys.flatMap((key, index) =>
      index === id || campaignIndexes.has(index) || key === '' ? [] : [[index, key] as const],
    ),
    names: fields,
  }
}

/**
 * The kind a header says: a channel and an amount but no customer is spend; a customer with a
 * date and an amount, or an order id (or no header at all, as in CDNOW_master.txt) is orders; a customer id or email alone is
 * customers.
 */
function detectKind(
  keys: readonly string[],
  fields: readonly string[],
  dialect: CsvDialect,
  mapping: ColumnMapping,
  fail: (what: string) => never,
): ImportKind {
  const has = (candidates: readonly string[]): boolean => candidates.some((name) => keys.includes(name))
  const customer = has(names.id) || has(names.email)
  if (!customer && has(names.spendChannel) && has(names.spendAmount)) return 'spend'
  const layout = resolveLayout(fields, dialect, mapping)
  // An order id says orders even when the date or amount is named unusually: the layout then
  // names the missing column, rather than the orders being taken for customers' traits.
  if (typeof layout !== 'string' || has(names.orderId)) return 'orders'
  if (customer) return 'customers'
  return fail('cannot tell whether it holds customers, orders or spend from its header (pass --kind)')
}
