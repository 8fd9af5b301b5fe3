import { toAov, toChurnResult, toRate } from '@ecrm/core'
import type { AovResult, ChurnResult, Rate } from '@ecrm/core'
import { ordersCte, scopeParams } from './kpiScope.js'
import type { KpiScope, KpiStore } from './kpiScope.js'

/** What {@link queryOrderKpis} returns. */
export interface OrderKpis {
  /** Distinct orders in the period, their revenue (major units) and the average order value. */
  readonly aov: AovResult
  /** Customers with ≥ 2 distinct orders in the period ÷ customers with ≥ 1. */
  readonly repeatRate: Rate
  /** Of the customers who ordered in the period of the same length before `from`, the share with no order in the period. */
  readonly churn: ChurnResult
}

const sql = `
  with ${ordersCte('$1::timestamptz - ($2::timestamptz - $1::timestamptz)')},
  buyers as (
    select customer_id,
           count(*) filter (where at >= $1::timestamptz) as orders,
           bool_or(at < $1::timestamptz) as active_before
      from orders group by customer_id
  )
  select (select count(*) from orders where at >= $1::timestamptz)::float8 as orders,
         (select coalesce(sum(amount), 0) from orders where at >= $1::timestamptz)::float8 as revenue,
         count(*) filter (where orders >= 1)::float8 as buyers,
         count(*) filter (where orders >= 2)::float8 as repeaters,
         count(*) filter (where active_before)::float8 as active_at_start,
         count(*) filter (where active_before and orders >= 1)::float8 as retained
    from buyers`

/**
 * AOV, repeat purchase rate and churn over a period, summed in the database and finished by core's
 * formulas (`toAov`, `toRate`, `toChurnResult`), so they equal `computeAov`,
 * `computeRepeatPurchaseRate` and `computeChurnRate` over the same orders. Money is summed as
 * sent, in one currency (convert before sending); an empty period gives zeros.
 *
 * @example
 * const { aov, repeatRate, churn } = await queryOrderKpis(store, { from: Date.UTC(2026, 0, 1), to: Date.UTC(2026, 3, 1) })
 */
export async function queryOrderKpis(store: KpiStore, scope: KpiScope): Promise<OrderKpis> {
  const [row] = await store.query<
    Record<'orders' | 'revenue' | 'buyers' | 'repeaters' | 'active_at_start' | 'retained', number>
  >(sql, scopeParams(scope, 'queryOrderKpis()'))
  const n = (value: number | undefined): number => Number(value ?? 0)
  return {
    aov: toAov(n(row?.orders), n(row?.revenue)),
    repeatRate: toRate(n(row?.repeaters), n(row?.buyers)),
    churn: toChurnResult(n(row?.active_at_start), n(row?.retained)),
  }
}
