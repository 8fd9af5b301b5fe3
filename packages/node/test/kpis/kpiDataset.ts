import type { DeriveConfig, EcrmEvent } from '@ecrm/core'

/** The scripted shop of the KPI tests: March 2026 is the period, February the one before. */
export const T = Date.UTC(2026, 2, 1)
/** End of the period (exclusive): 1 April 2026. */
export const END = T + 31 * 86_400_000
const D = 86_400_000
const H = 3_600_000
const M = 60_000

/** `big_spenders`: customers with ≥ 100 of revenue (only Ada, 150). */
export const kpiDerive: DeriveConfig = {
  segments: { big_spenders: { name: 'Big spenders', when: { '>=': [{ var: 'money.revenue' }, 100] } } },
}

let sequence = 0
type Ids = { readonly userId?: string; readonly anonymousId?: string }
type Context = Record<string, unknown>

function track(
  ids: Ids,
  event: string,
  at: number,
  properties: Record<string, unknown>,
  context: Context = {},
): EcrmEvent {
  sequence += 1
  return {
    type: 'track',
    messageId: `kpi-${sequence}`,
    ...ids,
    event,
    properties,
    context,
    timestamp: new Date(at).toISOString(),
  } as EcrmEvent
}

function page(ids: Ids, at: number, context: Context): EcrmEvent {
  sequence += 1
  return {
    type: 'page',
    messageId: `kpi-${sequence}`,
    ...ids,
    properties: {},
    context,
    timestamp: new Date(at).toISOString(),
  } as EcrmEvent
}

const spring = { source: 'google', medium: 'cpc', name: 'spring' }
const session = (sessionId: string, extra: Context = {}): Context => ({ sessionId, ...extra })
const ada = { userId: 'ada' }
const bob = { userId: 'bob' }
const cy = { userId: 'cy' }
const order = (ids: Ids, at: number, orderId: string, total: number, context: Context = {}): EcrmEvent =>
  track(ids, 'Order Completed', at, { order_id: orderId, total, currency: 'EUR' }, context)

/**
 * The events, in the documented shapes (docs/event-model.md), one visit per `sessionId`:
 *
 * | visit | customer | events | channel | converts |
 * |---|---|---|---|---|
 * | 1 | ada | page (UTM google/cpc spring), Experiment Viewed cta=a, Order o1 100 | google / cpc | yes |
 * | 2 | ada | page, Order o2 50 (sent twice) | direct | yes |
 * | 3 | ada | Survey nps 10 | direct | no |
 * | 4 | bob | page from news.example.org, Experiment Viewed cta=a | news.example.org / referral | no |
 * | 5 | bob | Survey nps 6, Survey csat 4 | direct | no |
 * | 6 | cy | Signed Up (UTM google/cpc spring) | google / cpc | no |
 * | 7 | cy | page from news.example.org | news.example.org / referral | no |
 * | 8 | cy | Order o3 30 | direct | yes |
 * | 9 | dee | Experiment Viewed cta=b as anon-dee, identify, Order o4 20 (no sessionId: one 30-min run) | direct | yes |
 *
 * Outside March: ada's Lead Captured (26 Feb, 10:05), bob's order o0 30 (19 Feb), dee's order
 * o-1 40 (9 Feb), cy's csat 2 (5 April).
 */
export function kpiEvents(): EcrmEvent[] {
  const anonDee = { anonymousId: 'anon-dee' }
  return [
    // Before the period.
    track(ada, 'Lead Captured', T - 3 * D + 10 * H + 5 * M, { email: 'ada@shop.example', form_id: 'newsletter' }),
    order(bob, T - 10 * D, 'o0', 30),
    order({ userId: 'dee' }, T - 20 * D, 'o-1', 40),
    // Visit 1
    page(ada, T + D + 10 * H, session('s-ada-1', { campaign: spring })),
    track(
      ada,
      'Experiment Viewed',
      T + D + 10 * H + M,
      { experiment_id: 'cta', variation_id: 'a' },
      session('s-ada-1'),
    ),
    order(ada, T + D + 10 * H + 5 * M, 'o1', 100, session('s-ada-1')),
    // Visit 2: o2 delivered twice (at-least-once), counted once.
    page(ada, T + 10 * D, session('s-ada-2')),
    order(ada, T + 10 * D + 5 * M, 'o2', 50, session('s-ada-2')),
    order(ada, T + 10 * D + 5 * M, 'o2', 50, session('s-ada-2')),
    // Visit 3
    track(ada, 'Survey Responded', T + 11 * D, { survey_id: 'q1', type: 'nps', score: 10 }, session('s-ada-3')),
    // Visit 4
    page(
      bob,
      T + 2 * D,
      session('s-bob-1', { page: { path: '/', url: 'https://shop.example/', referrer: 'https://News.example.org/a' } }),
    ),
    track(bob, 'Experiment Viewed', T + 2 * D + M, { experiment_id: 'cta', variation_id: 'a' }, session('s-bob-1')),
    // Visit 5
    track(bob, 'Survey Responded', T + 3 * D, { survey_id: 'q1', type: 'nps', score: 6 }, session('s-bob-2')),
    track(bob, 'Survey Responded', T + 3 * D + M, { survey_id: 'q2', type: 'csat', score: 4 }, session('s-bob-2')),
    // Visit 6: the sign-up that starts cy's sales cycle, on the spring campaign.
    track(cy, 'Signed Up', T + 3 * D, {}, session('s-cy-1', { campaign: spring })),
    // Visit 7
    page(
      cy,
      T + 4 * D,
      session('s-cy-2', { page: { path: '/', url: 'https://shop.example/', referrer: 'https://news.example.org/x' } }),
    ),
    // Visit 8
    order(cy, T + 5 * D, 'o3', 30, session('s-cy-3')),
    // Visit 9: exposed anonymously, then identified: the exposure and the order meet under one customer.
    track(anonDee, 'Experiment Viewed', T + 4 * D, { experiment_id: 'cta', variation_id: 'b' }),
    {
      type: 'identify',
      messageId: 'kpi-identify-dee',
      userId: 'dee',
      anonymousId: 'anon-dee',
      traits: {},
      timestamp: new Date(T + 4 * D + M).toISOString(),
    } as EcrmEvent,
    order({ userId: 'dee' }, T + 4 * D + 2 * M, 'o4', 20),
    // After the period.
    track(cy, 'Survey Responded', T + 35 * D, { survey_id: 'q2', type: 'csat', score: 2 }, session('s-cy-4')),
  ]
}
