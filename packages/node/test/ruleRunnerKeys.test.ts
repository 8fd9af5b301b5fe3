import { describe, expect, it } from 'vitest'
import { defineRule } from '@ecrm/core'
import type { EcrmEvent, RuleFiring } from '@ecrm/core'
import { createRuleRunner } from '../src/rules/ruleRunner.js'
import type { RuleRunnerOptions } from '../src/rules/ruleRunner.js'
import { createPgliteStore } from '../src/store/pgliteStore.js'
import type { Store } from '../src/store/storeTypes.js'
import { createManualTime } from './ruleRunnerContract.js'

const START = Date.UTC(2026, 5, 1, 10, 0)
const HOUR = 3_600_000
const cart = (id: string) =>
  defineRule({ id, when: 'Product Added', unless: 'Order Completed', within: '1h', then: { event: 'Cart Abandoned' } })

let sequence = 0
const event = (fields: Record<string, unknown>): EcrmEvent =>
  ({ messageId: `keys-${(sequence += 1)}`, ...fields }) as EcrmEvent

async function setUp(options: Omit<RuleRunnerOptions, 'store' | 'clock' | 'scheduler'>) {
  const store = await createPgliteStore()
  const time = createManualTime(START)
  const fired: RuleFiring[] = []
  const runner = createRuleRunner({
    ...options,
    store,
    clock: time.clock,
    scheduler: time.scheduler,
    pollIntervalMs: 0,
    onFire: (firing) => void fired.push(firing),
  })
  time.watch(runner)
  await runner.start()
  /** Stores the events, then hands the new ones to the runner (what the ingest handler's onEvents does). */
  const ingest = async (events: EcrmEvent[]): Promise<RuleFiring[]> =>
    runner.processEvents((await store.insertEvents(events, { returnStored: true })).stored ?? [])
  return { store, time, fired, runner, ingest }
}

const signInAndBuy = [
  event({ type: 'identify', anonymousId: 'a-1', userId: 'u-1', traits: { email: 'one@shop.example' } }),
  event({
    type: 'track',
    anonymousId: 'a-1',
    userId: 'u-1',
    event: 'Order Completed',
    properties: { order_id: 'o-1', total: 10 },
  }),
]

describe('createRuleRunner customerKey', () => {
  it('anonymousId: an order placed after signing in cancels the reminder armed while anonymous; userId does not', async () => {
    const { store, time, fired, runner, ingest } = await setUp({
      rules: [cart('cart_browser'), cart('cart_user')],
      customerKey: { cart_browser: 'anonymousId' },
    })
    await ingest([
      event({ type: 'track', anonymousId: 'a-1', event: 'Product Added', properties: { product_id: 'sku' } }),
    ])
    expect((await runner.pending()).map((entry) => [entry.ruleId, entry.customerId]).sort()).toEqual([
      ['cart_browser', 'a-1'],
      ['cart_user', 'a-1'],
    ])
    await time.advance(10 * 60_000)
    await ingest(signInAndBuy)
    await time.advance(2 * HOUR)
    // The user-keyed rule saw the order under u-1, not a-1: its reminder went out regardless.
    expect(fired.map((firing) => [firing.ruleId, firing.customerId, firing.at])).toEqual([
      ['cart_user', 'a-1', START + HOUR],
    ])
    expect(await runner.pending()).toEqual([])
    runner.stop()
    await store.close()
  }, 60_000)

  it('keeps each key in its own state rows, so a restart re-arms both', async () => {
    const { store, time, runner, ingest } = await setUp({
      rules: [cart('cart_browser'), cart('cart_user')],
      customerKey: { cart_browser: 'anonymousId' },
    })
    await ingest([event({ type: 'track', anonymousId: 'a-2', event: 'Product Added' })])
    runner.stop()
    const fired: RuleFiring[] = []
    const again = createRuleRunner({
      store,
      rules: [cart('cart_browser'), cart('cart_user')],
      customerKey: { cart_browser: 'anonymousId' },
      clock: time.clock,
      scheduler: time.scheduler,
      pollIntervalMs: 0,
      onFire: (firing) => void fired.push(firing),
    })
    time.watch(again)
    await again.start()
    expect((await again.pending()).map((entry) => entry.ruleId).sort()).toEqual(['cart_browser', 'cart_user'])
    const keys = await store.query<{ key: string }>('select key from ecrm_rule_state order by key')
    expect(keys.map((row) => row.key)).toEqual([
      'ecrm:rules:anonymousId:state:cart_browser:a-2',
      'ecrm:rules:state:cart_user:a-2',
    ])
    again.stop()
    await store.close()
  }, 60_000)

  it('profile: one customer across ids; the firing is recorded under the store customer id', async () => {
    const { store, time, fired, runner, ingest } = await setUp({
      rules: [cart('cart_abandoned')],
      customerKey: 'profile',
    })
    await ingest([
      event({ type: 'identify', anonymousId: 'a-3', userId: 'u-3' }),
      event({ type: 'track', anonymousId: 'a-3', event: 'Product Added' }),
    ])
    await time.advance(2 * HOUR)
    const profile = await store.getProfile('u-3')
    expect(profile).toBeDefined()
    expect(fired.map((firing) => firing.customerId)).toEqual([profile?.id])
    expect(await store.query("select customer_id from ecrm_firings where rule_id = 'cart_abandoned'")).toEqual([
      { customer_id: profile?.id },
    ])
    expect(await store.query("select count(*)::int as n from ecrm_events where event = 'Cart Abandoned'")).toEqual([
      { n: 0 },
    ])
    runner.stop()
    await store.close()
  }, 60_000)
})

describe('createRuleRunner and identify calls', () => {
  it('runs them as "Identify" events with the traits as properties', async () => {
    const welcome = defineRule({
      id: 'welcome',
      when: { event: 'Identify', if: { '!!': [{ var: 'event.properties.email' }] } },
      maxFirings: 1,
      then: { event: 'Rule Fired' },
    })
    const { store, ingest, runner } = await setUp({ rules: [welcome] })
    expect(await ingest([event({ type: 'identify', userId: 'u-4', traits: { plan: 'free' } })])).toEqual([])
    const first = await ingest([event({ type: 'identify', userId: 'u-4', traits: { email: 'four@shop.example' } })])
    expect(first.map((firing) => [firing.ruleId, firing.customerId, firing.event.properties['trigger_event']])).toEqual(
      [['welcome', 'u-4', 'Identify']],
    )
    expect(await ingest([event({ type: 'identify', userId: 'u-4', traits: { email: 'four@shop.example' } })])).toEqual(
      [],
    )
    // A page view is not an Identify, even for a rule that names one.
    expect(await ingest([event({ type: 'page', userId: 'u-5', properties: {} })])).toEqual([])
    runner.stop()
    await (store as Store).close()
  }, 60_000)
})
