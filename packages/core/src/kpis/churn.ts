import type { Period } from './orders.js'
import type { Order } from './types.js'

/** Options of {@link computeChurnRate}: the period, and how recent a purchase makes a customer active. */
export interface ChurnOptions extends Period {
  /**
   * A customer is active at `from` when they ordered in `[from - activeWindowMs, from)`.
   * @default the length of the period (`to - from`): the previous period of the same length
   */
  readonly activeWindowMs?: number
}

/** What {@link computeChurnRate} returns. */
export interface ChurnResult {
  /** Customers active at the start of the period. */
  readonly activeAtStart: number
  /** Of those, customers who ordered again within the period. */
  readonly retained: number
  /** Of those, customers who did not: `activeAtStart - retained`. */
  readonly churned: number
  /** `churned ÷ activeAtStart`, in [0, 1]; 0 when nobody was active. */
  readonly rate: number
}

/**
 * Churn rate for a period in a non-contractual business, where churn is silence: of the customers
 * active at the start (an order in the window before `from`), the share with no order in
 * `[from, to)`. New customers of the period are not in the base, so they cannot lower the rate.
 *
 * @example
 * // Of January's buyers, how many did not come back in February?
 * computeChurnRate(orders, { from: Date.UTC(2026, 1, 1), to: Date.UTC(2026, 2, 1), activeWindowMs: 31 * 86_400_000 })
 */
export function computeChurnRate(orders: readonly Order[], options: ChurnOptions): ChurnResult {
  const { from, to } = options
  const activeSince = from - (options.activeWindowMs ?? to - from)
  const active = new Set<string>()
  const buyers = new Set<string>()
  for (const order of orders) {
    if (order.at >= activeSince && order.at < from) active.add(order.customerId)
    if (order.at >= from && order.at < to) buyers.add(order.customerId)
  }
  return toChurnResult(active.size, [...active].filter((customerId) => buyers.has(customerId)).length)
}

/**
 * The churn rate from counts made elsewhere (a store query): of `activeAtStart` customers,
 * `retained` ordered again; the rest churned. 0 when nobody was active. {@link computeChurnRate}
 * ends here too, so both paths share one formula.
 *
 * @example
 * toChurnResult(200, 150) // { activeAtStart: 200, retained: 150, churned: 50, rate: 0.25 }
 */
export function toChurnResult(activeAtStart: number, retained: number): ChurnResult {
  const churned = activeAtStart - retained
  return { activeAtStart, retained, churned, rate: activeAtStart === 0 ? 0 : churned / activeAtStart }
}
