import { EcrmError } from '@ecrm/core'
import type { Store } from '../store/storeTypes.js'

/** Customer acquisition cost of one channel over a period. */
export interface ChannelCac {
  /** The spend file's channel, matched to the customers' first-touch `utm_source` (lower case); `(direct)` for customers without one. */
  readonly channel: string
  /** The spend's currency; null for a channel that acquired customers without any spend recorded. */
  readonly currency: string | null
  /** Spend over the period, currency units (days that start in it). */
  readonly spend: number
  /** Customers whose first completed order fell in the period, first touched by this channel. */
  readonly customers: number
  /** `spend / customers`; null when the channel acquired no customer (spend without a result). */
  readonly cac: number | null
}

/** The period of {@link cacByChannel}: `[from, to)`, epoch ms. */
export interface CacPeriod {
  readonly from: number
  readonly to: number
}

const sql = `
  with spend as (
    select lower(channel) as channel, nullif(currency, '') as currency, sum(amount)::float8 as spend
      from ecrm_spend
     where (day::timestamp at time zone 'UTC') >= $1::timestamptz and (day::timestamp at time zone 'UTC') < $2::timestamptz
     group by 1, 2
  ),
  acquired as (
    select lower(coalesce(nullif(p.profile->'campaigns'->'firstTouch'->>'source', ''), '(direct)')) as channel,
           count(*)::int as customers
      from ecrm_profiles p
     where jsonb_typeof(p.profile->'money'->'firstOrderAt') = 'number'
       and (p.profile->'money'->>'firstOrderAt')::float8 >= $3 and (p.profile->'money'->>'firstOrderAt')::float8 < $4
     group by 1
  )
  select coalesce(s.channel, a.channel) as channel, s.currency, coalesce(s.spend, 0)::float8 as spend,
         coalesce(a.customers, 0)::int as customers
    from spend s full outer join acquired a on a.channel = s.channel
   order by 1, 2`

/**
 * CAC per channel over a period, in the database: the imported spend (`ecrm import spend.csv`,
 * table `ecrm_spend`) of each channel divided by the new customers it acquired, a new customer
 * being one whose first completed order fell in the period and whose acquisition channel is the
 * profile's first campaign touch (`campaigns.firstTouch.source`, i.e. the first stored
 * `context.campaign.source`, the `utm_source`). One row per channel and spend currency, by channel;
 * an empty array for a period with neither spend nor new customers. Throws `EcrmError`
 * `invalid_options` for a period that is not finite or runs backwards.
 *
 * @example
 * const rows = await cacByChannel(store, { from: Date.UTC(2024, 0, 1), to: Date.UTC(2024, 3, 1) })
 * // [{ channel: 'google', currency: 'EUR', spend: 1500, customers: 30, cac: 50 }, ...]
 */
export async function cacByChannel(store: Pick<Store, 'query'>, period: CacPeriod): Promise<ChannelCac[]> {
  for (const name of ['from', 'to'] as const) {
    if (!Number.isFinite(period[name]))
      throw new EcrmError(
        'invalid_options',
        `cacByChannel() failed: ${name} (got ${String(period[name])}; pass epoch ms)`,
      )
  }
  if (period.to < period.from)
    throw new EcrmError(
      'invalid_options',
      `cacByChannel() failed: to (${period.to} is before from ${period.from}; periods are [from, to))`,
    )
  const rows = await store.query<{ channel: string; currency: string | null; spend: number; customers: number }>(sql, [
    new Date(period.from).toISOString(),
    new Date(period.to).toISOString(),
    period.from,
    period.to,
  ])
  return rows.map((row) => {
    const spend = Number(row.spend)
    const customers = Number(row.customers)
    return {
      channel: row.channel,
      currency: row.currency,
      spend,
      customers,
      cac: customers > 0 ? spend / customers : null,
    }
  })
}
