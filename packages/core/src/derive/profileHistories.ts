import { summarizeDailySpend } from '../clv/summarizeTransactions.js'
import type { CustomerSummary } from '../clv/types.js'
import type { LoyaltyActivity } from '../kpis/loyalty.js'
import type { CustomerProfile } from '../profile/profileSchema.js'
import { DAY_MS } from '../time/units.js'

/** The unit the store's CLV model is fitted and predicted in. */
export const CLV_UNIT = 'weeks' as const

/**
 * A profile's purchase history in the buy-till-you-die notation (x, t_x, T in weeks, z̄), from
 * its completed, not cancelled orders up to `now`; null for a customer who never bought. Orders
 * past the profile's cap (`profileLimits.orders`) count as one purchase day on the first
 * archived order's day: x is then a lower bound.
 */
export function purchaseHistoryOf(
  profile: Pick<CustomerProfile, 'id' | 'orders'>,
  now: number,
): CustomerSummary | null {
  const days: [number, number][] = []
  for (const order of profile.orders.recent) {
    if (order.completedAt === null || order.cancelledAt !== null) continue
    days.push([Math.floor(order.completedAt / DAY_MS), Math.max(0, (order.total ?? 0) - order.refunded)])
  }
  const archivedAt = profile.orders.archivedFirstAt
  if (archivedAt !== null) days.push([Math.floor(archivedAt / DAY_MS), archivedSpend(profile)])
  if (days.length === 0) return null
  return summarizeDailySpend([[profile.id, days]], { calibrationEnd: now, unit: CLV_UNIT })[0] ?? null
}

/**
 * A profile's completed orders as loyalty activities (`type: 'order'`, amount net of refunds);
 * orders past the profile's cap come as one activity at the first archived order's time.
 */
export function loyaltyActivitiesOf(profile: CustomerProfile): LoyaltyActivity[] {
  const activities: LoyaltyActivity[] = []
  for (const order of profile.orders.recent) {
    if (order.completedAt === null || order.cancelledAt !== null) continue
    activities.push({ type: 'order', at: order.completedAt, amount: Math.max(0, (order.total ?? 0) - order.refunded) })
  }
  const archivedAt = profile.orders.archivedFirstAt
  if (archivedAt !== null) activities.push({ type: 'order', at: archivedAt, amount: archivedSpend(profile) })
  return activities
}

function archivedSpend(profile: Pick<CustomerProfile, 'orders'>): number {
  let spend = 0
  for (const totals of Object.values(profile.orders.archived)) spend += totals.gross - totals.refunds
  return Math.max(0, spend)
}
