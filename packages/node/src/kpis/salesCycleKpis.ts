import { customerOfEvent } from '../store/eventSql.js'
import { ordersCte, scopeParams } from './kpiScope.js'
import type { KpiScope, KpiStore } from './kpiScope.js'

/** Sales-cycle length of a group of customers, in days. */
export interface SalesCycle {
  /** Customers whose first order fell in the period after a lead or sign-up. */
  readonly customers: number
  /** Mean days from the first lead or sign-up to the first order; 0 without customers. */
  readonly meanDays: number
  /** Median days (linear interpolation); 0 without customers. */
  readonly medianDays: number
  /** 90th percentile, days; 0 without customers. */
  readonly p90Days: number
}

/** What {@link querySalesCycle} returns. */
export interface SalesCycleKpis {
  readonly overall: SalesCycle
  /** Per first-touch channel of the profile (`campaigns.firstTouch`, `source / medium`; `(direct) / (none)` without one), most customers first. */
  readonly byChannel: (SalesCycle & { readonly channel: string })[]
}

/** The events that start a sales cycle. */
export const LEAD_EVENTS = ['Lead Captured', 'Signed Up'] as const

const sql = `
  with ${ordersCte(null)},
  first_orders as (select customer_id, min(at) as first_order_at from orders group by customer_id),
  leads as (
    select l_id.customer_id, min(l.occurred_at) as lead_at
      from ecrm_events l ${customerOfEvent('l')}
     where l.event = any($4::text[]) and l_id.customer_id in (select customer_id from first_orders where first_order_at >= $1::timestamptz)
     group by l_id.customer_id
  ),
  cycles as (
    select coalesce(
             case when p.profile->'campaigns'->'firstTouch' is not null and jsonb_typeof(p.profile->'campaigns'->'firstTouch') = 'object'
                  then coalesce(p.profile->'campaigns'->'firstTouch'->>'source', '(none)') || ' / ' || coalesce(p.profile->'campaigns'->'firstTouch'->>'medium', '(none)') end,
             '(direct) / (none)') as channel,
           extract(epoch from (f.first_order_at - l.lead_at)) / 86400 as days
      from first_orders f join leads l on l.customer_id = f.customer_id
      left join ecrm_profiles p on p.customer_id = f.customer_id
     where f.first_order_at >= $1::timestamptz and l.lead_at <= f.first_order_at
  )
  select channel, count(*)::float8 as customers, avg(days)::float8 as mean_days,
         percentile_cont(0.5) within group (order by days)::float8 as median_days,
         percentile_cont(0.9) within group (order by days)::float8 as p90_days
    from cycles group by grouping sets ((channel), ())`

/**
 * Sales-cycle length: for the customers whose first order ever fell in the period, the days from
 * their first `Lead Captured` or `Signed Up` (under any of their merged ids) to that order, overall
 * and by first-touch channel, computed in the database. Customers who ordered without a lead
 * event before are left out.
 *
 * @example
 * const { overall } = await querySalesCycle(store, { from, to })
 * overall.medianDays // 4.5
 */
export async function querySalesCycle(store: KpiStore, scope: KpiScope): Promise<SalesCycleKpis> {
  const rows = await store.query<{
    channel: string | null
    customers: number
    mean_days: number
    median_days: number
    p90_days: number
  }>(sql, [...scopeParams(scope, 'querySalesCycle()'), [...LEAD_EVENTS]])
  const toCycle = (row: (typeof rows)[number] | undefined): SalesCycle => ({
    customers: Number(row?.customers ?? 0),
    meanDays: Number(row?.mean_days ?? 0),
    medianDays: Number(row?.median_days ?? 0),
    p90Days: Number(row?.p90_days ?? 0),
  })
  return {
    overall: toCycle(rows.find((row) => row.channel === null)),
    byChannel: rows
      .filter((row) => row.channel !== null)
      .map((row) => ({ channel: row.channel as string, ...toCycle(row) }))
      .sort((a, b) => b.customers - a.customers || (a.channel < b.channel ? -1 : 1)),
  }
}
