import { messageEventNames, SESSION_GAP_MS, toRate } from '@ecrm/core'
import type { Rate } from '@ecrm/core'
import { customerOfEvent } from '../store/eventSql.js'
import { eventChannelSql, inSegment, scopeParams } from './kpiScope.js'
import type { KpiScope, KpiStore } from './kpiScope.js'

/** Conversion of one channel or campaign. */
export interface ConversionRow extends Rate {
  /** `source / medium` (as the profile's `campaigns.channels`), `<host> / referral`, or `(direct) / (none)`. */
  readonly key: string
}

/** What {@link queryConversion} returns. */
export interface ConversionKpis {
  /** Visits with an `Order Completed` ÷ visits. */
  readonly overall: Rate
  /** Per channel of the visit, most visits first. */
  readonly byChannel: ConversionRow[]
  /** Per campaign name (`context.campaign.name`) of the visit, most visits first; visits without one are left out. */
  readonly byCampaign: ConversionRow[]
}

/** A visit with no campaign and no referrer. */
export const DIRECT_CHANNEL = '(direct) / (none)'

// Visits as the profile counts them: one per `context.sessionId`, and for events without one the
// runs of events no more than the session gap apart. Messages the server recorded are not visits.
const sql = `
  with ev as (
    select e_id.customer_id, e.occurred_at, e.message_id, e.event, e.payload->'context'->>'sessionId' as session_id,
           ${eventChannelSql('e')} as channel, nullif(e.payload->'context'->'campaign'->>'name', '') as campaign
      from ecrm_events e ${customerOfEvent('e')}
     where e.type in ('track', 'page', 'screen') and e.occurred_at >= $1::timestamptz and e.occurred_at < $2::timestamptz
       and (e.event is null or not (e.event = any($4::text[]))) and ${inSegment('e_id.customer_id')}
  ),
  gaps as (
    select ev.*, lag(occurred_at) over (partition by customer_id order by occurred_at, message_id) as previous_at
      from ev where session_id is null
  ),
  hits as (
    select customer_id, occurred_at, message_id, event, channel, campaign,
           'g' || sum(case when previous_at is null or occurred_at - previous_at > make_interval(secs => $5::float8) then 1 else 0 end)
                    over (partition by customer_id order by occurred_at, message_id) as visit
      from gaps
    union all
    select customer_id, occurred_at, message_id, event, channel, campaign, 's' || session_id from ev where session_id is not null
  ),
  visits as (
    select coalesce((array_agg(channel order by occurred_at, message_id) filter (where channel is not null))[1], $6) as channel,
           (array_agg(campaign order by occurred_at, message_id) filter (where campaign is not null))[1] as campaign,
           bool_or(event = 'Order Completed') as converted
      from hits group by customer_id, visit
  )
  select channel, campaign, count(*)::float8 as visits, count(*) filter (where converted)::float8 as conversions
    from visits group by channel, campaign`

/**
 * Session conversion rate, overall, by channel and by campaign, from the stored events: each visit
 * (a `context.sessionId`, else events at most 30 minutes apart, as the profile counts sessions)
 * takes the channel of its first event with a campaign (UTM) or a referrer, and converts when it
 * holds an `Order Completed`. Rates come from core's `toRate`, as `computeConversionByChannel`'s.
 * Not guaranteed: a visit crossing `from` or `to` is cut there.
 *
 * @example
 * const { overall, byChannel } = await queryConversion(store, { from, to })
 */
export async function queryConversion(store: KpiStore, scope: KpiScope): Promise<ConversionKpis> {
  const rows = await store.query<{ channel: string; campaign: string | null; visits: number; conversions: number }>(
    sql,
    [
      ...scopeParams(scope, 'queryConversion()'),
      Object.values(messageEventNames),
      SESSION_GAP_MS / 1000,
      DIRECT_CHANNEL,
    ],
  )
  const sum = (key: (row: (typeof rows)[number]) => string | null): ConversionRow[] => {
    const totals = new Map<string, { visits: number; conversions: number }>()
    for (const row of rows) {
      const name = key(row)
      if (name === null) continue
      const total = totals.get(name) ?? { visits: 0, conversions: 0 }
      total.visits += Number(row.visits)
      total.conversions += Number(row.conversions)
      totals.set(name, total)
    }
    return [...totals]
      .map(([name, total]) => ({ key: name, ...toRate(total.conversions, total.visits) }))
      .sort((a, b) => b.denominator - a.denominator || (a.key < b.key ? -1 : 1))
  }
  const visits = rows.reduce((total, row) => total + Number(row.visits), 0)
  const conversions = rows.reduce((total, row) => total + Number(row.conversions), 0)
  return {
    overall: toRate(conversions, visits),
    byChannel: sum((row) => row.channel),
    byCampaign: sum((row) => row.campaign),
  }
}
