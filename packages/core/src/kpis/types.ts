/**
 * The small, plain input types of the KPI functions. They are not events: adapters or the profile
 * fold events into these (an `Order Completed` becomes an {@link Order}), so the KPIs stay pure.
 */

/** One line of an order. */
export interface OrderLine {
  readonly productId: string
  /** Units bought. @default 1 */
  readonly quantity?: number
  /** Unit price in major currency units. */
  readonly price?: number
  readonly category?: string
}

/** One completed order. */
export interface Order {
  readonly customerId: string
  /** Unique per order; a repeated `orderId` is counted once (delivery is at-least-once). */
  readonly orderId: string
  /** When the order was placed, epoch ms. */
  readonly at: number
  /** What the customer paid, in major currency units (19.99 means €19.99). One currency per call. */
  readonly total: number
  readonly products?: readonly OrderLine[]
}

/** One marketing contact on a customer's path to a conversion. */
export interface Touchpoint {
  /** The channel credited, e.g. `email`, `paid_search`, `organic`. */
  readonly channel: string
  /** When the contact happened, epoch ms. */
  readonly at: number
}

/** A share with its parts: `rate = numerator / denominator`, 0 when the denominator is 0. */
export interface Rate {
  readonly numerator: number
  readonly denominator: number
  /** A fraction in [0, 1] (multiply by 100 for a percentage). */
  readonly rate: number
}

/** Divides, giving 0 (not NaN) for an empty denominator. */
export function toRate(numerator: number, denominator: number): Rate {
  return { numerator, denominator, rate: denominator === 0 ? 0 : numerator / denominator }
}

/** Keeps the first order of each `orderId` (at-least-once delivery may repeat one). */
export function uniqueOrders(orders: readonly Order[]): Order[] {
  const seen = new Set<string>()
  return orders.filter((order) => {
    if (seen.has(order.orderId)) return false
    seen.add(order.orderId)
    return true
  })
}
