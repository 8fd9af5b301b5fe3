import { toRetentionCohort } from '@ecrm/core'
import type { RetentionCohort } from '@ecrm/core'
import { monthIndexSql, monthLabelSql, ordersCte, scopeParams } from './kpiScope.js'
import type { KpiScope, KpiStore } from './kpiScope.js'

const sql = `
  with ${ordersCte(null)},
  months as (select distinct customer_id, ${monthIndexSql('at')} as month from orders),
  firsts as (select customer_id, min(at) as first_at from orders group by customer_id)
  select ${monthLabelSql('f.first_at')} as cohort, ${monthIndexSql('f.first_at')} as first_month, m.month - ${monthIndexSql('f.first_at')} as offset_months,
         count(*)::float8 as customers
    from firsts f join months m on m.customer_id = f.customer_id
   where f.first_at >= $1::timestamptz
   group by 1, 2, 3
   order by 2, 3`

/**
 * Monthly retention cohorts of the customers whose first order ever fell in the period: per cohort
 * (UTC first-purchase month) how many ordered in month +0, +1, … up to the month before `to`.
 * Counted in the database, rows built by core's `toRetentionCohort`: the same table as
 * `computeRetentionCohorts` over those customers' orders with `now` at the end of the period.
 *
 * @example
 * const cohorts = await queryRetention(store, { from: Date.UTC(2026, 0, 1), to: Date.UTC(2026, 6, 1) })
 */
export async function queryRetention(store: KpiStore, scope: KpiScope): Promise<RetentionCohort[]> {
  const params = scopeParams(scope, 'queryRetention()')
  const rows = await store.query<{ cohort: string; first_month: number; offset_months: number; customers: number }>(
    sql,
    params,
  )
  const last = new Date(Math.max(scope.from, scope.to - 1))
  const lastMonth = last.getUTCFullYear() * 12 + last.getUTCMonth()
  const cohorts = new Map<string, number[]>()
  for (const row of rows) {
    const active = cohorts.get(row.cohort) ?? new Array<number>(lastMonth - Number(row.first_month) + 1).fill(0)
    active[Number(row.offset_months)] = Number(row.customers)
    cohorts.set(row.cohort, active)
  }
  return [...cohorts].map(([cohort, active]) => toRetentionCohort(cohort, active))
}
