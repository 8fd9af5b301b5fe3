import { describe, expect, it } from 'vitest'
import { createRuleEngine } from '../../src/rules/ruleEngine.js'
import { createMemoryRuleStateStore } from '../../src/rules/ruleStateStore.js'
import { defineRule } from '../../src/rules/defineRule.js'
import type { RuleDefinition } from '../../src/rules/ruleSchema.js'
import type { RuleFiring } from '../../src/rules/ruleTypes.js'
import { createManualClock } from '../fakes/manualClock.js'

const minute = 60_000
const hour = 60 * minute
const day = 24 * hour
const start = Date.UTC(2026, 5, 1, 10, 0) // Monday 2026-06-01 10:00Z (12:00 in Paris)

const cartAbandoned = defineRule({
  id: 'cart_abandoned',
  when: 'Product Added',
  unless: 'Order Completed',
  within: '1h',
  then: { event: 'Cart Abandoned' },
})

function setup(rules: RuleDefinition[], entries = new Map<string, string>(), at = start) {
  const time = createManualClock({ startAt: at })
  const fired: RuleFiring[] = []
  const store = createMemoryRuleStateStore(entries)
  const engine = createRuleEngine({
    rules,
    clock: time.clock,
    scheduler: time.scheduler,
    store,
    onFire: (f) => void fired.push(f),
  })
  return { time, fired, engine, entries }
}

describe('createRuleEngine: absence (cart abandonment)', () => {
  it('fires once, 1 h after the cart addition, when no order came', async () => {
    const { time, fired, engine } = setup([cartAbandoned])
    await engine.process({ event: 'Product Added', userId: 'u-1', properties: { product_id: 'sku-1' } })
    await time.advance(59 * minute)
    expect(fired).toHaveLength(0)
    await time.advance(1 * minute)
    expect(fired).toHaveLength(1)
    expect(fired[0]).toEqual({
      id: `cart_abandoned:1:${(start + hour).toString(36)}:u-1`,
      ruleId: 'cart_abandoned',
      customerId: 'u-1',
      at: start + hour,
      event: {
        event: 'Cart Abandoned',
        properties: {
          rule_id: 'cart_abandoned',
          trigger_event: 'Product Added',
          trigger_properties: { product_id: 'sku-1' },
          triggered_at: new Date(start).toISOString(),
        },
      },
    })
    await time.advance(3 * day)
    expect(fired).toHaveLength(1)
    expect(await engine.pending()).toEqual([])
  })

  it('never fires when the order comes at 59 min', async () => {
    const { time, fired, engine } = setup([cartAbandoned])
    await engine.process({ event: 'Product Added', userId: 'u-1' })
    await time.advance(59 * minute)
    await engine.process({ event: 'Order Completed', userId: 'u-1' })
    await time.advance(2 * day)
    expect(fired).toHaveLength(0)
    expect(time.pending()).toBe(0)
  })

  it('keeps customers apart and restarts the window on a new cart addition', async () => {
    const { time, fired, engine } = setup([cartAbandoned])
    await engine.process({ event: 'Product Added', userId: 'u-1' })
    await engine.process({ event: 'Product Added', anonymousId: 'anon-2' })
    await time.advance(30 * minute)
    await engine.process({ event: 'Product Added', userId: 'u-1' })
    await engine.process({ event: 'Order Completed', userId: 'other' })
    await time.advance(30 * minute)
    expect(fired.map((f) => f.customerId)).toEqual(['anon-2'])
    await time.advance(30 * minute)
    expect(fired.map((f) => [f.customerId, f.at])).toEqual([
      ['anon-2', start + hour],
      ['u-1', start + 90 * minute],
    ])
  })

  it('fires exactly once when the process restarts in the middle of the window', async () => {
    const entries = new Map<string, string>()
    const first = setup([cartAbandoned], entries)
    await first.engine.process({ event: 'Product Added', userId: 'u-1' })
    await first.time.advance(30 * minute)
    first.engine.stop() // the process dies; its timers with it

    const second = setup([cartAbandoned], entries, start + 30 * minute)
    await second.engine.start()
    await second.time.advance(29 * minute)
    expect(second.fired).toHaveLength(0)
    await second.time.advance(1 * minute)
    await second.time.advance(day)
    expect([...first.fired, ...second.fired]).toHaveLength(1)
    expect(second.fired[0]?.at).toBe(start + hour)

    // A third start over the same state has nothing left to fire.
    const third = setup([cartAbandoned], entries, start + 2 * day)
    await third.engine.start()
    await third.time.advance(day)
    expect(third.fired).toHaveLength(0)
  })

  it('fires a timer that came due while the process was down once, at start', async () => {
    const entries = new Map<string, string>()
    const first = setup([cartAbandoned], entries)
    await first.engine.process({ event: 'Product Added', userId: 'u-1' })
    first.engine.stop()
    const second = setup([cartAbandoned], entries, start + 5 * hour)
    await second.engine.start()
    await second.time.advance(0)
    await second.engine.fireDue() // a polling host calling it again must not double it
    await second.time.advance(day)
    expect(second.fired.map((f) => f.at)).toEqual([start + 5 * hour])
  })

  it('does not fire twice when two schedulers over one store both wake up', async () => {
    const entries = new Map<string, string>()
    const a = setup([cartAbandoned], entries)
    await a.engine.process({ event: 'Product Added', userId: 'u-1' })
    const b = setup([cartAbandoned], entries)
    await b.engine.start()
    await a.time.advance(hour)
    await b.time.advance(hour)
    expect(a.fired.length + b.fired.length).toBe(1)
  })
})

describe('createRuleEngine: caps, cooldown and quiet hours', () => {
  const clicked = (rule: Partial<RuleDefinition>) => defineRule({ id: 'clicked', when: 'Email Clicked', ...rule })

  it('holds the cooldown between firings', async () => {
    const { time, fired, engine } = setup([clicked({ cooldown: '1d' })])
    const click = { event: 'Email Clicked', userId: 'u-1' }
    expect(await engine.process(click)).toHaveLength(1)
    await time.advance(23 * hour)
    expect(await engine.process(click)).toHaveLength(0)
    await time.advance(1 * hour)
    expect(await engine.process(click)).toHaveLength(1)
    expect(fired.map((f) => f.at)).toEqual([start, start + day])
  })

  it('stops at maxFirings per customer', async () => {
    const { fired, engine } = setup([clicked({ maxFirings: 2 })])
    for (let index = 0; index < 5; index += 1) await engine.process({ event: 'Email Clicked', userId: 'u-1' })
    await engine.process({ event: 'Email Clicked', userId: 'u-2' })
    expect(fired.map((f) => f.customerId)).toEqual(['u-1', 'u-1', 'u-2'])
  })

  it('defers a firing in quiet hours to their end in the customer zone, once', async () => {
    const rule = clicked({ quietHours: { start: '21:00', end: '08:00' } })
    // 20:30Z on 1 June is 22:30 in Paris (UTC+2): quiet until 08:00 Paris = 06:00Z on 2 June.
    const { time, fired, engine } = setup([rule], new Map(), Date.UTC(2026, 5, 1, 20, 30))
    const profile = { traits: { timezone: 'Europe/Paris' } }
    expect(await engine.process({ event: 'Email Clicked', userId: 'u-1' }, profile)).toEqual([])
    await time.advance(Date.UTC(2026, 5, 2, 5, 59) - time.clock.now())
    expect(fired).toHaveLength(0)
    await time.advance(Date.UTC(2026, 5, 3) - time.clock.now())
    expect(fired.map((f) => f.at)).toEqual([Date.UTC(2026, 5, 2, 6, 0)])
  })

  it('fires at once outside quiet hours, and uses the event zone when the profile has none', async () => {
    const rule = clicked({ quietHours: { start: '21:00', end: '08:00' } })
    // 20:30Z is 16:30 in New York: not quiet.
    const { fired, engine } = setup([rule], new Map(), Date.UTC(2026, 5, 1, 20, 30))
    await engine.process({ event: 'Email Clicked', userId: 'u-1', context: { timezone: 'America/New_York' } })
    expect(fired).toHaveLength(1)
  })

  it('evaluates the when condition and if on { event, profile }', async () => {
    const bigOrder = defineRule({
      id: 'big_order',
      when: { event: 'Order Completed', if: { '>=': [{ var: 'event.properties.total' }, 100] } },
      if: { '==': [{ var: 'profile.traits.vip' }, true] },
    })
    const { fired, engine } = setup([bigOrder])
    await engine.process(
      { event: 'Order Completed', userId: 'a', properties: { total: 150 } },
      { traits: { vip: true } },
    )
    await engine.process(
      { event: 'Order Completed', userId: 'b', properties: { total: 50 } },
      { traits: { vip: true } },
    )
    await engine.process(
      { event: 'Order Completed', userId: 'c', properties: { total: 150 } },
      { traits: { vip: false } },
    )
    await engine.process({ event: 'Order Completed', properties: { total: 150 } }, { traits: { vip: true } })
    expect(fired.map((f) => f.customerId)).toEqual(['a'])
  })
})

describe('createRuleEngine: schedules', () => {
  it('fires a daily rule once per local day, after its local time', async () => {
    const digest = defineRule({ id: 'daily_digest', schedule: { daily: '09:00' }, timeZone: 'Europe/Paris' })
    const { time, fired, engine } = setup([digest], new Map(), Date.UTC(2026, 5, 1, 6, 0)) // 08:00 Paris
    expect(await engine.checkSchedules('u-1', {})).toHaveLength(0)
    await time.advance(Date.UTC(2026, 5, 1, 7, 0) - time.clock.now()) // 09:00 Paris
    expect(await engine.checkSchedules('u-1', {})).toHaveLength(1)
    expect(await engine.checkSchedules('u-1', {})).toHaveLength(0)
    await time.advance(Date.UTC(2026, 5, 2, 7, 30) - time.clock.now())
    expect(await engine.checkSchedules('u-1', {})).toHaveLength(1)
    expect(fired).toHaveLength(2)
  })

  it('fires a birthday rule once on the local birthday', async () => {
    const birthday = defineRule({ id: 'birthday', schedule: { birthday: 'traits.birthday', at: '09:00' } })
    const profile = { traits: { birthday: '1990-06-02', timezone: 'Asia/Tokyo' } }
    // 2026-06-02 00:30Z is 09:30 on 2 June in Tokyo.
    const { time, engine } = setup([birthday], new Map(), Date.UTC(2026, 5, 1, 23, 0))
    expect(await engine.checkSchedules('u-1', profile)).toHaveLength(0) // 08:00 in Tokyo
    await time.advance(Date.UTC(2026, 5, 2, 0, 30) - time.clock.now())
    expect(await engine.checkSchedules('u-1', profile)).toHaveLength(1)
    expect(await engine.checkSchedules('u-1', profile)).toHaveLength(0)
  })

  it('fires a win-back once per inactivity period', async () => {
    // No field: the stored profile's money.lastOrderAt (epoch ms).
    const winBack = defineRule({ id: 'win_back', schedule: { inactiveDays: 60 } })
    const { time, engine } = setup([winBack])
    const profile = { money: { lastOrderAt: start - 59 * day } }
    expect(await engine.checkSchedules('u-1', profile)).toHaveLength(0)
    await time.advance(day)
    expect(await engine.checkSchedules('u-1', profile)).toHaveLength(1)
    await time.advance(day)
    expect(await engine.checkSchedules('u-1', profile)).toHaveLength(0)
    // A new order, then 60 more silent days: a new period.
    const later = { money: { lastOrderAt: start + 2 * day } }
    await time.advance(60 * day)
    expect(await engine.checkSchedules('u-1', later)).toHaveLength(1)
  })
})

describe('defineRule', () => {
  it('refuses malformed rules with the path of each fault', () => {
    const refused = (rule: unknown): unknown => {
      try {
        defineRule(rule as RuleDefinition)
      } catch (error) {
        return (error as { issues: { path: unknown }[] }).issues.map((issue) => issue.path)
      }
      return 'accepted'
    }
    expect(refused({ id: 'Bad Id', when: 'x' })).toEqual([['id']])
    expect(refused({ id: 'a', when: 'x', within: 'soon', unless: 'y' })).toEqual([['within']])
    expect(refused({ id: 'a', when: 'x', unless: 'y' })).toEqual([['within']])
    expect(refused({ id: 'a' })).toEqual([['when']])
    expect(refused({ id: 'a', when: 'x', quietHours: { start: '25:00', end: '08:00' } })).toEqual([
      ['quietHours', 'start'],
    ])
    expect(refused({ id: 'a', when: 'x', if: { and: [true, { dayz_since: 1 }] } })).toEqual([
      ['if', 'and', 1, 'dayz_since'],
    ])
    expect(refused({ id: 'a', when: { event: 'x', if: { '==': [1] } } })).toEqual([['when', 'if', '==']])
    expect(refused({ id: 'a', when: 'x', timeZone: 'Mars/Olympus' })).toEqual([['timeZone']])
    expect(refused({ id: 'a', when: 'x', surprise: 1 })).toEqual([[]])
    expect(refused(cartAbandoned)).toBe('accepted')
  })

  it('explains the fault in the message', () => {
    expect(() => defineRule({ id: 'a', when: 'x', if: { dayz_since: 1 } })).toThrow(
      /Invalid rule "a": if\.dayz_since \(unknown operator "dayz_since"/,
    )
  })
})
