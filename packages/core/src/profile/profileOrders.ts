import type { JsonObject } from '../model/envelope.js'
import { profileLimits } from './emptyProfile.js'
import type { CurrencyTotals, CustomerProfile, OrderRecord } from './profileSchema.js'
import { cleanString, isJsonObject, toFiniteNumber } from './profileCollections.js'

type Orders = CustomerProfile['orders']
type Money = CustomerProfile['money']

/** The currency code used when an order names none (ISO 4217 "no currency"). */
export const UNKNOWN_CURRENCY = 'XXX'

/** Which Segment e-commerce v2 order event. */
export type OrderEventKind = 'completed' | 'refunded' | 'cancelled'

/**
 * The amount of an order event in major units: `total`, else `revenue`, else the sum of
 * `products[].price × quantity` (Segment e-commerce v2); null when none is given.
 */
export function orderAmount(properties: JsonObject): number | null {
  const direct = toFiniteNumber(properties['total']) ?? toFiniteNumber(properties['revenue'])
  if (direct !== null) return direct
  const products = properties['products']
  if (!Array.isArray(products) || products.length === 0) return null
  let sum = 0
  for (const product of products) {
    if (!isJsonObject(product)) continue
    sum += (toFiniteNumber(product['price']) ?? 0) * (toFiniteNumber(product['quantity']) ?? 1)
  }
  return sum
}

/** Turns one order event into a record to join with what is known about the order. */
export function orderRecordOf(kind: OrderEventKind, id: string, at: number, properties: JsonObject): OrderRecord {
  const amount = orderAmount(properties)
  const currency = cleanString(properties['currency'], 10)?.toUpperCase() ?? null
  const base: OrderRecord = {
    id,
    completedAt: null,
    total: null,
    currency: null,
    refunded: 0,
    fullyRefunded: false,
    cancelledAt: null,
  }
  if (kind === 'completed') return { ...base, completedAt: at, total: amount ?? 0, currency }
  if (kind === 'cancelled') return { ...base, cancelledAt: at }
  return amount === null ? { ...base, fullyRefunded: true } : { ...base, refunded: amount }
}

/**
 * Joins two records of one order. Commutative: the later completion wins (then the larger
 * total), refunds add up (events are already deduplicated by messageId), the first
 * cancellation counts.
 */
export function joinOrders(a: OrderRecord, b: OrderRecord): OrderRecord {
  const completion = pickCompletion(a, b)
  const cancels = [a.cancelledAt, b.cancelledAt].filter((at): at is number => at !== null)
  return {
    id: a.id,
    completedAt: completion.completedAt,
    total: completion.total,
    currency: completion.currency,
    refunded: a.refunded + b.refunded,
    fullyRefunded: a.fullyRefunded || b.fullyRefunded,
    cancelledAt: cancels.length > 0 ? Math.min(...cancels) : null,
  }
}

function pickCompletion(a: OrderRecord, b: OrderRecord): OrderRecord {
  if (a.completedAt === null) return b
  if (b.completedAt === null) return a
  if (a.completedAt !== b.completedAt) return a.completedAt > b.completedAt ? a : b
  if ((a.total ?? 0) !== (b.total ?? 0)) return (a.total ?? 0) > (b.total ?? 0) ? a : b
  return (a.currency ?? '') >= (b.currency ?? '') ? a : b
}

/** Adds records to the orders, joining by order id; past the cap the oldest fold into `archived`. */
export function addOrders(orders: Orders, records: readonly OrderRecord[]): Orders {
  const byId = new Map(orders.recent.map((record) => [record.id, record]))
  for (const record of records) {
    const known = byId.get(record.id)
    byId.set(record.id, known ? joinOrders(known, record) : record)
  }
  const recent = [...byId.values()].sort((x, y) => (x.id < y.id ? -1 : x.id > y.id ? 1 : 0))
  const archived: Record<string, CurrencyTotals> = { ...orders.archived }
  let archivedFirstAt = orders.archivedFirstAt
  while (recent.length > profileLimits.orders) {
    const index = indexOfOldest(recent)
    const [old] = recent.splice(index, 1)
    if (old === undefined || !counts(old)) continue
    const key = old.currency ?? UNKNOWN_CURRENCY
    archived[key] = addTotals(archived[key], old)
    archivedFirstAt = Math.min(archivedFirstAt ?? Infinity, old.completedAt ?? Infinity)
  }
  return { recent, archived, archivedFirstAt }
}

/** Recomputes the money summary from the orders (a pure function of them). */
export function summarizeOrders(orders: Orders): Money {
  const byCurrency: Record<string, CurrencyTotals> = { ...orders.archived }
  let firstOrderAt = orders.archivedFirstAt
  let lastOrderAt: number | null = null
  let cancelledCount = 0
  for (const record of orders.recent) {
    if (record.cancelledAt !== null) cancelledCount += 1
    if (!counts(record) || record.completedAt === null) continue
    const key = record.currency ?? UNKNOWN_CURRENCY
    byCurrency[key] = addTotals(byCurrency[key], record)
    firstOrderAt = Math.min(firstOrderAt ?? Infinity, record.completedAt)
    lastOrderAt = Math.max(lastOrderAt ?? -Infinity, record.completedAt)
  }
  let currency: string | null = null
  for (const [key, totals] of Object.entries(byCurrency).sort(([x], [y]) => (x < y ? -1 : 1))) {
    if (currency === null || totals.orders > (byCurrency[currency]?.orders ?? 0)) currency = key
  }
  const main = currency === null ? undefined : byCurrency[currency]
  const orderCount = main?.orders ?? 0
  const grossRevenue = main?.gross ?? 0
  const refunds = main?.refunds ?? 0
  return {
    currency,
    orderCount,
    grossRevenue,
    refunds,
    revenue: grossRevenue - refunds,
    aov: orderCount === 0 ? 0 : grossRevenue / orderCount,
    cancelledCount,
    firstOrderAt,
    // Only archived orders left: the last completion is unknown, the earliest is a lower bound.
    lastOrderAt: lastOrderAt ?? orders.archivedFirstAt,
    byCurrency,
  }
}

/** A completed, not cancelled order counts toward revenue. */
function counts(record: OrderRecord): boolean {
  return record.completedAt !== null && record.cancelledAt === null
}

function addTotals(totals: CurrencyTotals | undefined, record: OrderRecord): CurrencyTotals {
  const total = record.total ?? 0
  const refund = record.fullyRefunded ? total : Math.min(record.refunded, total)
  return {
    orders: (totals?.orders ?? 0) + 1,
    gross: (totals?.gross ?? 0) + total,
    refunds: (totals?.refunds ?? 0) + refund,
  }
}

function indexOfOldest(records: readonly OrderRecord[]): number {
  let oldest = 0
  const time = (record: OrderRecord | undefined): number => record?.completedAt ?? record?.cancelledAt ?? 0
  records.forEach((record, index) => {
    if (time(record) < time(records[oldest])) oldest = index
  })
  return oldest
}
