import { EcrmError } from '@ecrm/core'
import { customerOfEvent, orderAmountOfEvent, orderIdOfEvent } from '../store/eventSql.js'
import type { Store } from '../store/storeTypes.js'

/** What every KPI query is asked over: a period and optionally a segment. */
export interface KpiScope {
  /** Start, inclusive, epoch ms. */
  readonly from: number
  /** End, exclusive, epoch ms. */
  readonly to: number
  /**
   * Only customers in this segment now: a named segment id (`segments` of the config) or an RFM
   * segment id (`champions`, ...). @default every customer
   */
  readonly segment?: string | undefined
}

/** The store piece KPI queries need: SQL, nothing else. */
export type KpiStore = Pick<Store, 'query'>

/**
 * Checks a scope and turns it into the three leading parameters of every KPI statement:
 * `$1` from and `$2` to (ISO timestamps), `$3` the segment or null. Throws `EcrmError`
 * `invalid_options` naming the option for a period that is not finite or runs backwards.
 */
export function scopeParams(scope: KpiScope, caller: string): [string, string, string | null] {
  for (const name of ['from', 'to'] as const) {
    if (!Number.isFinite(scope[name]))
      throw new EcrmError(
        'invalid_options',
        `${caller} failed: options.${name} (got ${String(scope[name])}; pass epoch ms)`,
      )
  }
  if (scope.to < scope.from)
    throw new EcrmError(
      'invalid_options',
      `${caller} failed: options.to (${scope.to} is before from ${scope.from}; periods are [from, to))`,
    )
  return [new Date(scope.from).toISOString(), new Date(scope.to).toISOString(), scope.segment ?? null]
}

/** True when `customer` (a SQL expression) is in the segment `$3`, or `$3` is null. */
export const inSegment = (customer: string): string =>
  `($3::text is null or exists (select 1 from ecrm_profile_derived sp where sp.customer_id = ${customer} and ($3 = any(sp.segments) or sp.rfm_segment = $3)))`

/**
 * The CTE `orders (order_id, customer_id, amount, at)`: completed orders of customers in the
 * segment, each `order_id` once (its first event: delivery is at-least-once), placed at or after
 * `since` (a SQL timestamp expression; null for all time) and before `$2`.
 */
export const ordersCte = (since: string | null): string => `
  orders as (
    select distinct on (${orderIdOfEvent('o')}) ${orderIdOfEvent('o')} as order_id, o_id.customer_id, ${orderAmountOfEvent('o')} as amount, o.occurred_at as at
      from ecrm_events o ${customerOfEvent('o')}
     where o.event = 'Order Completed' and o.occurred_at < $2::timestamptz ${since === null ? '' : `and o.occurred_at >= ${since}`}
       and ${inSegment('o_id.customer_id')}
     order by ${orderIdOfEvent('o')}, o.occurred_at, o.message_id
  )`

/** A timestamp's UTC calendar month as an integer (year × 12 + month − 1), as core's cohorts count. */
export const monthIndexSql = (at: string): string =>
  `(extract(year from ${at} at time zone 'UTC')::int * 12 + extract(month from ${at} at time zone 'UTC')::int - 1)`

/** A timestamp's UTC calendar month, `YYYY-MM`. */
export const monthLabelSql = (at: string): string => `to_char(${at} at time zone 'UTC', 'YYYY-MM')`

/**
 * The channel of one event (alias `e`): its campaign (UTM) labelled `source / medium` as the
 * profile's `campaigns.channels` are, else `<referrer host> / referral`, else null.
 */
export const eventChannelSql = (e: string): string => `
  case
    when ${e}.payload->'context'->'campaign' ?| array['source', 'medium', 'name']
      then coalesce(nullif(${e}.payload->'context'->'campaign'->>'source', ''), '(none)') || ' / ' || coalesce(nullif(${e}.payload->'context'->'campaign'->>'medium', ''), '(none)')
    when substring(${e}.payload->'context'->'page'->>'referrer' from '^[A-Za-z][A-Za-z0-9+.-]*://([^/:?#]+)') is not null
      then lower(substring(${e}.payload->'context'->'page'->>'referrer' from '^[A-Za-z][A-Za-z0-9+.-]*://([^/:?#]+)')) || ' / referral'
  end`
