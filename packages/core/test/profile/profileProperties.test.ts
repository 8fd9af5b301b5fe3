import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { EcrmEvent, JsonObject } from '../../src/model/envelope.js'
import { emptyProfile } from '../../src/profile/emptyProfile.js'
import { mergeProfiles } from '../../src/profile/mergeProfiles.js'
import type { CustomerProfile } from '../../src/profile/profileSchema.js'
import { reduceProfile } from '../../src/profile/reduceProfile.js'
import { MINUTE, T0, iso } from './events.js'

// Small domains so that collisions (same time, same order, same session) happen often.
// Amounts are multiples of 0.25, which add up exactly in floating point in any order.
const productsOf: Record<string, JsonObject[]> = {
  'o-1': [{ product_id: 'p-1', category: 'A', quantity: 2 }],
  'o-2': [
    { product_id: 'p-2', category: 'B' },
    { product_id: 'p-1', category: 'A' },
  ],
  'o-3': [],
}
const amount = fc.integer({ min: 0, max: 400 }).map((n) => n / 4)
const orderId = fc.constantFrom('o-1', 'o-2', 'o-3')

const trackBody = fc.oneof(
  fc.record({
    event: fc.constant('Product Viewed'),
    properties: fc.record({ product_id: fc.constantFrom('p-1', 'p-2'), category: fc.constantFrom('A', 'B') }),
  }),
  orderId.chain((id) =>
    fc.record({
      event: fc.constant('Order Completed'),
      properties: fc.record({
        order_id: fc.constant(id),
        total: amount,
        currency: fc.constantFrom('EUR', 'USD'),
        products: fc.constant(productsOf[id] ?? []),
      }),
    }),
  ),
  fc.record({
    event: fc.constant('Order Refunded'),
    properties: fc.oneof(fc.record({ order_id: orderId, total: amount }), fc.record({ order_id: orderId })),
  }),
  fc.record({ event: fc.constant('Order Cancelled'), properties: fc.record({ order_id: orderId }) }),
  fc.record({
    event: fc.constant('Survey Responded'),
    properties: fc.oneof(
      fc.record({ nps: fc.integer({ min: 0, max: 10 }) }),
      fc.record({ csat: fc.integer({ min: 1, max: 5 }) }),
    ),
  }),
  fc.record({
    event: fc.constantFrom('Email Opened', 'Ping'),
    properties: fc.record({ n: fc.integer({ min: 0, max: 3 }) }),
  }),
)

const context = fc.record(
  {
    sessionId: fc.constantFrom('s-1', 's-2'),
    campaign: fc.record({
      source: fc.constantFrom('google', 'news'),
      medium: fc.constantFrom('cpc', 'email'),
      name: fc.constantFrom('x', 'y'),
    }),
    consent: fc.record({ categories: fc.record({ marketing: fc.boolean() }), gpc: fc.boolean() }),
  },
  { requiredKeys: [] },
)

const eventBody = fc.record({
  minute: fc.integer({ min: 0, max: 3 * 24 * 60 }),
  user: fc.constantFrom({ userId: 'u-1' }, { anonymousId: 'a-1' }, { userId: 'u-2', anonymousId: 'a-2' }),
  context,
  kind: fc.oneof(
    trackBody.map((body) => ({ type: 'track' as const, ...body })),
    fc.constantFrom('/', '/pricing', '/careers').map((path) => ({ type: 'page' as const, properties: { path } })),
    fc
      .record(
        { plan: fc.constantFrom('free', 'pro'), email: fc.constantFrom('a@x.example', 'B@y.example') },
        { requiredKeys: [] },
      )
      .map((traits) => ({ type: 'identify' as const, traits })),
  ),
})

/** Events with unique messageIds. */
const events = fc
  .array(eventBody, { maxLength: 40 })
  .map((bodies) =>
    bodies.map(
      ({ minute, user, context, kind }, index): EcrmEvent =>
        ({ messageId: `m-${index}`, timestamp: iso(T0 + minute * MINUTE), ...user, context, ...kind }) as EcrmEvent,
    ),
  )

const fold = (list: readonly EcrmEvent[]): CustomerProfile =>
  list.reduce((profile, event) => reduceProfile(profile, event), emptyProfile('p'))

/** The profile with arrival-ordered lists sorted: what must not depend on event order. */
function normalize(profile: CustomerProfile): unknown {
  const sorted = (list: readonly string[]): string[] => [...list].sort()
  return {
    ...profile,
    id: null,
    identities: Object.fromEntries(Object.entries(profile.identities).map(([key, list]) => [key, sorted(list)])),
    seenMessageIds: sorted(profile.seenMessageIds),
  }
}

const shuffled = <T>(list: readonly T[]) =>
  fc.array(fc.nat(), { minLength: list.length, maxLength: list.length }).map((keys) =>
    list
      .map((item, index) => ({ item, key: keys[index] ?? 0 }))
      .sort((a, b) => a.key - b.key)
      .map(({ item }) => item),
  )

describe('reduceProfile properties', () => {
  it('gives the same profile for any permutation of the events', () => {
    fc.assert(
      fc.property(
        events.chain((list) => fc.tuple(fc.constant(list), shuffled(list))),
        ([list, permuted]) => {
          expect(normalize(fold(permuted))).toEqual(normalize(fold(list)))
        },
      ),
      { numRuns: 200 },
    )
  })

  it('folding the same events twice equals folding them once', () => {
    fc.assert(
      fc.property(events, (list) => {
        expect(fold([...list, ...list])).toEqual(fold(list))
      }),
      { numRuns: 100 },
    )
  })
})

describe('mergeProfiles properties', () => {
  const halves = events.chain((list) =>
    fc
      .array(fc.boolean(), { minLength: list.length, maxLength: list.length })
      .map((sides) => [list.filter((_, index) => sides[index]), list.filter((_, index) => !sides[index])] as const),
  )

  it('is commutative', () => {
    fc.assert(
      fc.property(halves, ([left, right]) => {
        const a = fold(left)
        const b = fold(right)
        expect(normalize(mergeProfiles(a, b))).toEqual(normalize(mergeProfiles(b, a)))
      }),
      { numRuns: 200 },
    )
  })

  it('equals folding all the events into one profile (products bought aside)', () => {
    fc.assert(
      fc.property(halves, ([left, right]) => {
        const merged = normalize(mergeProfiles(fold(left), fold(right))) as CustomerProfile
        const whole = normalize(fold([...left, ...right])) as CustomerProfile
        // An order completed on both sides is counted in each half's products before the merge.
        expect({ ...merged, products: null, categories: null }).toEqual({ ...whole, products: null, categories: null })
      }),
      { numRuns: 200 },
    )
  })
})
