import { messageEventNames } from '@ecrm/core'
import { customerOfEvent, orderAmountOfEvent, orderIdOfEvent } from '../store/eventSql.js'
import type { Store } from '../store/storeTypes.js'

/** Options of {@link messageStats}. */
export interface MessageStatsOptions {
  /** Only messages of this rule (`properties.rule_id`). @default every rule */
  readonly ruleId?: string
  /** Only messages of this campaign (`properties.campaign`). @default every campaign */
  readonly campaign?: string
  /** Messages sent at or after this time, epoch ms. */
  readonly from: number
  /** Messages sent before this time, epoch ms. */
  readonly to: number
  /** An `Order Completed` up to this many days after a message converts it. @default 7 */
  readonly conversionWindowDays?: number
}

/** What {@link messageStats} counted. */
export interface MessageStats {
  /** Messages with a `Message Sent` in the period (each message once). */
  readonly sent: number
  /** Of those, messages a provider reported delivered. */
  readonly delivered: number
  /** Of those, messages a provider reported bounced. */
  readonly bounced: number
  /** Of those, messages opened at least once (unique opens). */
  readonly opened: number
  /** Of those, messages with at least one link clicked (unique clicks). */
  readonly clicked: number
  /** Of those, messages whose unsubscribe link was used. */
  readonly unsubscribed: number
  /** Customers with an `Order Completed` within the window after one of the messages. */
  readonly converted: number
  /**
   * Totals of those orders (`total`, else `revenue`; each order once), in major units, by
   * currency (`XXX` for orders without one).
   */
  readonly revenue: Readonly<Record<string, number>>
}

const statsSql = `
  with sent as (
    select s.payload->'properties'->>'message_id' as message_id, min(s_id.customer_id) as customer_id, min(s.occurred_at) as sent_at
      from ecrm_events s ${customerOfEvent('s')}
     where s.event = $1 and s.occurred_at >= $2 and s.occurred_at < $3
       and ($4::text is null or s.payload->'properties'->>'rule_id' = $4)
       and ($5::text is null or s.payload->'properties'->>'campaign' = $5)
       and s.payload->'properties'->>'message_id' is not null
     group by 1
  ),
  answers as (
    select distinct r.event, r.payload->'properties'->>'message_id' as message_id
      from ecrm_events r
     where r.event = any($7::text[]) and r.payload->'properties'->>'message_id' in (select message_id from sent)
  ),
  orders as (
    select distinct on (${orderIdOfEvent('o')})
           ${orderIdOfEvent('o')} as order_id, o_id.customer_id,
           coalesce(upper(o.payload->'properties'->>'currency'), 'XXX') as currency,
           ${orderAmountOfEvent('o')} as amount,
           o.occurred_at
      from ecrm_events o ${customerOfEvent('o')}
     where o.event = 'Order Completed' and o.occurred_at >= $2 and o_id.customer_id in (select customer_id from sent)
     order by ${orderIdOfEvent('o')}, o.occurred_at
  ),
  converted as (
    select distinct o.order_id, o.customer_id, o.currency, o.amount
      from orders o join sent s on s.customer_id = o.customer_id
       and o.occurred_at > s.sent_at and o.occurred_at <= s.sent_at + make_interval(days => $6::int)
  )
  select 'sent' as name, null as currency, count(*)::float8 as value from sent
  union all select a.event, null, count(*)::float8 from answers a group by a.event
  union all select 'converted', null, count(distinct customer_id)::float8 from converted
  union all select 'revenue', currency, sum(amount) from converted group by currency`

const answerEvents = [
  messageEventNames.delivered,
  messageEventNames.bounced,
  messageEventNames.opened,
  messageEventNames.clicked,
  messageEventNames.unsubscribed,
]

/**
 * Counts what messages did, in the database (PGlite or PostgreSQL): the messages sent in
 * `[from, to)` (of one rule or campaign if asked), how many were delivered, bounced, opened,
 * clicked and unsubscribed from, and the customers who ordered within `conversionWindowDays`
 * after one of them, with those orders' revenue. Read from the stored events (`Message Sent`
 * written by the sender, the responses by the collector's message routes), matched by
 * `properties.message_id`. Not guaranteed: a conversion is attributed to every message before
 * it in the window (no last-touch split), and an order's `products` are not summed when it has
 * neither `total` nor `revenue`.
 *
 * @example
 * const stats = await messageStats(store, { ruleId: 'win_back', from: Date.parse('2026-03-01'), to: Date.now(), conversionWindowDays: 7 })
 * stats.opened / stats.sent // open rate
 */
export async function messageStats(store: Pick<Store, 'query'>, options: MessageStatsOptions): Promise<MessageStats> {
  const { from, to, conversionWindowDays = 7 } = options
  for (const [name, value] of [
    ['from', from],
    ['to', to],
    ['conversionWindowDays', conversionWindowDays],
  ] as const) {
    if (!Number.isFinite(value))
      throw new TypeError(`messageStats: options.${name} must be a finite number (got ${String(value)})`)
  }
  const rows = await store.query<{ name: string; currency: string | null; value: number }>(statsSql, [
    messageEventNames.sent,
    new Date(from).toISOString(),
    new Date(to).toISOString(),
    options.ruleId ?? null,
    options.campaign ?? null,
    Math.round(conversionWindowDays),
    answerEvents,
  ])
  const count = (name: string): number => Number(rows.find((row) => row.name === name)?.value ?? 0)
  const revenue: Record<string, number> = {}
  for (const row of rows) if (row.name === 'revenue' && row.currency !== null) revenue[row.currency] = Number(row.value)
  return {
    sent: count('sent'),
    delivered: count(messageEventNames.delivered),
    bounced: count(messageEventNames.bounced),
    opened: count(messageEventNames.opened),
    clicked: count(messageEventNames.clicked),
    unsubscribed: count(messageEventNames.unsubscribed),
    converted: count('converted'),
    revenue,
  }
}
