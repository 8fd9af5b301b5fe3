import { describe, expect, it } from 'vitest'
import type { Scheduler } from '../../src/ports.js'
import { customerTimeZone } from '../../src/rules/customerTimeZone.js'
import { defineRule } from '../../src/rules/defineRule.js'
import { createRuleEngine } from '../../src/rules/ruleEngine.js'
import { RULE_EVENTS, toRuleEvent } from '../../src/rules/ruleEvents.js'
import { createMemoryRuleStateStore } from '../../src/rules/ruleStateStore.js'
import type { RuleFiring } from '../../src/rules/ruleTypes.js'
import { MAX_TIMER_DELAY_MS, withLongDelays } from '../../src/time/longDelays.js'
import { createManualClock } from '../fakes/manualClock.js'

const day = 86_400_000
const start = Date.UTC(2026, 5, 1, 10, 0)

describe('toRuleEvent', () => {
  it('maps identify to Identify (traits as properties) and keeps the zone', () => {
    expect(
      toRuleEvent({
        type: 'identify',
        messageId: 'm',
        userId: 'u-1',
        traits: { email: 'a@b.example' },
        context: { timezone: 'Asia/Tehran' },
      }),
    ).toEqual({
      event: RULE_EVENTS.identify,
      userId: 'u-1',
      anonymousId: undefined,
      properties: { email: 'a@b.example' },
      context: { timezone: 'Asia/Tehran' },
    })
  })

  it('maps page to Page Viewed with its name and category, track to its own name, and drops alias and group', () => {
    expect(
      toRuleEvent({
        type: 'page',
        messageId: 'm',
        anonymousId: 'a',
        name: 'Pricing',
        category: 'Docs',
        properties: { path: '/pricing' },
      }),
    ).toMatchObject({
      event: 'Page Viewed',
      properties: { path: '/pricing', name: 'Pricing', category: 'Docs' },
    })
    expect(
      toRuleEvent({ type: 'track', messageId: 'm', userId: 'u', event: 'Order Completed', properties: { total: 5 } }),
    ).toMatchObject({ event: 'Order Completed', properties: { total: 5 } })
    expect(toRuleEvent({ type: 'alias', messageId: 'm', userId: 'u', previousId: 'v' })).toBeNull()
    expect(toRuleEvent({ type: 'group', messageId: 'm', userId: 'u', groupId: 'g' })).toBeNull()
    const change = {
      event: RULE_EVENTS.segmentEntered,
      userId: 'u',
      properties: { segment_id: 'at_risk', segment_kind: 'rfm' },
    }
    expect(toRuleEvent(change)).toBe(change)
  })
})

describe('createRuleEngine: one runtime', () => {
  it('fires a welcome rule on an identify call, as every runtime feeds it', async () => {
    const time = createManualClock({ startAt: start })
    const fired: RuleFiring[] = []
    const welcome = defineRule({ id: 'welcome', when: 'Identify', maxFirings: 1 })
    const engine = createRuleEngine({
      rules: [welcome],
      clock: time,
      scheduler: time,
      store: createMemoryRuleStateStore(),
      onFire: (f) => void fired.push(f),
    })
    await engine.process({ type: 'identify', messageId: 'm-1', userId: 'u-1', traits: { email: 'a@b.example' } })
    await engine.process({ type: 'page', messageId: 'm-2', userId: 'u-1' })
    expect(fired.map((f) => [f.customerId, f.event.properties['trigger_event']])).toEqual([['u-1', 'Identify']])
  })

  it('matches a segment change by its properties with when.where', async () => {
    const time = createManualClock({ startAt: start })
    const fired: RuleFiring[] = []
    const rescue = defineRule({ id: 'rescue', when: { event: 'Segment Entered', where: { segment_id: 'at_risk' } } })
    const engine = createRuleEngine({
      rules: [rescue],
      clock: time,
      scheduler: time,
      store: createMemoryRuleStateStore(),
      onFire: (f) => void fired.push(f),
    })
    await engine.process({
      event: RULE_EVENTS.segmentEntered,
      userId: 'u-1',
      properties: { segment_id: 'champions', segment_kind: 'rfm' },
    })
    await engine.process({
      event: RULE_EVENTS.segmentExited,
      userId: 'u-1',
      properties: { segment_id: 'at_risk', segment_kind: 'rfm' },
    })
    await engine.process({
      event: RULE_EVENTS.segmentEntered,
      userId: 'u-2',
      properties: { segment_id: 'at_risk', segment_kind: 'rfm' },
    })
    expect(fired.map((f) => f.customerId)).toEqual(['u-2'])
    expect(() =>
      defineRule({ id: 'x', when: { event: 'Segment Entered', where: { segment_id: ['a'] as never } } }),
    ).toThrow(/when/)
  })

  it('keeps a 61-day timer on a scheduler whose timers overflow past 2^31 - 1 ms (as setTimeout does)', async () => {
    const time = createManualClock({ startAt: start })
    // setTimeout's behaviour: a delay past the limit fires after 1 ms.
    const overflowing: Scheduler = { schedule: (run, ms) => time.schedule(run, ms > MAX_TIMER_DELAY_MS ? 1 : ms) }
    const fired: RuleFiring[] = []
    const followUp = defineRule({ id: 'follow_up', when: 'Order Completed', within: '61d' })
    const engine = createRuleEngine({
      rules: [followUp],
      clock: time,
      scheduler: overflowing,
      store: createMemoryRuleStateStore(),
      onFire: (f) => void fired.push(f),
    })
    await engine.process({ event: 'Order Completed', userId: 'u-1' })
    await time.advance(60 * day)
    expect(fired).toHaveLength(0)
    await time.advance(day)
    expect(fired.map((f) => f.at)).toEqual([start + 61 * day])
  })
})

describe('withLongDelays', () => {
  it('waits a long delay in steps of at most maxStepMs and fires once, at the due time', async () => {
    const time = createManualClock({ startAt: start })
    const steps: number[] = []
    const recording: Scheduler = { schedule: (run, ms) => (steps.push(ms), time.schedule(run, ms)) }
    let firedAt: number | null = null
    withLongDelays(recording, time, 10 * day).schedule(() => (firedAt = time.now()), 25 * day)
    await time.advance(30 * day)
    expect(steps).toEqual([10 * day, 10 * day, 5 * day])
    expect(firedAt).toBe(start + 25 * day)
  })

  it('cancels a long delay between steps', async () => {
    const time = createManualClock({ startAt: start })
    let fired = 0
    const cancel = withLongDelays(time, time, day).schedule(() => (fired += 1), 3 * day)
    await time.advance(day + 1)
    cancel()
    await time.advance(5 * day)
    expect(fired).toBe(0)
  })
})

describe('customerTimeZone', () => {
  it('takes the override, then the profile, its traits, the event, the rule, then UTC; skipping invalid zones', () => {
    const event = { event: 'x', context: { timezone: 'Asia/Tokyo' } }
    expect(customerTimeZone({ timezone: 'Asia/Tehran' }, event, 'Europe/Paris', 'America/Lima')).toBe('America/Lima')
    expect(
      customerTimeZone({ timezone: 'Asia/Tehran', traits: { timezone: 'Europe/Oslo' } }, event, 'Europe/Paris'),
    ).toBe('Asia/Tehran')
    expect(customerTimeZone({ traits: { timezone: 'Europe/Oslo' } }, event, 'Europe/Paris')).toBe('Europe/Oslo')
    expect(customerTimeZone({ traits: { timezone: 'Mars/Olympus' } }, event, 'Europe/Paris')).toBe('Asia/Tokyo')
    expect(customerTimeZone({}, null, 'Europe/Paris')).toBe('Europe/Paris')
    expect(customerTimeZone(null, null, null)).toBe('UTC')
  })
})
