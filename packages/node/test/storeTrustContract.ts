import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { EcrmEvent } from '@ecrm/core'
import type { Store } from '../src/store/storeTypes.js'
import { makeEvent } from './storeContract.js'
import type { StoreUnderTest } from './storeContract.js'

/** Every event untrusted: what the ingest handler passes for a write key's unverified events. */
const untrusted = { isTrusted: () => false }

/**
 * What an untrusted event (a browser's, with the public write key) may do to customers, and how
 * one value the database refuses is refused alone: the same on PGlite and on PostgreSQL.
 */
export function runStoreTrustContract(name: string, open: () => Promise<StoreUnderTest>): void {
  describe(`Store trust contract: ${name}`, () => {
    let subject: StoreUnderTest
    let store: Store
    beforeAll(async () => {
      subject = await open()
      store = subject.store
    }, 120_000)
    afterAll(async () => {
      await subject?.store.close()
      await subject?.cleanup?.()
    })
    const count = async (sql: string, params: unknown[] = []): Promise<number> =>
      (await store.query<{ n: number }>(`select count(*)::int as n from (${sql}) as q`, params))[0]?.n ?? -1
    const ownerOf = async (kind: string, value: string): Promise<string | undefined> =>
      (
        await store.query<{ customer_id: string }>(
          'select customer_id from ecrm_identities where kind = $1 and value = $2',
          [kind, value],
        )
      )[0]?.customer_id
    /** A customer with a userId and one device, known to the store. */
    const victim = async (prefix: string): Promise<void> => {
      await store.insertEvents([
        makeEvent({
          type: 'identify',
          userId: `${prefix}-u`,
          anonymousId: `${prefix}-a`,
          traits: { email: `${prefix}@shop.example` },
        }),
        makeEvent({
          type: 'track',
          userId: `${prefix}-u`,
          anonymousId: `${prefix}-a`,
          event: 'Order Completed',
          properties: { order_id: `${prefix}-o`, total: 10 },
        }),
      ])
    }

    it('refuses an untrusted erasure that names only a userId, and erases nothing', async () => {
      await victim('t1')
      const erasure = makeEvent({ type: 'track', userId: 't1-u', event: 'Data Erasure Requested' })
      const result = await store.insertEvents([erasure], untrusted)
      expect(result.refused).toEqual([
        { event: erasure, issue: expect.objectContaining({ path: ['userId'], code: 'identity_not_verified' }) },
      ])
      expect(result).toMatchObject({ inserted: 0, erased: 0 })
      expect(await count("select 1 from ecrm_events where user_id = 't1-u'")).toBe(2)
      expect(await count('select 1 from ecrm_events where message_id = $1', [erasure.messageId])).toBe(0)
    })

    it('lets an untrusted erasure erase its own device only: the victim named beside it keeps everything else', async () => {
      await victim('t2')
      await store.insertEvents([makeEvent({ type: 'page', userId: 't2-u', anonymousId: 't2-phone' })], untrusted)
      const customer = await ownerOf('user_id', 't2-u')
      expect((await store.getProfile('t2-u'))?.events.totals['$page']).toBe(1)
      const result = await store.insertEvents(
        [makeEvent({ type: 'track', userId: 't2-u', anonymousId: 't2-phone', event: 'Data Erasure Requested' })],
        untrusted,
      )
      expect(result.refused).toEqual([])
      expect(await count("select 1 from ecrm_events where anonymous_id = 't2-phone'")).toBe(0)
      expect(await count("select 1 from ecrm_events where anonymous_id = 't2-a'")).toBe(2)
      expect(await ownerOf('anonymous_id', 't2-phone')).toBeUndefined()
      expect(await ownerOf('user_id', 't2-u')).toBe(customer)
      // The profile is folded again from what remains: the phone's page view is gone from it.
      const profile = await store.getProfile('t2-u')
      expect(profile?.identities.anonymousIds).toEqual(['t2-a'])
      expect(profile?.events.totals).not.toHaveProperty('$page')
      expect(profile?.money.orderCount).toBe(1)
    })

    it('erases a device known by its anonymousId alone as a whole customer', async () => {
      await store.insertEvents([makeEvent({ type: 'page', anonymousId: 't3-a' })], untrusted)
      const result = await store.insertEvents(
        [makeEvent({ type: 'track', anonymousId: 't3-a', event: 'Data Erasure Requested' })],
        untrusted,
      )
      expect(result.erased).toBe(1)
      expect(await count("select 1 from ecrm_events where anonymous_id = 't3-a'")).toBe(0)
    })

    it('a trusted erasure by userId erases the whole customer', async () => {
      await victim('t4')
      const result = await store.insertEvents([
        makeEvent({ type: 'track', userId: 't4-u', event: 'Data Erasure Requested' }),
      ])
      expect(result.erased).toBe(1)
      expect(await count("select 1 from ecrm_events where user_id = 't4-u' or anonymous_id = 't4-a'")).toBe(0)
    })

    it('refuses an untrusted alias of a user id, and merges nothing; trusted, it merges', async () => {
      await victim('t5')
      await store.insertEvents([makeEvent({ type: 'identify', userId: 't5-attacker', anonymousId: 't5-attacker-a' })])
      const alias = makeEvent({
        type: 'alias',
        userId: 't5-attacker',
        anonymousId: 't5-attacker-a',
        previousId: 't5-u',
      })
      const result = await store.insertEvents([alias], untrusted)
      expect(result.refused).toEqual([
        { event: alias, issue: expect.objectContaining({ path: ['previousId'], code: 'identity_not_verified' }) },
      ])
      expect(await ownerOf('user_id', 't5-u')).not.toBe(await ownerOf('user_id', 't5-attacker'))
      expect(await count('select 1 from ecrm_events where message_id = $1', [alias.messageId])).toBe(0)
      await store.insertEvents([makeEvent({ type: 'alias', userId: 't5-attacker', previousId: 't5-u' })])
      expect(await ownerOf('user_id', 't5-u')).toBe(await ownerOf('user_id', 't5-attacker'))
    })

    it('refuses an untrusted identify that would merge two identified customers', async () => {
      await victim('t6')
      const identify = makeEvent({
        type: 'identify',
        userId: 't6-attacker',
        anonymousId: 't6-a',
        traits: { email: 'evil@attacker.example' },
      })
      const result = await store.insertEvents([identify], untrusted)
      expect(result.refused).toEqual([
        { event: identify, issue: expect.objectContaining({ path: ['anonymousId'], code: 'identity_merge_refused' }) },
      ])
      expect(await ownerOf('user_id', 't6-attacker')).toBeUndefined()
      expect((await store.getProfile('t6-u'))?.traits['email']).toBe('t6@shop.example')
    })

    it('keeps an untrusted login: an anonymous visitor merges into the identified customer', async () => {
      await victim('t7')
      await store.insertEvents([makeEvent({ type: 'page', anonymousId: 't7-laptop' })], untrusted)
      const result = await store.insertEvents(
        [makeEvent({ type: 'identify', userId: 't7-u', anonymousId: 't7-laptop' })],
        untrusted,
      )
      expect(result.refused).toEqual([])
      expect(await ownerOf('anonymous_id', 't7-laptop')).toBe(await ownerOf('user_id', 't7-u'))
    })

    it('stores an untrusted track that would merge two identified customers under its userId, without the merge', async () => {
      await victim('t8')
      await store.insertEvents([makeEvent({ type: 'identify', userId: 't8-other', anonymousId: 't8-other-a' })])
      const track = makeEvent({ type: 'track', userId: 't8-other', anonymousId: 't8-a', event: 'Product Viewed' })
      const result = await store.insertEvents([track], untrusted)
      expect(result).toMatchObject({ inserted: 1, refused: [] })
      expect(await ownerOf('anonymous_id', 't8-a')).toBe(await ownerOf('user_id', 't8-u'))
      expect(await ownerOf('user_id', 't8-other')).not.toBe(await ownerOf('user_id', 't8-u'))
    })

    it('counts the customers a call creates', async () => {
      const result = await store.insertEvents([
        makeEvent({ type: 'page', anonymousId: 't9-a' }),
        makeEvent({ type: 'page', anonymousId: 't9-b' }),
        makeEvent({ type: 'page', anonymousId: 't9-a' }),
        makeEvent({ type: 'identify', anonymousId: 't9-c', userId: 't9-u' }),
      ])
      expect(result.customersCreated).toBe(3)
    })

    it('refuses alone an event whose value the database refuses, and stores the rest of the batch', async () => {
      // Past validation (a custom caller of the store): the database is the last line.
      const good = [
        makeEvent({ type: 'page', anonymousId: 't10-a' }),
        makeEvent({ type: 'page', anonymousId: 't10-b' }),
      ]
      const poison = makeEvent({
        type: 'track',
        anonymousId: 't10-c',
        event: 'Product Viewed',
        properties: { note: 'a\u0000b' },
      })
      const late = {
        ...makeEvent({ type: 'page', anonymousId: 't10-d' }),
        timestamp: '0000-01-01T00:00:00Z',
      } as EcrmEvent
      const result = await store.insertEvents([good[0] as EcrmEvent, poison, late, good[1] as EcrmEvent])
      expect(result.inserted).toBe(2)
      expect(result.refused?.map(({ event, issue }) => [event.messageId, issue.code])).toEqual([
        [poison.messageId, 'unstorable'],
        [late.messageId, 'unstorable'],
      ])
      expect(await count("select 1 from ecrm_events where anonymous_id in ('t10-a', 't10-b')")).toBe(2)
      expect(await count("select 1 from ecrm_events where anonymous_id in ('t10-c', 't10-d')")).toBe(0)
    })
  })
}
