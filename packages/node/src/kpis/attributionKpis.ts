import { attributeConversions } from '@ecrm/core'
import type { AttributionModel, Conversion, Touchpoint } from '@ecrm/core'
import { customerOfEvent } from '../store/eventSql.js'
import { eventChannelSql, ordersCte, scopeParams } from './kpiScope.js'
import type { KpiScope, KpiStore } from './kpiScope.js'

/** Options of {@link queryAttribution}. */
export interface AttributionQueryOptions {
  /** Touchpoints older than this before an order are ignored, ms. @default 30 days */
  readonly lookbackMs?: number
  /** Half-life of the `time_decay` model, ms. @default 7 days (core's default) */
  readonly halfLifeMs?: number
  /** Orders read per page; memory is bounded by a page's orders and their touchpoints. @default 1000 */
  readonly pageSize?: number
}

/** Credited revenue of one channel under one model. */
export interface ChannelCredit {
  readonly channel: string
  /** Share of the orders' revenue credited, major units. */
  readonly value: number
}

/** What {@link queryAttribution} returns. */
export interface AttributionKpis {
  /** Orders of the period with at least one touchpoint in their lookback (the others credit nobody). */
  readonly attributedOrders: number
  /** Orders of the period with no touchpoint. */
  readonly unattributedOrders: number
  /** Per model, channels by credited value, largest first. */
  readonly models: Readonly<Record<AttributionModel, ChannelCredit[]>>
}

const MODELS: readonly AttributionModel[] = ['first_touch', 'last_touch', 'linear', 'time_decay', 'position_based']
const DAY_MS = 86_400_000

const ordersPage = `
  with ${ordersCte('$1::timestamptz')}
  select customer_id, order_id, amount, extract(epoch from at) * 1000 as at from orders
   where (customer_id, order_id) > ($4::text, $5::text)
   order by customer_id, order_id limit $6`

const touchesSql = `
  select t_id.customer_id, ${eventChannelSql('t')} as channel, extract(epoch from t.occurred_at) * 1000 as at
    from ecrm_events t ${customerOfEvent('t')}
   where t_id.customer_id = any($1::text[]) and t.occurred_at >= $2::timestamptz and t.occurred_at <= $3::timestamptz
     and ${eventChannelSql('t')} is not null
   order by t.occurred_at, t.message_id`

/**
 * Multi-touch attribution of the period's orders from stored touchpoints (events with a campaign
 * or a referrer, as conversion by channel reads them), under the five models of core's
 * `attributeConversions`: orders are read a page at a time with their customers' touchpoints
 * (across identity merges) and each page is credited by core, so memory is bounded by the page.
 *
 * @example
 * const { models } = await queryAttribution(store, { from, to }, { lookbackMs: 30 * 86_400_000 })
 * models.position_based // [{ channel: 'google / cpc', value: 1234.5 }, ...]
 */
export async function queryAttribution(
  store: KpiStore,
  scope: KpiScope,
  options: AttributionQueryOptions = {},
): Promise<AttributionKpis> {
  const { lookbackMs = 30 * DAY_MS, pageSize = 1000 } = options
  const params = scopeParams(scope, 'queryAttribution()')
  const totals = new Map<AttributionModel, Map<string, number>>(MODELS.map((model) => [model, new Map()]))
  let attributedOrders = 0
  let unattributedOrders = 0
  let after: [string, string] = ['', '']
  for (;;) {
    const orders = await store.query<{ customer_id: string; order_id: string; amount: number; at: number }>(
      ordersPage,
      [...params, ...after, pageSize],
    )
    if (orders.length === 0) break
    const last = orders[orders.length - 1] as (typeof orders)[number]
    after = [last.customer_id, last.order_id]
    const times = orders.map((order) => Number(order.at))
    const touches = await store.query<{ customer_id: string; channel: string; at: number }>(touchesSql, [
      [...new Set(orders.map((order) => order.customer_id))],
      new Date(Math.min(...times) - lookbackMs).toISOString(),
      new Date(Math.max(...times)).toISOString(),
    ])
    const byCustomer = new Map<string, Touchpoint[]>()
    for (const touch of touches) {
      const list = byCustomer.get(touch.customer_id) ?? []
      list.push({ channel: touch.channel, at: Number(touch.at) })
      byCustomer.set(touch.customer_id, list)
    }
    const conversions: Conversion[] = []
    for (const order of orders) {
      const at = Number(order.at)
      const path = (byCustomer.get(order.customer_id) ?? []).filter(
        (touch) => touch.at <= at && touch.at >= at - lookbackMs,
      )
      if (path.length === 0) unattributedOrders += 1
      else {
        attributedOrders += 1
        conversions.push({ touchpoints: path, at, value: Number(order.amount) })
      }
    }
    for (const model of MODELS) {
      const credits = attributeConversions(conversions, {
        model,
        lookbackMs,
        ...(options.halfLifeMs === undefined ? {} : { halfLifeMs: options.halfLifeMs }),
      })
      const total = totals.get(model) as Map<string, number>
      for (const [channel, value] of credits) total.set(channel, (total.get(channel) ?? 0) + value)
    }
    if (orders.length < pageSize) break
  }
  const ranked = (credits: Map<string, number>): ChannelCredit[] =>
    [...credits]
      .map(([channel, value]) => ({ channel, value }))
      .sort((a, b) => b.value - a.value || (a.channel < b.channel ? -1 : 1))
  const models = Object.fromEntries(
    MODELS.map((model) => [model, ranked(totals.get(model) as Map<string, number>)]),
  ) as Record<AttributionModel, ChannelCredit[]>
  return { attributedOrders, unattributedOrders, models }
}
