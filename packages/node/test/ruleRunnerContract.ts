import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { defineRule } from '@ecrm/core'
import type { Clock, EcrmEvent, RuleFiring, Scheduler } from '@ecrm/core'
import { createIngestHandler } from '../src/ingest/ingestHandler.js'
import { createRuleRunner } from '../src/rules/ruleRunner.js'
import type { RuleRunner } from '../src/rules/ruleRunner.js'
import { createSqlRuleStateStore } from '../src/rules/sqlRuleStateStore.js'
import type { Store } from '../src/store/storeTypes.js'

const minute = 60_000
const hour = 60 * minute
const start = Date.UTC(2026, 5, 1, 10, 0)

const cartAbandoned = defineRule({
  id: 'cart_abandoned',
  when: 'Product Added',
  unless: 'Order Completed',
  within: '1h',
  then: { event: 'Cart Abandoned', properties: { channel: 'email' } },
})

/**
 * A manual clock and scheduler: time moves only with `advance`/`setTo`, which runs due callbacks
 * in time order and, after each, waits until every registered runner is idle (the engine's timer
 * callbacks start database work that a few event-loop turns would not finish).
 */
export function createManualTime(startAt: number) {
  let now = startAt
  let nextId = 0
  const tasks = new Map<number, { at: number; callback: () => void }>()
  const runners: RuleRunner[] = []
  const clock: Clock = { now: () => now }
  const scheduler: Scheduler = {
    schedule(callback, delayMs) {
      const id = (nextId += 1)
      tasks.set(id, { at: now + Math.max(0, delayMs), callback })
      return () => void tasks.delete(id)
    },
  }
  async function setTo(target: number): Promise<void> {
    for (;;) {
      const first = [...tasks.entries()]
        .filter(([, task]) => task.at <= target)
        .sort((a, b) => a[1].at - b[1].at || a[0] - b[0])[0]
      if (first === undefined) break
      tasks.delete(first[0])
      now = Math.max(now, first[1].at)
      first[1].callback()
      for (const runner of runners) await runner.idle()
    }
    now = Math.max(now, target)
  }
  return {
    clock,
    scheduler,
    watch: (runner: RuleRunner) => runners.push(runner),
    /** Moves the clock without running any callback (as if timers were late). */
    jump: (ms: number) => void (now += ms),
    advance: (ms: number) => setTo(now + ms),
    setTo,
  }
}

let sequence = 0
function track(userId: string, event: string, properties: Record<string, unknown> = {}): EcrmEvent {
  sequence += 1
  return {
    type: 'track',
    messageId: `rr-${sequence}-${Math.random().toString(36).slice(2)}`,
    userId,
    event,
    properties,
  } as EcrmEvent
}

/** What the contract needs: a store, and a second connection to the same database (a second process). */
export interface RunnerDatabase {
  readonly store: Store
  /** Another store over the same data (PostgreSQL: a new pool; PGlite: the same instance). */
  readonly openSecond: () => Promise<Store>
  readonly cleanup?: () => Promise<void>
}

/** The durable rule runner's guarantees, on PGlite and PostgreSQL alike. */
export function runRuleRunnerContract(name: string, open: () => Promise<RunnerDatabase>): void {
  describe(`createRuleRunner: ${name}`, () => {
    let db: RunnerDatabase
    let second: Store
    let prefixes = 0
    beforeAll(async () => {
      db = await open()
      second = await db.openSecond()
    }, 120_000)
    afterAll(async () => {
      if (second !== db?.store) await second?.close()
      await db?.store.close()
      await db?.cleanup?.()
    })

    /** A runner on `store` with its own key prefix per test, so tests never see each other's timers. */
    function runnerOn(
      store: Store,
      time: ReturnType<typeof createManualTime>,
      prefix: string,
      fired: RuleFiring[],
    ): RuleRunner {
      const runner = createRuleRunner({
        store,
        rules: [cartAbandoned],
        clock: time.clock,
        scheduler: time.scheduler,
        keyPrefix: prefix,
        pollIntervalMs: 0,
        onFire: (firing) => void fired.push(firing),
      })
      time.watch(runner)
      return runner
    }
    const freshPrefix = (): string => `t${(prefixes += 1)}:${Math.random().toString(36).slice(2, 8)}:`
    /** The customer's recorded firings of the cart rule (ecrm_firings, never ecrm_events). */
    const tracked = async (userId: string): Promise<{ event: string; properties: Record<string, unknown> }[]> =>
      db.store.query(
        "select payload->>'event' as event, payload->'properties' as properties from ecrm_firings where customer_id = $1 and rule_id = 'cart_abandoned'",
        [userId],
      )

    it('fires once, 1 h after a cart addition that came through the ingest handler, and records it as a firing', async () => {
      const time = createManualTime(start)
      const fired: RuleFiring[] = []
      const runner = runnerOn(db.store, time, freshPrefix(), fired)
      await runner.start()
      const ingest = createIngestHandler({
        store: db.store,
        writeKeys: ['wk'],
        now: time.clock.now,
        onEvents: runner.processEvents,
      })
      const response = await ingest(
        new Request('http://collect.test/v1/track', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ writeKey: 'wk', ...track('rr-u1', 'Product Added', { product_id: 'sku-1' }) }),
        }),
      )
      expect(response.status).toBe(200)
      await time.advance(59 * minute)
      expect(fired).toHaveLength(0)
      await time.advance(minute)
      expect(fired.map((f) => [f.ruleId, f.customerId, f.at])).toEqual([['cart_abandoned', 'rr-u1', start + hour]])
      await time.advance(24 * hour)
      expect(fired).toHaveLength(1)
      expect(await tracked('rr-u1')).toEqual([
        {
          event: 'Cart Abandoned',
          properties: {
            channel: 'email',
            rule_id: 'cart_abandoned',
            trigger_event: 'Product Added',
            trigger_properties: { product_id: 'sku-1' },
            triggered_at: new Date(start).toISOString(),
          },
        },
      ])
      // A firing is not the customer's activity: no event, nothing folded, lastSeenAt where the cart left it.
      const profile = await db.store.getProfile('rr-u1')
      expect(profile?.events.totals['Cart Abandoned']).toBeUndefined()
      expect(profile?.lastSeenAt).toBe(start)
      expect(await db.store.query("select count(*)::int as n from ecrm_events where event = 'Cart Abandoned'")).toEqual(
        [{ n: 0 }],
      )
      expect(
        await db.store.query(
          "select firing_id, delivered_at is not null as delivered from ecrm_firings where customer_id = 'rr-u1'",
        ),
      ).toEqual([{ firing_id: fired[0]?.id, delivered: true }])
      expect(await runner.pending()).toEqual([])
      runner.stop()
    })

    it('never fires when the order comes at 59 min', async () => {
      const time = createManualTime(start)
      const fired: RuleFiring[] = []
      const runner = runnerOn(db.store, time, freshPrefix(), fired)
      await runner.start()
      await runner.processEvents([track('rr-u2', 'Product Added', { product_id: 'sku-2' })])
      await time.advance(59 * minute)
      await runner.processEvents([track('rr-u2', 'Order Completed', { order_id: 'rr-o2', total: 5 })])
      await time.advance(3 * hour)
      expect(fired).toEqual([])
      expect(await tracked('rr-u2')).toEqual([])
      runner.stop()
    })

    it('fires exactly once when the runner restarts in the middle of the window (another process takes over)', async () => {
      const prefix = freshPrefix()
      const timeA = createManualTime(start)
      const firedA: RuleFiring[] = []
      const a = runnerOn(db.store, timeA, prefix, firedA)
      await a.start()
      await a.processEvents([track('rr-u3', 'Product Added', { product_id: 'sku-3' })])
      await timeA.advance(30 * minute)
      a.stop() // the process goes away before the deadline

      const timeB = createManualTime(start + 31 * minute)
      const firedB: RuleFiring[] = []
      const b = runnerOn(second, timeB, prefix, firedB)
      await b.start()
      await timeB.advance(28 * minute)
      expect(firedB).toEqual([])
      await timeB.advance(2 * minute)
      await timeA.advance(2 * hour) // the stopped runner's timer is gone: nothing
      expect(firedA).toEqual([])
      expect(firedB.map((f) => [f.customerId, f.at])).toEqual([['rr-u3', start + hour]])
      expect(await tracked('rr-u3')).toHaveLength(1)
      b.stop()
    })

    it('fires a timer that came due while no runner was up, once, on start', async () => {
      const prefix = freshPrefix()
      const timeA = createManualTime(start)
      const a = runnerOn(db.store, timeA, prefix, [])
      await a.processEvents([track('rr-u4', 'Product Added', { product_id: 'sku-4' })])
      a.stop()
      const fired: RuleFiring[] = []
      for (const at of [start + 3 * hour, start + 4 * hour]) {
        const time = createManualTime(at)
        const runner = runnerOn(second, time, prefix, fired)
        await runner.start()
        await time.advance(0)
        runner.stop()
      }
      expect(fired.map((f) => [f.customerId, f.at])).toEqual([['rr-u4', start + 3 * hour]])
      expect(await tracked('rr-u4')).toHaveLength(1)
    })

    it('two runners up at once fire a due timer once', async () => {
      const prefix = freshPrefix()
      const time = createManualTime(start)
      const fired: RuleFiring[] = []
      const a = runnerOn(db.store, time, prefix, fired)
      const b = runnerOn(second, time, prefix, fired)
      await a.start()
      await a.processEvents([track('rr-u5', 'Product Added', { product_id: 'sku-5' })])
      await b.start() // b learns of the timer from the database and arms it too
      expect(await b.pending()).toHaveLength(1)
      await time.advance(2 * hour) // both timers go off at the due time
      expect(fired.map((f) => f.customerId)).toEqual(['rr-u5'])
      expect(await tracked('rr-u5')).toHaveLength(1)
      a.stop()
      b.stop()
    })

    it('two runners racing through fireDue() at the same moment fire each timer once', async () => {
      const prefix = freshPrefix()
      const time = createManualTime(start)
      const fired: RuleFiring[] = []
      const a = runnerOn(db.store, time, prefix, fired)
      const b = runnerOn(second, time, prefix, fired)
      const users = ['rr-r1', 'rr-r2', 'rr-r3', 'rr-r4', 'rr-r5']
      await a.processEvents(users.map((user) => track(user, 'Product Added', { product_id: 'sku' })))
      time.jump(2 * hour) // past due, but no scheduler callback runs: only the racing calls fire
      const raced = await Promise.all([a.fireDue(), b.fireDue(), a.fireDue(), b.fireDue()])
      expect(
        raced
          .flat()
          .map((f) => f.customerId)
          .sort(),
      ).toEqual(users)
      expect(fired.map((f) => f.customerId).sort()).toEqual(users)
      for (const user of users) expect(await tracked(user)).toHaveLength(1)
      a.stop()
      b.stop()
    })

    it('runs scheduled rules over the stored profiles, once per occurrence, however many runners check', async () => {
      const winBack = defineRule({
        id: 'win_back',
        schedule: { inactiveDays: 30, field: 'money.lastOrderAt' },
        then: { event: 'Win Back Sent' },
      })
      const prefix = freshPrefix()
      const time = createManualTime(start)
      const fired: RuleFiring[] = []
      const make = (store: Store): RuleRunner =>
        createRuleRunner({
          store,
          rules: [winBack],
          clock: time.clock,
          scheduler: time.scheduler,
          keyPrefix: prefix,
          pollIntervalMs: 0,
          scheduleIntervalMs: 0,
          onFire: (f) => void fired.push(f),
        })
      const order = (userId: string, daysAgo: number): EcrmEvent =>
        ({
          ...track(userId, 'Order Completed', { order_id: `${userId}-o`, total: 20 }),
          timestamp: new Date(start - daysAgo * 24 * hour).toISOString(),
        }) as EcrmEvent
      await db.store.insertEvents([order('rr-s1', 40), order('rr-s2', 10)])
      const [a, b] = [make(db.store), make(second)]
      const mine = (firings: RuleFiring[]): string[] =>
        firings.map((f) => f.customerId).filter((id) => id.startsWith('rr-s'))
      const first = await Promise.all([a.checkSchedules(), b.checkSchedules()])
      expect(mine(first.flat())).toEqual(['rr-s1'])
      expect(mine(await a.checkSchedules())).toEqual([]) // the same inactivity, already greeted
      expect(mine(fired)).toEqual(['rr-s1'])
      const rows = await db.store.query<{ customer_id: string }>(
        "select customer_id from ecrm_firings where payload->>'event' = 'Win Back Sent' and customer_id like 'rr-s%'",
      )
      expect(rows).toEqual([{ customer_id: 'rr-s1' }])
    })

    it('lets exactly one of two concurrent writers of a state win (compare-and-set)', async () => {
      const keyPrefix = freshPrefix()
      const one = createSqlRuleStateStore({ store: db.store, keyPrefix })
      const two = createSqlRuleStateStore({ store: second, keyPrefix })
      const key = one.stateKey('cart_abandoned', 'rr-cas')
      const pending = { id: 'p1', dueAt: start, reason: 'absence', triggeredAt: start, timeZone: 'UTC', trigger: null }
      await one.get(key)
      await one.set(key, { firings: 0, lastFiredAt: null, lastOccurrence: null, pending })
      expect(one.takeLost(key)).toBe(false)
      await Promise.all([one.get(key), two.get(key)])
      const fired = { firings: 1, lastFiredAt: start, lastOccurrence: null, pending: null }
      await Promise.all([one.set(key, fired), two.set(key, { ...fired, lastFiredAt: start + 1 })])
      expect([one.takeLost(key), two.takeLost(key)].sort()).toEqual([false, true])
      expect([await one.get(key), await two.get(key)]).toEqual([
        expect.objectContaining({ firings: 1, pending: null }),
        expect.objectContaining({ firings: 1 }),
      ])
    })

    it('hands a firing whose handler threw to onFire again, with the same id, once the redelivery delay passed', async () => {
      const time = createManualTime(start)
      const calls: string[] = []
      const runner = createRuleRunner({
        store: db.store,
        rules: [cartAbandoned],
        clock: time.clock,
        scheduler: time.scheduler,
        keyPrefix: freshPrefix(),
        pollIntervalMs: 0,
        redeliverAfterMs: 10 * minute,
        onFire: (firing) => {
          calls.push(firing.id)
          if (calls.length === 1) throw new Error('mail server down')
        },
      })
      time.watch(runner)
      await runner.start()
      await runner.processEvents([track('rr-u8', 'Product Added')])
      await time.advance(hour)
      expect(calls).toHaveLength(1)
      await runner.fireDue() // too early: the first delivery's lease still holds
      expect(calls).toHaveLength(1)
      await time.advance(10 * minute)
      await runner.fireDue()
      await runner.fireDue() // delivered now: never again
      expect(calls).toEqual([calls[0], calls[0]])
      expect(
        await db.store.query(
          "select attempts, delivered_at is not null as delivered from ecrm_firings where customer_id = 'rr-u8'",
        ),
      ).toEqual([{ attempts: 2, delivered: true }])
      runner.stop()
    })

    it('forgets the rule state of an erased customer: the pending reminder never fires', async () => {
      const time = createManualTime(start)
      const fired: RuleFiring[] = []
      const runner = runnerOn(db.store, time, freshPrefix(), fired)
      await runner.start()
      await db.store.insertEvents([track('rr-u7', 'Signed Up')])
      await runner.processEvents([track('rr-u7', 'Product Added', { product_id: 'sku-7' })])
      expect(
        await db.store.query("select count(*)::int as n from ecrm_rule_state where customer_id = 'rr-u7'"),
      ).toEqual([{ n: 1 }])
      await db.store.forget({ userId: 'rr-u7' })
      expect(
        await db.store.query("select count(*)::int as n from ecrm_rule_state where customer_id = 'rr-u7'"),
      ).toEqual([{ n: 0 }])
      expect(await db.store.query("select count(*)::int as n from ecrm_firings where customer_id = 'rr-u7'")).toEqual([
        { n: 0 },
      ])
      await time.advance(2 * hour)
      expect(fired).toEqual([])
      runner.stop()
    })
  })
}
