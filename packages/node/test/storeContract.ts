import { createHash } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { EcrmEvent } from '@ecrm/core'
import { migrations } from '../src/store/migrations.js'
import type { Store } from '../src/store/storeTypes.js'

let sequence = 0
/** A valid event with a fresh messageId; `overrides` win. */
export function makeEvent(overrides: Partial<EcrmEvent> & Pick<EcrmEvent, 'type'>): EcrmEvent {
  sequence += 1
  const base = {
    messageId: `m-${sequence}-${Math.random().toString(36).slice(2)}`,
    timestamp: new Date(Date.UTC(2026, 0, 1, 0, 0, sequence)).toISOString(),
  }
  if (overrides.type === 'track') return { ...base, event: 'Product Viewed', ...overrides } as EcrmEvent
  if (overrides.type === 'alias') return { ...base, previousId: 'x', ...overrides } as EcrmEvent
  return { ...base, ...overrides } as EcrmEvent
}

/** What a store test run needs: a fresh, empty store per suite, and the driver-level migrate. */
export interface StoreUnderTest {
  readonly store: Store
  /** Applies migrations again through a second connection (or the same one), returning versions applied. */
  readonly migrateAgain?: () => Promise<number[]>
  readonly cleanup?: () => Promise<void>
}

/** The behaviour every {@link Store} must have, on PGlite and on PostgreSQL alike. */
export function runStoreContract(name: string, open: () => Promise<StoreUnderTest>): void {
  describe(`Store contract: ${name}`, () => {
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

    it('applies the migrations once, recording their versions', async () => {
      expect(await store.query('select version from ecrm_schema_migrations order by version')).toEqual(
        migrations.map((migration) => ({ version: migration.version })),
      )
      if (subject.migrateAgain !== undefined) expect(await subject.migrateAgain()).toEqual([])
    })

    it('stores an event once per messageId, within and across batches', async () => {
      const [a, b, c, d] = ['track', 'page', 'identify', 'track'].map((type) =>
        makeEvent({ type: type as EcrmEvent['type'], anonymousId: 'dedupe-anon' }),
      ) as [EcrmEvent, EcrmEvent, EcrmEvent, EcrmEvent]
      expect(await store.insertEvents([a, b, c, a])).toEqual({
        inserted: 3,
        duplicates: 1,
        erased: 0,
        refused: [],
        customersCreated: 1,
      })
      expect(await store.insertEvents([b, c, d])).toEqual({
        inserted: 1,
        duplicates: 2,
        erased: 0,
        refused: [],
        customersCreated: 0,
      })
      expect(await count("select 1 from ecrm_events where anonymous_id = 'dedupe-anon'")).toBe(4)
      const [row] = await store.query<{ payload: EcrmEvent; type: string }>(
        'select payload, type from ecrm_events where message_id = $1',
        [a.messageId],
      )
      expect(row).toEqual({ payload: a, type: 'track' })
    })

    it('merges an anonymous visitor into the customer on identify, merging traits', async () => {
      await store.insertEvents([
        makeEvent({ type: 'identify', anonymousId: 'v-a1', traits: { email: 'a@b.example', plan: 'free' } }),
      ])
      await store.insertEvents([
        makeEvent({ type: 'identify', anonymousId: 'v-a1', userId: 'v-u1', traits: { plan: 'pro' } }),
      ])
      await store.insertEvents([
        makeEvent({ type: 'identify', anonymousId: 'v-a2', userId: 'v-u1', traits: { name: 'Ada' } }),
      ])
      const mine = (await store.listCustomers({ limit: 1_000 })).filter((c) => c.userIds.includes('v-u1'))
      expect(mine).toHaveLength(1)
      expect(mine[0]).toMatchObject({
        userIds: ['v-u1'],
        anonymousIds: ['v-a1', 'v-a2'],
        traits: { email: 'a@b.example', plan: 'pro', name: 'Ada' },
      })
      expect(await count("select 1 from ecrm_identities where value in ('v-a1', 'v-a2', 'v-u1')")).toBe(3)
    })

    it('merges two known customers on alias, the user id side surviving', async () => {
      await store.insertEvents([
        makeEvent({ type: 'identify', anonymousId: 'al-anon', traits: { cart: 3, plan: 'trial' } }),
      ])
      await store.insertEvents([makeEvent({ type: 'identify', userId: 'al-user', traits: { plan: 'gold' } })])
      const before = await store.listCustomers({ limit: 1_000 })
      const survivor = before.find((c) => c.userIds.includes('al-user'))
      await store.insertEvents([makeEvent({ type: 'alias', userId: 'al-user', previousId: 'al-anon' })])
      const after = (await store.listCustomers({ limit: 1_000 })).filter(
        (c) => c.userIds.includes('al-user') || c.anonymousIds.includes('al-anon'),
      )
      expect(after).toHaveLength(1)
      expect(after[0]).toMatchObject({
        id: survivor?.id,
        userIds: ['al-user'],
        anonymousIds: ['al-anon'],
        traits: { cart: 3, plan: 'gold' },
      })
      expect(after.length + 1).toBe(
        before.filter((c) => c.userIds.includes('al-user') || c.anonymousIds.includes('al-anon')).length,
      )
    })

    it('forget() erases every event and id of the customer and keeps only an audit record', async () => {
      await store.insertEvents([
        makeEvent({ type: 'identify', anonymousId: 'fg-a', userId: 'fg-u', traits: { email: 'fg@b.example' } }),
        makeEvent({ type: 'track', anonymousId: 'fg-a', event: 'Product Viewed' }),
        makeEvent({ type: 'track', userId: 'fg-u', event: 'Order Completed', properties: { total: 42 } }),
        makeEvent({ type: 'track', userId: 'someone-else' }),
      ])
      const result = await store.forget({ userId: 'fg-u' })
      expect(result).toEqual({ eventsDeleted: 3, customersDeleted: 1, identitiesDeleted: 2 })
      expect(await count("select 1 from ecrm_events where payload::text like '%fg-%'")).toBe(0)
      expect(await count("select 1 from ecrm_identities where value like 'fg-%'")).toBe(0)
      expect(await count("select 1 from ecrm_events where user_id = 'someone-else'")).toBe(1)
      const audit = await store.query(
        'select subject_kind, subject_sha256, events_deleted, customers_deleted, source from ecrm_erasures',
      )
      expect(audit).toContainEqual({
        subject_kind: 'user_id',
        subject_sha256: createHash('sha256').update('fg-u').digest('hex'),
        events_deleted: 3,
        customers_deleted: 1,
        source: 'api',
      })
      expect(JSON.stringify(audit)).not.toContain('fg-u')
    })

    it('a Data Erasure Requested event erases the customer, itself included', async () => {
      await store.insertEvents([makeEvent({ type: 'identify', anonymousId: 'er-a', userId: 'er-u' })])
      const result = await store.insertEvents([
        makeEvent({ type: 'track', userId: 'er-u', event: 'Order Completed' }),
        makeEvent({ type: 'track', userId: 'er-u', event: 'Data Erasure Requested' }),
      ])
      expect(result).toEqual({ inserted: 2, duplicates: 0, erased: 1, refused: [], customersCreated: 0 })
      expect(await count("select 1 from ecrm_events where user_id = 'er-u' or anonymous_id = 'er-a'")).toBe(0)
      expect(await count("select 1 from ecrm_erasures where source = 'event'")).toBe(1)
    })

    it('query() runs parameterised SQL for segments', async () => {
      await store.insertEvents([
        makeEvent({ type: 'track', userId: 'seg-1', event: 'Order Completed', properties: { total: 10 } }),
        makeEvent({ type: 'track', userId: 'seg-1', event: 'Order Completed', properties: { total: 32.5 } }),
        makeEvent({ type: 'track', userId: 'seg-2', event: 'Order Completed', properties: { total: 5 } }),
      ])
      const rows = await store.query<{ user_id: string; revenue: number }>(
        `select user_id, sum((payload->'properties'->>'total')::numeric)::float8 as revenue
           from ecrm_events where event = $1 and user_id like 'seg-%' group by user_id having sum((payload->'properties'->>'total')::numeric) > $2`,
        ['Order Completed', 20],
      )
      expect(rows).toEqual([{ user_id: 'seg-1', revenue: 42.5 }])
    })
  })
}
