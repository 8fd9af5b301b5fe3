import {
  computeAov,
  computeFunnel,
  computeRepeatPurchaseRate,
  defaultRfmSegments,
  emptyProfile,
  eventTimeMs,
  reduceProfile,
} from '@ecrm/core'
import type { CustomerProfile, EcrmEvent, FunnelEvent, Order } from '@ecrm/core'
import type { Store } from '@ecrm/node'
import { estimateClv } from './clvEstimate.js'
import type { ClvResult } from './clvEstimate.js'

/** The funnel the dashboard shows, in order (Segment e-commerce v2 names). */
export const FUNNEL_STEPS = ['Product Viewed', 'Product Added', 'Checkout Started', 'Order Completed'] as const

/** One customer row of the dashboard. */
export interface CustomerRow {
  /** The store's customer id, or `anon:<anonymousId>` for a visitor never identified. */
  readonly id: string
  readonly isIdentified: boolean
  readonly email: string | null
  readonly name: string | null
  readonly userIds: readonly string[]
  readonly anonymousIds: readonly string[]
  readonly orders: number
  /** Net revenue in EUR (major units). */
  readonly revenue: number
  readonly lastSeenAt: number | null
  readonly events: number
  readonly rfm: {
    readonly segment: string
    readonly label: string
    readonly r: number
    readonly f: number
    readonly m: number
  } | null
  readonly lead: {
    readonly score: number
    readonly grade: string
    readonly stage: string
    readonly why: readonly string[]
  }
  /** BG/NBD P(alive), or null when the model is not fitted. */
  readonly probabilityAlive: number | null
  /** CLV in EUR: predicted (model) or historic, see {@link DashboardData.clv}. */
  readonly clv: number
  /** Rules fired for this customer, by rule id. */
  readonly firings: Readonly<Record<string, number>>
}

/** One rule firing as the dashboard lists it. */
export interface FiringRow {
  readonly ruleId: string
  readonly event: string
  readonly at: number
  /** Who: the customer's email, else a short anonymous id. */
  readonly who: string
  readonly customerId: string
  /** e.g. the product that was left in the cart. */
  readonly detail: string
}

/** Everything `/dashboard` and `/dashboard.json` show. */
export interface DashboardData {
  /** Epoch ms the numbers were computed at. */
  readonly now: number
  readonly totals: {
    readonly events: number
    readonly customers: number
    readonly identified: number
    readonly visitors: number
  }
  readonly customers: readonly CustomerRow[]
  readonly firings: readonly FiringRow[]
  readonly pendingRules: readonly { readonly ruleId: string; readonly who: string; readonly dueAt: number }[]
  readonly kpis: {
    readonly funnel: readonly {
      readonly step: string
      readonly customers: number
      readonly rateFromStart: number
      readonly rateFromPrevious: number
    }[]
    /** Product Viewed → Order Completed, in [0, 1]. */
    readonly conversion: number
    /** AOV in EUR and the orders and revenue it is from. */
    readonly aov: { readonly orders: number; readonly revenue: number; readonly aov: number }
    readonly repeatRate: { readonly numerator: number; readonly denominator: number; readonly rate: number }
    readonly segments: Readonly<Record<string, number>>
  }
  readonly clv: Omit<ClvResult, 'byCustomer'>
  /** Events per minute over the last 30 minutes, oldest first: `[minuteStartMs, shopper events, orders]`. */
  readonly timeline: readonly (readonly [number, number, number])[]
}

/** Options of {@link computeDashboard}. */
export interface DashboardOptions {
  readonly now: number
  /** Real ms per "day" of the CLV models (the demo compresses time so a live session has history). */
  readonly clvDayMs: number
  /** The rules' armed timers (from the rule runner). */
  readonly pending?: readonly { readonly ruleId: string; readonly customerId: string; readonly dueAt: number }[]
}

/** The derived columns the store keeps on each profile (migration 3). */
interface DerivedRow {
  customer_id: string
  rfm_r: number | null
  rfm_f: number | null
  rfm_m: number | null
  rfm_segment: string | null
  lead_score: number | null
  lead_grade: string | null
  lead_stage: string | null
  clv_p_alive: number | null
  clv_value: number | null
  reasons: { id: string; points: number }[] | null
}

const rfmLabels = new Map(defaultRfmSegments.map((segment) => [segment.id, segment.label]))

/**
 * Computes the dashboard from the store, no mock data: every stored event is folded into the
 * profile of its customer (identities as the store unified them; visitors never identified are
 * one customer per anonymous id) for the KPIs and the rule firings; RFM, lead score, P(alive)
 * and CLV are read from the columns the store derived (`rfm_segment`, `lead_grade`,
 * `clv_p_alive`, ...). The CLV panel still summarises the demo's compressed-time model.
 */
export async function computeDashboard(store: Pick<Store, 'query'>, options: DashboardOptions): Promise<DashboardData> {
  const { now } = options
  const [rows, identities, derivedRows, firingRows] = await Promise.all([
    store.query<{ payload: EcrmEvent }>('select payload from ecrm_events order by occurred_at, message_id'),
    store.query<{ kind: string; value: string; customer_id: string }>(
      'select kind, value, customer_id from ecrm_identities',
    ),
    store.query<DerivedRow>(
      `select customer_id, rfm_r, rfm_f, rfm_m, rfm_segment, lead_score, lead_grade, lead_stage, clv_p_alive, clv_value,
              profile->'lead'->'reasons' as reasons from ecrm_profiles`,
    ),
    // Firings are the runner's records (ecrm_firings), not shopper events.
    store.query<{
      customer_id: string
      rule_id: string
      fired_at: string | Date
      payload: { event: string; properties: Record<string, unknown> }
    }>('select customer_id, rule_id, fired_at, payload from ecrm_firings order by fired_at, firing_id'),
  ])
  const derived = new Map(derivedRows.map((row) => [row.customer_id, row]))
  const ownerOf = new Map(identities.map((row) => [`${row.kind}:${row.value}`, row.customer_id]))
  const keyOf = (event: EcrmEvent): string =>
    (event.userId !== undefined ? ownerOf.get(`user_id:${event.userId}`) : undefined) ??
    (event.anonymousId !== undefined ? ownerOf.get(`anonymous_id:${event.anonymousId}`) : undefined) ??
    (event.anonymousId !== undefined ? `anon:${event.anonymousId}` : `user:${event.userId ?? 'unknown'}`)

  const profiles = new Map<string, CustomerProfile>()
  const funnelEvents: FunnelEvent[] = []
  const orders: Order[] = []
  for (const { payload: event } of rows) {
    const key = keyOf(event)
    const at = eventTimeMs(event) ?? now
    profiles.set(key, reduceProfile(profiles.get(key) ?? emptyProfile(key), event, { now }))
    if (event.type !== 'track') continue
    funnelEvents.push({ customerId: key, event: event.event, at })
    const total = event.properties?.['total'] ?? event.properties?.['revenue']
    const orderId = event.properties?.['order_id']
    if (event.event === 'Order Completed' && typeof total === 'number' && typeof orderId === 'string') {
      orders.push({ customerId: key, orderId, at, total })
    }
  }

  const all = [...profiles.values()]
  const clv = estimateClv(orders, { now, dayMs: options.clvDayMs })
  const firingsBy = new Map<string, Record<string, number>>()
  const labelOf = (key: string): string => {
    const profile = profiles.get(key)
    const email = profile === undefined ? null : emailOf(profile)
    return email ?? `visitor ${key.replace(/^anon:/, '').slice(0, 8)}`
  }
  const firings: FiringRow[] = firingRows.map((row) => {
    // The rule keyed the customer by a user or anonymous id (its customerKey).
    const key =
      ownerOf.get(`user_id:${row.customer_id}`) ??
      ownerOf.get(`anonymous_id:${row.customer_id}`) ??
      `anon:${row.customer_id}`
    const event = {
      type: 'track',
      messageId: row.rule_id,
      event: row.payload.event,
      properties: row.payload.properties,
    } as EcrmEvent & { type: 'track' }
    const counts = firingsBy.get(key) ?? {}
    counts[row.rule_id] = (counts[row.rule_id] ?? 0) + 1
    firingsBy.set(key, counts)
    return {
      ruleId: row.rule_id,
      event: event.event,
      at: new Date(row.fired_at).getTime(),
      who: labelOf(key),
      customerId: key,
      detail: detailOf(event),
    }
  })

  const customers: CustomerRow[] = all
    .map((profile) => {
      const row = derived.get(profile.id)
      const value = clv.byCustomer.get(profile.id)
      const name = profile.traits['name']
      return {
        id: profile.id,
        isIdentified: profile.identities.userIds.length > 0,
        email: emailOf(profile),
        name: typeof name === 'string' ? name : null,
        userIds: profile.identities.userIds,
        anonymousIds: profile.identities.anonymousIds,
        orders: profile.money.orderCount,
        revenue: round2(profile.money.revenue),
        lastSeenAt: profile.lastSeenAt,
        events: Object.values(profile.events.totals).reduce((sum, count) => sum + count, 0),
        rfm: rfmOf(row),
        lead: {
          score: row?.lead_score ?? 0,
          grade: row?.lead_grade ?? '—',
          stage: row?.lead_stage ?? 'lead',
          why: (row?.reasons ?? [])
            .slice(0, 4)
            .map((reason) => `${reason.points > 0 ? '+' : ''}${reason.points} ${reason.id}`),
        },
        // Stored by the store's refresh (BG/NBD on the base); historic value until one could fit.
        probabilityAlive: row?.clv_p_alive ?? null,
        clv: round2(row?.clv_value ?? value?.clv ?? 0),
        firings: firingsBy.get(profile.id) ?? {},
      }
    })
    .sort((a, b) => Number(b.isIdentified) - Number(a.isIdentified) || (b.lastSeenAt ?? 0) - (a.lastSeenAt ?? 0))

  const funnel = computeFunnel(funnelEvents, FUNNEL_STEPS)
  const segments: Record<string, number> = {}
  for (const customer of customers)
    if (customer.rfm !== null) segments[customer.rfm.label] = (segments[customer.rfm.label] ?? 0) + 1
  const { byCustomer: _values, ...clvSummary } = clv
  const identified = customers.filter((customer) => customer.isIdentified).length
  return {
    now,
    totals: { events: rows.length, customers: customers.length, identified, visitors: customers.length - identified },
    customers,
    firings: firings.reverse(),
    pendingRules: (options.pending ?? []).map((entry) => ({
      ruleId: entry.ruleId,
      who: pendingWho(entry.customerId, ownerOf, labelOf),
      dueAt: entry.dueAt,
    })),
    kpis: {
      funnel,
      conversion: funnel[funnel.length - 1]?.rateFromStart ?? 0,
      aov: roundAov(computeAov(orders)),
      repeatRate: computeRepeatPurchaseRate(orders),
      segments,
    },
    clv: clvSummary,
    timeline: timelineOf(funnelEvents, orders, now),
  }
}

function rfmOf(row: DerivedRow | undefined): CustomerRow['rfm'] {
  if (row?.rfm_segment == null || row.rfm_r === null || row.rfm_f === null || row.rfm_m === null) return null
  return {
    segment: row.rfm_segment,
    label: rfmLabels.get(row.rfm_segment) ?? row.rfm_segment,
    r: row.rfm_r,
    f: row.rfm_f,
    m: row.rfm_m,
  }
}

function emailOf(profile: CustomerProfile): string | null {
  const trait = profile.traits['email']
  return typeof trait === 'string'
    ? trait
    : (profile.identities.emails[0] ?? profile.identities.userIds.find((id) => id.includes('@')) ?? null)
}

function detailOf(event: EcrmEvent & { type: 'track' }): string {
  const trigger = event.properties?.['trigger_properties']
  const campaign = event.properties?.['campaign']
  const product =
    event.event === 'Cart Abandoned' && typeof trigger === 'object' && trigger !== null && !Array.isArray(trigger)
      ? trigger['name']
      : undefined
  return [typeof campaign === 'string' ? campaign : null, typeof product === 'string' ? `left ${product}` : null]
    .filter(Boolean)
    .join(' · ')
}

/** Pending timers name the customer by the id their rule keys by (user id or anonymous id). */
function pendingWho(id: string, ownerOf: Map<string, string>, labelOf: (key: string) => string): string {
  const owner = ownerOf.get(`user_id:${id}`) ?? ownerOf.get(`anonymous_id:${id}`)
  return owner !== undefined ? labelOf(owner) : labelOf(`anon:${id}`)
}

function timelineOf(events: readonly FunnelEvent[], orders: readonly Order[], now: number): [number, number, number][] {
  const minute = 60_000
  const end = Math.floor(now / minute) * minute
  const buckets: [number, number, number][] = Array.from({ length: 30 }, (_, index) => [
    end - (29 - index) * minute,
    0,
    0,
  ])
  const start = buckets[0]?.[0] ?? end
  for (const event of events) {
    const bucket = buckets[Math.floor((event.at - start) / minute)]
    if (bucket !== undefined) bucket[1] += 1
  }
  for (const order of orders) {
    const bucket = buckets[Math.floor((order.at - start) / minute)]
    if (bucket !== undefined) bucket[2] += 1
  }
  return buckets
}

const round2 = (value: number): number => Math.round(value * 100) / 100
const roundAov = (result: {
  orders: number
  revenue: number
  aov: number
}): { orders: number; revenue: number; aov: number } => ({
  orders: result.orders,
  revenue: round2(result.revenue),
  aov: round2(result.aov),
})
