// @vitest-environment happy-dom
import { afterEach, describe, expect, it, vi } from 'vitest'
import { createMemoryRuleStateStore, emptyProfile, reduceProfile } from '@ecrm/core'
import type { EcrmEvent, KeyValueStore } from '@ecrm/core'
import { compactProfile, createLocalProfile } from '../src/onsite/localProfile.js'
import { createKeyValueRuleStateStore } from '../src/onsite/keyValueRuleStore.js'
import { watchSignals } from '../src/onsite/signals.js'

const memory = (): KeyValueStore & { map: Map<string, string> } => {
  const map = new Map<string, string>()
  return {
    map,
    get: (key) => map.get(key),
    set: (key, value) => void map.set(key, value),
    remove: (key) => void map.delete(key),
  }
}
const T0 = Date.parse('2026-03-01T10:00:00.000Z')
const track = (
  index: number,
  event = 'Product Viewed',
  properties: Record<string, unknown> = { product_id: `sku-${index}` },
): EcrmEvent =>
  ({
    type: 'track',
    event,
    properties,
    messageId: `m-${index}`,
    anonymousId: 'a-1',
    timestamp: new Date(T0 + index * 60_000).toISOString(),
  }) as EcrmEvent

describe('createLocalProfile', () => {
  it('gives the same profile as reduceProfile over the same events, and two tabs add up', () => {
    const storage = memory()
    const tabA = createLocalProfile('a-1', { storage })
    const tabB = createLocalProfile('a-1', { storage })
    const events = [track(1), track(2, 'Order Completed', { order_id: 'o-1', total: 30 }), track(3)]
    tabA.fold(events[0] as EcrmEvent, T0)
    tabB.fold(events[1] as EcrmEvent, T0) // reads tab A's write first
    tabA.fold(events[2] as EcrmEvent, T0)
    const reference = events.reduce((profile, event) => reduceProfile(profile, event), emptyProfile('a-1'))
    expect(tabA.get()).toEqual(reference)
    expect(JSON.parse(storage.map.get('ecrm.profile') as string)).toEqual(reference)
    expect(tabB.refresh()).toBe(true)
    expect(tabB.get().money.orderCount).toBe(1)
  })

  it('ignores a damaged stored profile and does not rewrite on an already seen event', () => {
    const storage = memory()
    storage.set('ecrm.profile', '{not json')
    const profile = createLocalProfile('a-1', { storage })
    expect(profile.get().id).toBe('a-1')
    expect(profile.fold(track(1), T0)).toBe(true)
    expect(profile.fold(track(1), T0)).toBe(false)
  })
})

describe('compactProfile', () => {
  it('fits the JSON under maxChars while money and totals stay exact', () => {
    let profile = emptyProfile('a-1')
    for (let index = 0; index < 600; index++) {
      profile = reduceProfile(
        profile,
        track(index * 1440, index % 10 === 0 ? 'Order Completed' : 'Product Viewed', {
          order_id: `o-${index}`,
          total: 10,
          product_id: `sku-${index % 50}`,
        }),
      )
    }
    const before = JSON.stringify(profile).length
    const { profile: compact, text } = compactProfile(profile, 40_000)
    expect(before).toBeGreaterThan(40_000)
    expect(text.length).toBeLessThanOrEqual(40_000)
    expect(text).toBe(JSON.stringify(compact))
    expect(compact.money).toEqual(profile.money)
    expect(compact.events.totals).toEqual(profile.events.totals)
    expect(compact.activity.at(-1)).toEqual(profile.activity.at(-1)) // the newest are kept
  })
})

describe('createKeyValueRuleStateStore', () => {
  it('behaves like the memory store and clears in one step', async () => {
    const storage = memory()
    const store = createKeyValueRuleStateStore(storage)
    const reference = createMemoryRuleStateStore()
    for (const target of [store, reference]) {
      await target.set('pending', { a: { dueAt: 5 } })
      await target.set('state:x:visitor', { firings: 1 })
      await target.set('pending', undefined)
    }
    expect(await store.get('state:x:visitor')).toEqual(await reference.get('state:x:visitor'))
    expect(await store.get('pending')).toBeUndefined()
    expect([...storage.map.keys()]).toEqual(['ecrm.rules'])
    store.clear()
    expect(storage.map.size).toBe(0)
    expect(await store.get('state:x:visitor')).toBeUndefined()
  })
})

describe('watchSignals', () => {
  afterEach(() => vi.useRealTimers())

  it('emits Idle after idleMs without input, again only after new activity', () => {
    // happy-dom's own timers are the DOM under test here; core code never sees these fake timers.
    vi.useFakeTimers()
    const seen: [string, Record<string, unknown>][] = []
    const stop = watchSignals({ idleMs: 30_000 }, (event, properties) => seen.push([event, properties]))
    vi.advanceTimersByTime(29_999)
    expect(seen).toHaveLength(0)
    vi.advanceTimersByTime(1)
    expect(seen).toEqual([['Idle', { idle_ms: 30_000 }]])
    vi.advanceTimersByTime(120_000)
    expect(seen).toHaveLength(1)
    window.dispatchEvent(new Event('keydown'))
    vi.advanceTimersByTime(30_000)
    expect(seen).toHaveLength(2)
    stop()
    window.dispatchEvent(new Event('keydown'))
    vi.advanceTimersByTime(60_000)
    expect(seen).toHaveLength(2)
  })

  it('emits each scroll depth once per page, and exit intent only through the top edge', () => {
    const seen: [string, Record<string, unknown>][] = []
    Object.defineProperty(document.documentElement, 'scrollHeight', { configurable: true, value: 4000 })
    Object.defineProperty(window, 'innerHeight', { configurable: true, value: 1000 })
    const stop = watchSignals({ scrollDepths: [75, 25, 50, 150], exitIntent: true }, (event, properties) =>
      seen.push([event, properties]),
    )
    const scrollTo = (y: number): void => {
      Object.defineProperty(window, 'scrollY', { configurable: true, value: y })
      window.dispatchEvent(new Event('scroll'))
    }
    scrollTo(1100) // bottom at 2100 of 4000: 52.5 %
    scrollTo(0)
    scrollTo(1100)
    document.dispatchEvent(new MouseEvent('mouseout', { clientY: 300, relatedTarget: null }))
    document.dispatchEvent(new MouseEvent('mouseout', { clientY: 0, relatedTarget: null }))
    stop()
    scrollTo(3000)
    expect(seen).toEqual([
      ['Scroll Depth Reached', { depth: 25, path: '/' }],
      ['Scroll Depth Reached', { depth: 50, path: '/' }],
      ['Exit Intent', {}],
    ])
  })
})
