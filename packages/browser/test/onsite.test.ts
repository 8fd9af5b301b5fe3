// @vitest-environment happy-dom
import 'fake-indexeddb/auto'
import { afterEach, describe, expect, it } from 'vitest'
import { assignVariant, createMemoryQueue, getBucketRanges, chooseVariation, hashFnv } from '@ecrm/core'
import type { EcrmError, Experiment, Queue, RuleDefinition, RuleFiring } from '@ecrm/core'
import { createBrowserClientHandle } from '../src/browserClient.js'
import type { BrowserClientOptions } from '../src/browserClientTypes.js'
import { startOnsite } from '../src/onsite/startOnsite.js'
import {
  createFakeConnectivity,
  createManualClock,
  createScriptedTransport,
  createSequentialIds,
} from '../../core/test/fakes/index.js'

const T0 = Date.parse('2026-03-01T10:00:00.000Z')
const MINUTE = 60_000
const closers: (() => Promise<void>)[] = []
let dbCounter = 0

afterEach(async () => {
  for (const close of closers.splice(0)) await close()
  localStorage.clear()
  history.replaceState(null, '', '/')
})

const cartAbandoned: RuleDefinition = {
  id: 'cart_abandoned',
  when: 'Product Added',
  unless: 'Order Completed',
  within: '20m',
  then: { event: 'Cart Abandoned' },
}
const bigSpender: RuleDefinition = {
  id: 'big_spender',
  when: 'Order Completed',
  if: { '>=': [{ var: 'profile.money.revenue' }, 100] },
}
const cta: Experiment = { key: 'checkout_cta', variations: [{ id: 'control' }, { id: 'buy_now' }, { id: 'pay' }] }

/** One page load over shared storage: a new clock at `startAt`, a new client, the same localStorage and IndexedDB. */
const load = (overrides: Partial<BrowserClientOptions> = {}, startAt = T0, db = `ecrm-onsite-${++dbCounter}`) => {
  const time = createManualClock({ startAt, settleTurns: 40 })
  const scripted = createScriptedTransport()
  const errors: EcrmError[] = []
  const handle = createBrowserClientHandle(
    {
      writeKey: 'wk',
      endpoint: 'https://collect.shop.example',
      dbName: db,
      capture: { pageViews: false },
      onError: (error) => errors.push(error),
      ...overrides,
      ports: {
        clock: time,
        scheduler: time,
        transport: scripted.transport,
        connectivity: createFakeConnectivity(true),
        createId: createSequentialIds(`id-${startAt}-`),
        ...overrides.ports,
      },
    },
    startOnsite,
  )
  closers.push(() => handle.client.close())
  const sent = async (): Promise<Record<string, any>[]> => {
    await time.settle()
    await handle.client.flush()
    return scripted.sentEvents() as Record<string, any>[]
  }
  return { client: handle.client, time, errors, sent, db }
}

describe('ecrm.profile()', () => {
  it('folds each accepted event into a persisted profile that a reload reads back, and forget() clears it', async () => {
    const first = load()
    first.client.identify('user-42', { email: 'ada@shop.example', plan: 'pro' })
    first.client.track('Order Completed', { order_id: 'o-1', total: 60, currency: 'EUR' })
    first.client.track('Order Completed', { order_id: 'o-2', total: 90, currency: 'EUR' })
    await first.time.settle()
    const profile = first.client.profile()
    expect(profile?.money).toMatchObject({ orderCount: 2, revenue: 150, aov: 75, currency: 'EUR' })
    expect(profile?.traits).toMatchObject({ email: 'ada@shop.example', plan: 'pro' })
    expect(profile?.identities.userIds).toEqual(['user-42'])
    expect(first.client.profile()).toBe(profile) // same identity until something changes
    expect(JSON.parse(localStorage.getItem('ecrm.profile') ?? '{}').money.orderCount).toBe(2)
    await first.client.close()

    const second = load({}, T0 + MINUTE, first.db)
    expect(second.client.profile()?.money.orderCount).toBe(2)
    await second.client.forget()
    expect(localStorage.getItem('ecrm.profile')).toBeNull()
    expect(second.client.profile()?.money.orderCount).toBe(0)
  })

  it('folds an event as its queue write starts, before the queue has confirmed it (and rules see it)', async () => {
    const memory = createMemoryQueue()
    let confirm = (): void => undefined
    const confirmed = new Promise<void>((resolve) => (confirm = resolve))
    // A write that takes real time, as IndexedDB's does.
    const slow: Queue = { ...memory, enqueue: async (items) => (await confirmed, memory.enqueue(items)) }
    const { client, time } = load({ rules: [bigSpender], ports: { queue: slow } })
    client.track('Order Completed', { order_id: 'o-1', total: 120, currency: 'EUR' })
    await Promise.resolve() // the coalesced write starts a microtask after the call
    expect(client.profile()?.money.orderCount).toBe(1)
    expect(client.rule('big_spender')).toBe(true)
    expect(await memory.size()).toBe(0)
    confirm()
    await time.settle()
    expect((await memory.peek()).filter((item) => JSON.parse(item.payload).event === 'Order Completed')).toHaveLength(1)
    expect(client.profile()?.money.orderCount).toBe(1) // folded once
  })

  it("keeps nothing on the device with profile: false, yet rules still see the page's events", async () => {
    const { client, time } = load({ profile: false, rules: [bigSpender] })
    client.track('Order Completed', { order_id: 'o-1', total: 120 })
    await time.settle()
    expect(client.profile()).toBeUndefined()
    expect(localStorage.getItem('ecrm.profile')).toBeNull()
    expect(client.rule('big_spender')).toBe(true)
  })

  it('notifies subscribers once per change and keeps snapshots immutable', async () => {
    const { client, time } = load()
    let notified = 0
    client.subscribeOnsite(() => (notified += 1))
    const before = client.profile()
    client.track('Product Viewed', { product_id: 'sku-1' })
    await time.settle()
    expect(notified).toBe(1)
    expect(client.profile()).not.toBe(before)
    expect(before?.products.viewed).toEqual({})
    expect(client.profile()?.products.viewed).toEqual({ 'sku-1': 1 })
  })
})

describe('on-site rules', () => {
  it('fires a cart abandonment once after the window, tracks Cart Abandoned and calls rule:<id> handlers', async () => {
    const { client, time, sent } = load({ rules: [cartAbandoned] })
    const firings: RuleFiring[] = []
    client.on('rule:cart_abandoned', (firing) => firings.push(firing as RuleFiring))
    client.track('Product Added', { product_id: 'sku-1' })
    await time.advance(19 * MINUTE)
    expect(firings).toHaveLength(0)
    await time.advance(2 * MINUTE)
    expect(firings).toHaveLength(1)
    expect(firings[0]).toMatchObject({ ruleId: 'cart_abandoned', event: { event: 'Cart Abandoned' } })
    await time.advance(60 * MINUTE)
    const abandoned = (await sent()).filter((event) => event['event'] === 'Cart Abandoned')
    expect(abandoned).toHaveLength(1)
    expect(abandoned[0]?.['properties']).toMatchObject({ rule_id: 'cart_abandoned', trigger_event: 'Product Added' })
  })

  it('records a firing as a firing: its tracked event carries firing_id, and is neither folded into the profile nor run through the rules', async () => {
    const echo: RuleDefinition = { id: 'echo', when: 'Cart Abandoned' }
    const { client, time, sent } = load({ rules: [cartAbandoned, echo] })
    client.track('Product Added', { product_id: 'sku-1' })
    await time.settle()
    const seenAt = client.profile()?.lastSeenAt
    expect(seenAt).toBe(T0)
    await time.advance(21 * MINUTE)
    const abandoned = (await sent()).filter((event) => event['event'] === 'Cart Abandoned')
    expect(abandoned).toHaveLength(1)
    expect(abandoned[0]?.['properties']['firing_id']).toMatch(/^cart_abandoned:1:/)
    expect(client.profile()?.events.totals['Cart Abandoned']).toBeUndefined()
    expect(client.profile()?.lastSeenAt).toBe(seenAt)
    expect((await sent()).filter((event) => event['event'] === 'Rule Fired')).toEqual([]) // the echo rule never saw it
  })

  it('runs an identify call as an Identify event, as the server does', async () => {
    const welcome: RuleDefinition = {
      id: 'welcome',
      when: { event: 'Identify', if: { '!!': [{ var: 'event.properties.email' }] } },
      maxFirings: 1,
    }
    const { client, time } = load({ rules: [welcome] })
    const firings: RuleFiring[] = []
    client.on('rule:welcome', (firing) => firings.push(firing as RuleFiring))
    client.identify('user-1', { plan: 'free' })
    client.identify('user-1', { email: 'one@shop.example' })
    client.identify('user-1', { email: 'one@shop.example' })
    await time.settle()
    expect(firings.map((firing) => firing.event.properties['trigger_event'])).toEqual(['Identify'])
  })

  it('does not fire when the order comes inside the window', async () => {
    const { client, time } = load({ rules: [cartAbandoned] })
    const firings: unknown[] = []
    client.on('rule:cart_abandoned', (firing) => firings.push(firing))
    client.track('Product Added', { product_id: 'sku-1' })
    await time.advance(19 * MINUTE)
    client.track('Order Completed', { order_id: 'o-1', total: 10 })
    await time.advance(60 * MINUTE)
    expect(firings).toHaveLength(0)
  })

  it('keeps a pending timer across a reload and fires it exactly once', async () => {
    const first = load({ rules: [cartAbandoned] })
    first.client.track('Product Added', { product_id: 'sku-1' })
    await first.time.advance(5 * MINUTE)
    await first.client.close()
    expect(JSON.parse(localStorage.getItem('ecrm.rules') ?? '{}')['pending']).toBeDefined()

    // The page reloads 10 minutes later; the window ends 5 minutes after that.
    const second = load({ rules: [cartAbandoned] }, T0 + 15 * MINUTE, first.db)
    const firings: unknown[] = []
    second.client.on('rule:cart_abandoned', (firing) => firings.push(firing))
    await second.time.advance(4 * MINUTE)
    expect(firings).toHaveLength(0)
    await second.time.advance(2 * MINUTE)
    expect(firings).toHaveLength(1)
    await second.time.advance(60 * MINUTE)
    expect(firings).toHaveLength(1)
  })

  it('fires at load a timer that fell due while the page was closed', async () => {
    const first = load({ rules: [cartAbandoned] })
    first.client.track('Product Added', { product_id: 'sku-1' })
    await first.time.settle()
    await first.client.close()
    const second = load({ rules: [cartAbandoned] }, T0 + 3 * 60 * MINUTE, first.db)
    await second.time.advance(0) // the re-armed timer is due at once
    const abandoned = (await second.sent()).filter((event) => event['event'] === 'Cart Abandoned')
    expect(abandoned).toHaveLength(1)
  })

  it('answers rule(id) from the condition over the live profile', async () => {
    const { client, time } = load({ rules: [bigSpender] })
    expect(client.rule('big_spender')).toBe(false)
    expect(client.rule('nope')).toBeUndefined()
    client.track('Order Completed', { order_id: 'o-1', total: 60 })
    await time.settle()
    expect(client.rule('big_spender')).toBe(false)
    client.track('Order Completed', { order_id: 'o-2', total: 50 })
    await time.settle()
    expect(client.rule('big_spender')).toBe(true)
  })

  it('reports a malformed rule on onError and runs the others', async () => {
    const bad = { id: 'bad', when: 'Product Added', if: { dayz_since: [1] } } as unknown as RuleDefinition
    const { client, errors } = load({ rules: [bad, bigSpender] })
    expect(errors.map((error) => error.code)).toContain('invalid_rule')
    expect(errors.find((error) => error.code === 'invalid_rule')?.message).toMatch(/rules\["bad"\].*dayz_since/)
    expect(client.rule('bad')).toBeUndefined()
    expect(client.rule('big_spender')).toBe(false)
  })

  it('runs rules on local engagement signals that are not sent', async () => {
    const exitOffer: RuleDefinition = { id: 'exit_offer', when: 'Exit Intent', then: { event: 'Exit Offer Shown' } }
    const { client, time, sent } = load({ rules: [exitOffer], signals: { exitIntent: true } })
    const firings: unknown[] = []
    client.on('rule:exit_offer', (firing) => firings.push(firing))
    document.dispatchEvent(new MouseEvent('mouseout', { clientY: -2, relatedTarget: null }))
    document.dispatchEvent(new MouseEvent('mouseout', { clientY: -2, relatedTarget: null }))
    await time.settle()
    expect(firings).toHaveLength(1)
    const names = (await sent()).map((event) => event['event'])
    expect(names).toContain('Exit Offer Shown')
    expect(names).not.toContain('Exit Intent')
    expect(client.profile()?.events.totals['Exit Intent']).toBe(1)
  })
})

describe('ecrm.experiment()', () => {
  it('assigns the GrowthBook bucket of the anonymousId, keeps it sticky across reloads and exposes once', async () => {
    const first = load({ experiments: [cta] })
    const visitor = first.client.user().anonymousId as string
    expect(visitor).toMatch(/^id-/) // created at start, before any event
    // The expected arm, computed from the published hashing primitives rather than assignVariant.
    const n = hashFnv('checkout_cta', visitor, 2) as number
    const expected = cta.variations[chooseVariation(n, getBucketRanges(3, 1))]?.id
    const assignment = first.client.experiment('checkout_cta')
    expect(assignment).toMatchObject({ variationId: expected, inExperiment: true, reason: 'assigned' })
    expect(first.client.experiment('checkout_cta')).toBe(assignment)
    expect((await first.sent()).filter((event) => event['event'] === 'Experiment Viewed')).toHaveLength(1)
    await first.client.close()

    const second = load({ experiments: [{ ...cta, weights: [0.9, 0.05, 0.05] }] }, T0 + MINUTE, first.db)
    expect(second.client.user().anonymousId).toBe(visitor)
    expect(second.client.experiment('checkout_cta')).toMatchObject({ variationId: expected, reason: 'sticky' })
    expect((await second.sent()).filter((event) => event['event'] === 'Experiment Viewed')).toHaveLength(0)
  })

  it('honours the URL override for QA without sending an exposure', async () => {
    history.replaceState(null, '', '/checkout?ecrm_exp_checkout_cta=2')
    const { client, sent } = load({ experiments: [cta] })
    expect(client.experiment('checkout_cta')).toMatchObject({ variationId: 'pay', reason: 'query_override' })
    expect((await sent()).filter((event) => event['event'] === 'Experiment Viewed')).toHaveLength(0)
    expect(client.experiment('unknown')).toBeUndefined()
  })

  it('targets on the profile with a JsonLogic condition', async () => {
    const vip: Experiment = { ...cta, key: 'vip_banner', condition: { '>=': [{ var: 'profile.money.orderCount' }, 1] } }
    const { client, time } = load({ experiments: [vip] })
    expect(client.experiment('vip_banner', { expose: false })).toMatchObject({
      inExperiment: false,
      reason: 'condition_failed',
    })
    client.track('Order Completed', { order_id: 'o-1', total: 10 })
    await time.settle()
    const visitor = client.user().anonymousId as string
    const reference = assignVariant(
      vip,
      { id: visitor, profile: { money: { orderCount: 1 } } },
      { evaluate: () => true },
    )
    expect(client.experiment('vip_banner', { expose: false })).toMatchObject({
      inExperiment: true,
      variationId: reference.variationId,
    })
  })
})

describe('ecrm.leadScore()', () => {
  it('scores the local profile with the default model and rescoring follows new events', async () => {
    const { client, time } = load()
    const before = client.leadScore()
    expect(before?.score).toBe(0)
    client.identify({ email: 'ada@acme.example', company: 'Acme', title: 'Head of Sales' })
    client.page('Pricing', { path: '/pricing' })
    await time.settle()
    const after = client.leadScore()
    expect(after?.score).toBeGreaterThan(0)
    expect(after?.reasons.reduce((sum, reason) => sum + reason.points, 0)).toBeCloseTo(after?.score ?? NaN, 1)
    expect(client.leadScore()).toBe(after)
  })

  it('is off with leadModel: false', () => {
    expect(load({ leadModel: false }).client.leadScore()).toBeUndefined()
  })
})
