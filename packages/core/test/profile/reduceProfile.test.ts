import { describe, expect, it } from 'vitest'
import { emptyProfile } from '../../src/profile/emptyProfile.js'
import { customerProfileSchema, type CustomerProfile } from '../../src/profile/profileSchema.js'
import { reduceProfile } from '../../src/profile/reduceProfile.js'
import type { EcrmEvent } from '../../src/model/envelope.js'
import { DAY, MINUTE, T0, identify, page, track } from './events.js'

const fold = (events: readonly EcrmEvent[], profile: CustomerProfile = emptyProfile('p-1')): CustomerProfile =>
  events.reduce((current, event) => reduceProfile(current, event), profile)

describe('reduceProfile', () => {
  it('collects user ids, anonymous ids, lower-cased emails and group ids', () => {
    const profile = fold([
      identify(T0, { email: ' Ada@Example.COM ' }, { anonymousId: 'a-9' }),
      { type: 'alias', previousId: 'old-1', userId: 'u-1', messageId: 'al-1', timestamp: '2026-01-01T12:00:00.000Z' },
      { type: 'group', groupId: 'acme', userId: 'u-1', messageId: 'g-1', timestamp: '2026-01-01T12:00:00.000Z' },
    ])
    expect(profile.identities).toEqual({
      userIds: ['u-1', 'old-1'],
      anonymousIds: ['a-9'],
      emails: ['ada@example.com'],
      groupIds: ['acme'],
    })
  })

  it('keeps the newest trait even when an older identify arrives late', () => {
    const profile = fold([identify(T0 + DAY, { plan: 'pro', city: 'Lyon' }), identify(T0, { plan: 'free', age: 40 })])
    expect(profile.traits).toEqual({ plan: 'pro', city: 'Lyon', age: 40 })
    expect(profile.traitTimes['plan']).toBe(T0 + DAY)
  })

  it('takes first and last seen as the min and max timestamps', () => {
    const profile = fold([track('A', T0 + 5 * DAY), track('B', T0), track('C', T0 + 2 * DAY)])
    expect(profile.firstSeenAt).toBe(T0)
    expect(profile.lastSeenAt).toBe(T0 + 5 * DAY)
  })

  it('splits sessions on 30-minute gaps and lets a late event bridge two visits', () => {
    // 0, 10 | 50, 55 (a 40-minute gap), then 120 (a 65-minute gap): three visits.
    const times = [0, 10, 50, 55, 120].map((m) => T0 + m * MINUTE)
    const three = fold(times.map((at) => track('Ping', at)))
    expect(three.sessions.count).toBe(3)
    // A late event at minute 30 is within 30 minutes of 10 and of 50: the first two visits join.
    const two = reduceProfile(three, track('Ping', T0 + 30 * MINUTE))
    expect(two.sessions.count).toBe(2)
    expect(two.sessions.recent[0]).toEqual({ key: null, startAt: T0, endAt: T0 + 55 * MINUTE, events: 5 })
  })

  it('groups events by context.sessionId whatever their spacing', () => {
    const s1 = { context: { sessionId: 's-1' } }
    const profile = fold([track('A', T0, {}, s1), track('B', T0 + 3 * 3_600_000, {}, s1), track('C', T0 + 1_000)])
    expect(profile.sessions.count).toBe(2)
  })

  it('joins order events by order_id: refunds, cancellations, AOV', () => {
    const profile = fold([
      track('Order Completed', T0, { order_id: 'o-1', total: 100, currency: 'eur' }),
      track('Order Completed', T0 + DAY, { order_id: 'o-2', revenue: 50, currency: 'EUR' }),
      track('Order Completed', T0 + 2 * DAY, {
        order_id: 'o-3',
        currency: 'EUR',
        products: [{ price: 10, quantity: 3 }, { price: 5 }],
      }),
      track('Order Refunded', T0 + 3 * DAY, { order_id: 'o-1', total: 30, currency: 'EUR' }),
      track('Order Cancelled', T0 + 3 * DAY, { order_id: 'o-2' }),
      // A refund without an amount refunds the whole order, even when it arrives first.
      track('Order Refunded', T0 + 5 * DAY, { order_id: 'o-4' }),
      track('Order Completed', T0 + 4 * DAY, { order_id: 'o-4', total: 20, currency: 'EUR' }),
    ])
    // Counted: o-1 (100), o-3 (3×10 + 5 = 35), o-4 (20); o-2 cancelled.
    expect(profile.money).toMatchObject({
      currency: 'EUR',
      orderCount: 3,
      grossRevenue: 155,
      refunds: 50,
      revenue: 105,
      cancelledCount: 1,
      firstOrderAt: T0,
      lastOrderAt: T0 + 4 * DAY,
    })
    expect(profile.money.aov).toBeCloseTo(155 / 3, 10)
  })

  it('counts an order once when Order Completed is sent twice with new messageIds', () => {
    const line = { product_id: 'sku-1', category: 'Books', quantity: 2 }
    const profile = fold([
      track('Order Completed', T0, { order_id: 'o-1', total: 40, currency: 'USD', products: [line] }),
      track('Order Completed', T0, { order_id: 'o-1', total: 40, currency: 'USD', products: [line] }),
    ])
    expect(profile.money.orderCount).toBe(1)
    expect(profile.money.grossRevenue).toBe(40)
    expect(profile.products.bought).toEqual({ 'sku-1': 2 })
    expect(profile.categories.bought).toEqual({ Books: 2 })
  })

  it('is idempotent by messageId', () => {
    const event = track('Order Completed', T0, { order_id: 'o-1', total: 10 })
    const once = fold([event])
    expect(reduceProfile(once, event)).toBe(once)
    expect(once.money.byCurrency).toEqual({ XXX: { orders: 1, gross: 10, refunds: 0 } })
  })

  it('counts products and categories viewed, and page views', () => {
    const profile = fold([
      track('Product Viewed', T0, { product_id: 'p-1', category: 'Shoes' }),
      track('Product Viewed', T0 + 1, { sku: 'p-2', category: 'Shoes' }),
      track('Product Viewed', T0 + 2, { product_id: 'p-1' }),
      page(T0 + 3, '/pricing'),
    ])
    expect(profile.products.viewed).toEqual({ 'p-1': 2, 'p-2': 1 })
    expect(profile.categories.viewed).toEqual({ Shoes: 2 })
    expect(profile.pageViews).toBe(1)
    expect(profile.activity[0]).toMatchObject({ name: '$page', props: { path: '/pricing' } })
  })

  it('keeps first and last campaign touch by time and counts channels', () => {
    const utm = (source: string, at: number): EcrmEvent =>
      track('Ping', at, {}, { context: { campaign: { source, medium: 'cpc', name: `c-${source}` } } })
    const profile = fold([
      utm('bing', T0 + DAY),
      utm('google', T0),
      utm('meta', T0 + 2 * DAY),
      utm('google', T0 + DAY / 2),
    ])
    expect(profile.campaigns.firstTouch).toEqual({ at: T0, source: 'google', medium: 'cpc', name: 'c-google' })
    expect(profile.campaigns.lastTouch?.source).toBe('meta')
    expect(profile.campaigns.channels).toEqual({ 'google / cpc': 2, 'bing / cpc': 1, 'meta / cpc': 1 })
  })

  it('keeps the latest consent decision per category', () => {
    const consent = (marketing: boolean, at: number): EcrmEvent =>
      track('Ping', at, {}, { context: { consent: { categories: { marketing, analytics: true }, gpc: marketing } } })
    const profile = fold([consent(false, T0 + DAY), consent(true, T0)])
    expect(profile.consent.categories['marketing']).toEqual({ granted: false, at: T0 + DAY })
    expect(profile.consent.gpc).toEqual({ value: false, at: T0 + DAY })
  })

  it('reads NPS and CSAT answers and ignores out-of-range scores', () => {
    const profile = fold([
      track('Survey Responded', T0 + DAY, { nps: 9, survey_id: 's-1' }),
      track('Survey Responded', T0, { nps: 3 }),
      track('Survey Responded', T0, { score: 4, survey_type: 'csat' }),
      track('Survey Responded', T0, { nps: 11 }),
      track('Survey Responded', T0, { csat: 0 }),
    ])
    expect(profile.surveys.nps).toEqual({ kind: 'nps', score: 9, at: T0 + DAY, surveyId: 's-1' })
    expect(profile.surveys.csat?.score).toBe(4)
    expect(profile.surveys.recent).toHaveLength(3)
  })

  it('reads the documented Survey Responded shape: score with type nps or csat', () => {
    const profile = fold([
      track('Survey Responded', T0, { survey_id: 's-2', type: 'nps', score: 7 }),
      track('Survey Responded', T0 + DAY, { survey_id: 's-3', type: 'csat', score: 5 }),
      track('Survey Responded', T0 + 2 * DAY, { survey_id: 's-4', type: 'nps', score: 12 }),
    ])
    expect(profile.surveys.nps).toEqual({ kind: 'nps', score: 7, at: T0, surveyId: 's-2' })
    expect(profile.surveys.csat).toEqual({ kind: 'csat', score: 5, at: T0 + DAY, surveyId: 's-3' })
    expect(profile.surveys.recent).toHaveLength(2)
  })

  it('counts an event without a timestamp only as skipped, unless now is given', () => {
    const bare = { type: 'track', event: 'X', messageId: 'bare', userId: 'u' } as const
    expect(reduceProfile(emptyProfile('p'), bare).skipped).toBe(1)
    expect(reduceProfile(emptyProfile('p'), bare, { now: T0 }).lastSeenAt).toBe(T0)
  })

  it('produces plain JSON that the schema accepts and that survives a round trip', () => {
    const profile = fold([
      identify(T0, { email: 'a@b.example', company: { name: 'Acme', employee_count: 40 } }),
      track('Order Completed', T0, { order_id: 'o-1', total: 12.5, currency: 'EUR', products: [{ product_id: 'x' }] }),
      page(T0 + MINUTE, '/'),
      track(
        'Survey Responded',
        T0,
        { nps: 10 },
        { context: { campaign: { source: 'news' }, consent: { categories: { ads: true } } } },
      ),
    ])
    expect(customerProfileSchema.parse(profile)).toEqual(profile)
    expect(JSON.parse(JSON.stringify(profile))).toEqual(profile)
  })
})
