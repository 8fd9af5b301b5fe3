import { toRate, uniqueOrders } from './types.js'
import type { Order, Rate } from './types.js'

/** A time window `[from, to)`, epoch ms. */
export interface Period {
  /** Start, inclusive, epoch ms. */
  readonly from: number
  /** End, exclusive, epoch ms. */
  readonly to: number
}

/** What {@link computeAov} returns. */
export interface AovResult {
  /** Distinct orders counted. */
  readonly orders: number
  /** Sum of their totals, in major currency units. */
  readonly revenue: number
  /** Average order value, `revenue ÷ orders`, in major currency units; 0 when there are no orders. */
  readonly aov: number
}

const within = (order: Order, period: Period | undefined): boolean =>
  period === undefined || (order.at >= period.from && order.at < period.to)

/**
 * Average order value: revenue ÷ orders, over distinct `orderId`s, optionally within a period.
 * All orders must be in one currency (convert first).
 *
 * @example
 * computeAov(orders, { from: Date.UTC(2026, 0, 1), to: Date.UTC(2026, 1, 1) }) // { orders: 120, revenue: 5400, aov: 45 }
 */
export function computeAov(orders: readonly Order[], period?: Period): AovResult {
  const counted = uniqueOrders(orders).filter((order) => within(order, period))
  return toAov(
    counted.length,
    counted.reduce((sum, order) => sum + order.total, 0),
  )
}

/**
 * The average order value from totals already summed elsewhere (a store query): `revenue ÷ orders`,
 * 0 for no orders. {@link computeAov} ends here too, so both paths share one formula.
 *
 * @example
 * toAov(120, 5400) // { orders: 120, revenue: 5400, aov: 45 }
 */
export function toAov(orders: number, revenue: number): AovResult {
  return { orders, revenue, aov: orders === 0 ? 0 : revenue / orders }
}

/**
 * Repeat purchase rate: customers with two or more distinct orders ÷ customers with at least one,
 * counting only orders within `period` when one is given. 0 when nobody ordered.
 *
 * @example
 * computeRepeatPurchaseRate(orders).rate // 0.27: 27 % of buyers bought again
 */
export function computeRepeatPurchaseRate(orders: readonly Order[], period?: Period): Rate {
  const counts = new Map<string, number>()
  for (const order of uniqueOrders(orders)) {
    if (within(order, period)) counts.set(order.customerId, (counts.get(order.customerId) ?? 0) + 1)
  }
  const repeaters = [...counts.values()].filter((count) => count >= 2).length
  return toRate(repeaters, counts.size)
}
