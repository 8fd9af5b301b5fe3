import type { Order } from './types.js'

/** Options of {@link computeRetentionCohorts}. */
export interface RetentionOptions {
  /** Epoch ms; the table runs up to this month. @default the month of the last order */
  readonly now?: number
}

/** One cohort: the customers whose first order fell in `cohort`, and how many ordered in each later month. */
export interface RetentionCohort {
  /** The first-purchase month, `YYYY-MM` (UTC). */
  readonly cohort: string
  /** Customers in the cohort. */
  readonly customers: number
  /** `active[k]`: customers of the cohort with an order in month `cohort + k`; `active[0] = customers`. */
  readonly active: number[]
  /** `active[k] ÷ customers`, in [0, 1]; `rates[0] = 1`. */
  readonly rates: number[]
}

/** Months since year 0, UTC: January 2026 is 2026 × 12 + 0. */
const monthIndex = (at: number): number => {
  const date = new Date(at)
  return date.getUTCFullYear() * 12 + date.getUTCMonth()
}

const monthLabel = (index: number): string =>
  `${String(Math.floor(index / 12)).padStart(4, '0')}-${String((index % 12) + 1).padStart(2, '0')}`

/**
 * Monthly retention cohorts by first-purchase month (UTC calendar months): each cohort's customers
 * and how many of them ordered again 0, 1, 2 … months later, up to the month of `now`. Cohorts are
 * sorted oldest first; a cohort has one entry per month from its own month to the last one, so
 * younger cohorts have shorter rows (the triangle of a cohort table). No orders gives `[]`.
 *
 * @example
 * computeRetentionCohorts(orders, { now: clock.now() })
 * // [{ cohort: '2026-01', customers: 200, active: [200, 46, 38], rates: [1, 0.23, 0.19] }, ...]
 */
export function computeRetentionCohorts(orders: readonly Order[], options: RetentionOptions = {}): RetentionCohort[] {
  if (orders.length === 0) return []
  const monthsByCustomer = new Map<string, Set<number>>()
  let last = Number.NEGATIVE_INFINITY
  for (const order of orders) {
    const month = monthIndex(order.at)
    last = Math.max(last, month)
    const months = monthsByCustomer.get(order.customerId) ?? new Set<number>()
    months.add(month)
    monthsByCustomer.set(order.customerId, months)
  }
  const end = options.now === undefined ? last : monthIndex(options.now)
  const cohorts = new Map<number, number[]>()
  for (const months of monthsByCustomer.values()) {
    const first = Math.min(...months)
    if (first > end) continue
    const active = cohorts.get(first) ?? new Array<number>(end - first + 1).fill(0)
    for (const month of months) {
      if (month <= end) active[month - first] = (active[month - first] ?? 0) + 1
    }
    cohorts.set(first, active)
  }
  return [...cohorts].sort(([a], [b]) => a - b).map(([first, active]) => toRetentionCohort(monthLabel(first), active))
}

/**
 * One cohort row from counts made elsewhere (a store query): `active[k]` customers of the cohort
 * ordered in month `cohort + k`, `active[0]` being the cohort's size. {@link computeRetentionCohorts}
 * ends here too, so both paths share one formula.
 *
 * @example
 * toRetentionCohort('2026-01', [200, 46]) // { cohort: '2026-01', customers: 200, active: [200, 46], rates: [1, 0.23] }
 */
export function toRetentionCohort(cohort: string, active: number[]): RetentionCohort {
  const customers = active[0] ?? 0
  return { cohort, customers, active, rates: active.map((count) => (customers === 0 ? 0 : count / customers)) }
}
