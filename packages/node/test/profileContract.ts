import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { applyLogic, emptyProfile, isTruthy, mergeProfiles, reduceProfile } from '@ecrm/core'
import type { CustomerProfile, EcrmEvent } from '@ecrm/core'
import type { Store } from '../src/store/storeTypes.js'

const day = 86_400_000
const base = Date.UTC(2026, 2, 1)
let sequence = 0
const iso = (at: number): string => new Date(at).toISOString()

/** A track event of `who` at `at` with a fresh messageId. */
export function trackOf(
  who: { userId?: string; anonymousId?: string },
  event: string,
  at: number,
  properties: Record<string, unknown> = {},
): EcrmEvent {
  sequence += 1
  return {
    type: 'track',
    messageId: `pf-${sequence}-${Math.random().toString(36).slice(2)}`,
    event,
    properties,
    timestamp: iso(at),
    ...who,
  } as EcrmEvent
}

function identifyOf(
  who: { userId?: string; anonymousId?: string },
  traits: Record<string, unknown>,
  at: number,
): EcrmEvent {
  sequence += 1
  return {
    type: 'identify',
    messageId: `pf-${sequence}-${Math.random().toString(36).slice(2)}`,
    traits,
    timestamp: iso(at),
    ...who,
  } as EcrmEvent
}

/** The profile core computes from the same events, in memory: what the store must agree with. */
const fold = (id: string, events: readonly EcrmEvent[]): CustomerProfile =>
  events.reduce((profile, event) => reduceProfile(profile, event), emptyProfile(id))

/** A stored profile without the fields the store derives: what folding the events alone gives. */
export function foldedOf(profile: CustomerProfile | undefined): CustomerProfile | undefined {
  if (profile === undefined) return undefined
  const {
    rfm: _rfm,
    lead: _lead,
    clv: _clv,
    segments: _segments,
    segmentsSince: _since,
    loyalty: _loyalty,
    ...folded
  } = profile
  return folded
}

/** Profile columns and JSON as the store keeps them, on PGlite and PostgreSQL alike. */
export function runProfileContract(
  name: string,
  open: () => Promise<{ store: Store; cleanup?: () => Promise<void> }>,
): void {
  describe(`Store profiles: ${name}`, () => {
    let store: Store
    let cleanup: (() => Promise<void>) | undefined
    beforeAll(async () => {
      ;({ store, cleanup } = await open())
    }, 120_000)
    afterAll(async () => {
      await store?.close()
      await cleanup?.()
    })

    it('folds each new event into the customer profile once, as reduceProfile does', async () => {
      const who = { userId: 'pf-u1' }
      const events = [
        trackOf(who, 'Product Viewed', base, { product_id: 'sku-1', category: 'shoes' }),
        trackOf(who, 'Order Completed', base + day, { order_id: 'o-1', total: 40, currency: 'EUR' }),
        trackOf(who, 'Order Completed', base + 2 * day, { order_id: 'o-2', total: 2.5, currency: 'EUR' }),
      ]
      await store.insertEvents(events)
      // A re-sent batch (a client retrying) must not count anything twice.
      expect(await store.insertEvents(events)).toMatchObject({ inserted: 0, duplicates: 3 })
      const profile = foldedOf(await store.getProfile('pf-u1'))
      expect(profile).toBeDefined()
      const expected = fold(profile?.id ?? '', events)
      expect(profile).toEqual(expected)
      expect(profile?.money).toMatchObject({ orderCount: 2, revenue: 42.5, currency: 'EUR' })
      const [row] = await store.query<{ order_count: number; revenue: number; user_id: string; last_order_at: Date }>(
        'select order_count, revenue, user_id, last_order_at from ecrm_profiles where customer_id = $1',
        [profile?.id],
      )
      expect(row).toMatchObject({ order_count: 2, revenue: 42.5, user_id: 'pf-u1' })
      expect(new Date(row?.last_order_at ?? 0).getTime()).toBe(base + 2 * day)
    })

    it('merges the anonymous visitor profile into the customer on identify (mergeProfiles)', async () => {
      const anonymous = [trackOf({ anonymousId: 'pf-a2' }, 'Product Viewed', base, { product_id: 'sku-9' })]
      const known = [
        trackOf({ userId: 'pf-u2' }, 'Order Completed', base + day, { order_id: 'o-9', total: 10, currency: 'USD' }),
      ]
      await store.insertEvents(anonymous)
      await store.insertEvents(known)
      const link = identifyOf(
        { userId: 'pf-u2', anonymousId: 'pf-a2' },
        { email: 'PF2@shop.example', plan: 'pro' },
        base + 2 * day,
      )
      await store.insertEvents([link])
      const byAnonymous = foldedOf(await store.getProfile('pf-a2'))
      const byUser = foldedOf(await store.getProfile('pf-u2'))
      expect(byAnonymous).toEqual(byUser)
      const id = byUser?.id ?? ''
      expect(byUser).toEqual(reduceProfile(mergeProfiles(fold(id, known), fold('x', anonymous)), link))
      expect(byUser?.identities).toMatchObject({
        userIds: ['pf-u2'],
        anonymousIds: ['pf-a2'],
        emails: ['pf2@shop.example'],
      })
      expect(
        await store.query(
          'select count(*)::int as n from ecrm_profiles p join ecrm_identities i on i.customer_id = p.customer_id where i.value in ($1, $2)',
          ['pf-a2', 'pf-u2'],
        ),
      ).toEqual([{ n: 2 }])
    })

    it("merges two known customers' profiles on alias", async () => {
      const older = [
        trackOf({ userId: 'pf-old' }, 'Order Completed', base, { order_id: 'al-1', total: 7, currency: 'EUR' }),
      ]
      const newer = [
        trackOf({ userId: 'pf-new' }, 'Order Completed', base + day, { order_id: 'al-2', total: 3, currency: 'EUR' }),
      ]
      await store.insertEvents([...older, ...newer])
      sequence += 1
      const alias = {
        type: 'alias',
        messageId: `pf-alias-${sequence}`,
        userId: 'pf-new',
        previousId: 'pf-old',
        timestamp: iso(base + 2 * day),
      } as EcrmEvent
      const after = trackOf({ userId: 'pf-old' }, 'Product Viewed', base + 3 * day, { product_id: 'sku-3' })
      await store.insertEvents([alias])
      await store.insertEvents([after])
      const merged = foldedOf(await store.getProfile('pf-new'))
      expect(foldedOf(await store.getProfile('pf-old'))).toEqual(merged)
      expect(merged?.money).toMatchObject({ orderCount: 2, revenue: 10 })
      expect(merged?.events.totals).toMatchObject({ 'Order Completed': 2, $alias: 1, 'Product Viewed': 1 })
      const id = merged?.id ?? ''
      expect(merged).toEqual(
        reduceProfile(reduceProfile(mergeProfiles(fold(id, newer), fold('x', older)), alias), after),
      )
    })

    it('creates the new customers of one batch, then links and merges them later in that batch', async () => {
      const visitor = trackOf({ anonymousId: 'pf-nb-a' }, 'Product Viewed', base, { product_id: 'sku-n1' })
      const buyer = trackOf({ userId: 'pf-nb-u' }, 'Order Completed', base + day, {
        order_id: 'nb-1',
        total: 12,
        currency: 'EUR',
      })
      const others = [1, 2, 3].map((n) =>
        trackOf({ userId: `pf-nb-o${n}` }, 'Order Completed', base + n, {
          order_id: `nb-o${n}`,
          total: n,
          currency: 'EUR',
        }),
      )
      const link = identifyOf({ userId: 'pf-nb-u', anonymousId: 'pf-nb-a' }, { plan: 'gold' }, base + 2 * day)
      const again = trackOf({ anonymousId: 'pf-nb-a' }, 'Product Viewed', base + 3 * day, { product_id: 'sku-n2' })
      expect(await store.insertEvents([visitor, ...others, buyer, link, again])).toMatchObject({
        inserted: 7,
        duplicates: 0,
      })
      const profile = foldedOf(await store.getProfile('pf-nb-u'))
      expect(foldedOf(await store.getProfile('pf-nb-a'))).toEqual(profile)
      const id = profile?.id ?? ''
      expect(profile).toEqual(
        reduceProfile(reduceProfile(mergeProfiles(fold(id, [buyer]), fold('x', [visitor])), link), again),
      )
      for (const [n, event] of others.entries())
        expect(foldedOf(await store.getProfile(`pf-nb-o${n + 1}`))).toEqual(
          fold(foldedOf(await store.getProfile(`pf-nb-o${n + 1}`))?.id ?? '', [event]),
        )
      const customers = await store.query<{ n: number; traits: unknown; first: Date; last: Date }>(
        `select count(distinct c.id)::int as n, max(c.traits::text) as traits, min(c.first_seen_at) as first, max(c.last_seen_at) as last
           from ecrm_customers c join ecrm_identities i on i.customer_id = c.id where i.value in ('pf-nb-u', 'pf-nb-a')`,
      )
      expect(customers).toMatchObject([{ n: 1, traits: '{"plan": "gold"}' }])
      // The merged customer spans the visitor's first event to the identify, as unifyCustomer dates them.
      expect([new Date(customers[0]?.first ?? 0).getTime(), new Date(customers[0]?.last ?? 0).getTime()]).toEqual([
        base,
        base + 2 * day,
      ])
      expect(
        await store.query(
          'select count(*)::int as n from ecrm_customers c where not exists (select 1 from ecrm_identities i where i.customer_id = c.id)',
        ),
      ).toEqual([{ n: 0 }])
    })

    it('lists profiles and erases the profile with the customer', async () => {
      await store.insertEvents([trackOf({ userId: 'pf-gone' }, 'Order Completed', base, { order_id: 'g-1', total: 5 })])
      expect((await store.listProfiles({ limit: 1_000 })).some((p) => p.identities.userIds.includes('pf-gone'))).toBe(
        true,
      )
      expect(await store.forget({ userId: 'pf-gone' })).toMatchObject({ customersDeleted: 1 })
      expect(foldedOf(await store.getProfile('pf-gone'))).toBeUndefined()
      expect((await store.listProfiles({ limit: 1_000 })).some((p) => p.identities.userIds.includes('pf-gone'))).toBe(
        false,
      )
    })

    it('does not fold events that an erasure later in the same batch removed', async () => {
      const who = { userId: 'pf-er' }
      const result = await store.insertEvents(
        [
          trackOf(who, 'Order Completed', base, { order_id: 'e-1', total: 9 }),
          trackOf(who, 'Data Erasure Requested', base + 1),
        ],
        { returnStored: true },
      )
      expect(result).toMatchObject({ inserted: 2, erased: 1, stored: [] })
      expect(foldedOf(await store.getProfile('pf-er'))).toBeUndefined()
    })

    it('segment() selects in SQL exactly the profiles applyLogic selects in memory', async () => {
      // 30 customers with varied orders, revenue, traits, visits and recency.
      const plans = ['free', 'pro', 'Pro', '']
      const events: EcrmEvent[] = []
      for (let n = 0; n < 30; n += 1) {
        const who = { userId: `sg-${String(n).padStart(2, '0')}` }
        events.push(trackOf(who, 'Signed Up', base - n * day))
        if (n % 5 !== 0) events.push(identifyOf(who, { plan: plans[n % 4], age: 18 + ((n * 7) % 50) }, base))
        for (let o = 0; o < n % 4; o += 1) {
          events.push(
            trackOf(who, 'Order Completed', base + (n + o) * day, {
              order_id: `sg-${n}-${o}`,
              total: 10 * ((n * 3 + o) % 7) + 0.5,
              currency: n % 3 === 0 ? 'USD' : 'EUR',
            }),
          )
        }
        for (let v = 0; v < n % 3; v += 1)
          events.push(trackOf(who, 'Product Viewed', base + (n + v) * day, { product_id: `p-${v}` }))
      }
      await store.insertEvents(events)
      const profiles = (await store.listProfiles({ limit: 10_000 })).filter((p) =>
        p.identities.userIds.some((id) => id.startsWith('sg-')),
      )
      expect(profiles).toHaveLength(30)
      const ours = new Set(profiles.map((p) => p.id))
      const numberVar = fc.constantFrom(
        'money.orderCount',
        'money.revenue',
        'money.aov',
        'lastSeenAt',
        'traits.age',
        'events.totals.Product Viewed',
        'profile.money.orderCount',
      )
      const numberArb = fc.oneof(
        numberVar.map((path) => ({ var: path })),
        fc.constantFrom(0, 1, 2, 20.5, 30, 45, base + 10 * day),
      )
      const textVar = fc
        .constantFrom('money.currency', 'traits.plan', 'profile.traits.plan')
        .map((path) => ({ var: path }))
      const rule = fc.letrec<{ cond: unknown }>((tie) => ({
        cond: fc.oneof(
          { depthSize: 'small' },
          fc.tuple(fc.constantFrom('<', '<=', '>', '>='), numberArb, numberArb).map(([op, a, b]) => ({ [op]: [a, b] })),
          fc
            .tuple(
              fc.constantFrom('==', '!=', '===', '!=='),
              textVar,
              fc.constantFrom('EUR', 'USD', 'pro', 'Pro', '', null),
            )
            .map(([op, a, b]) => ({ [op]: [a, b] })),
          fc
            .tuple(textVar, fc.uniqueArray(fc.constantFrom('EUR', 'free', 'pro'), { maxLength: 3 }))
            .map(([a, list]) => ({ in: [a, list] })),
          fc.array(tie('cond'), { minLength: 1, maxLength: 3 }).map((args) => ({ and: args })),
          fc.array(tie('cond'), { minLength: 1, maxLength: 3 }).map((args) => ({ or: args })),
          tie('cond').map((arg) => ({ '!': [arg] })),
        ),
      })).cond
      let selective = 0
      for (const condition of fc.sample(rule, { numRuns: 150, seed: 7 })) {
        const expected = profiles
          .filter((p) => isTruthy(applyLogic(condition, { ...p, profile: p })))
          .map((p) => p.id)
          .sort()
        const actual = (await store.segment(condition, { traits: { plan: 'text', age: 'number' } })).filter((id) =>
          ours.has(id),
        )
        expect({ condition, ids: actual }).toEqual({ condition, ids: expected })
        if (expected.length > 0 && expected.length < profiles.length) selective += 1
      }
      expect(selective).toBeGreaterThan(50)
    }, 60_000)

    it('segment() binds every value and refuses what SQL cannot do exactly', async () => {
      const hostile = "x'); drop table ecrm_profiles; --"
      expect(await store.segment({ '==': [{ var: 'traits.plan' }, hostile] }, { traits: { plan: 'text' } })).toEqual([])
      expect(await store.query('select count(*)::int as n from ecrm_profiles')).not.toEqual([{ n: 0 }])
      await expect(store.segment({ '>': [{ var: 'traits.unknown' }, 1] })).rejects.toThrow(/traits\.unknown/)
      const top = await store.segment({ '>=': [{ var: 'money.revenue' }, 40] }, { limit: 2 })
      expect(top.length).toBeLessThanOrEqual(2)
    })
  })
}
