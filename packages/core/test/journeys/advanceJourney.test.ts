import { describe, expect, it } from 'vitest'
import { advanceJourney } from '../../src/journeys/advanceJourney.js'
import { compileJourney } from '../../src/journeys/compileJourney.js'
import type { JourneyDefinition } from '../../src/journeys/journeySchema.js'
import { initialJourneyState } from '../../src/journeys/journeyTypes.js'
import type { JourneyAdvance, JourneyState } from '../../src/journeys/journeyTypes.js'

const T0 = Date.parse('2026-12-01T10:00:00Z')
const HOUR = 3_600_000

const journey = (fields: Partial<JourneyDefinition>): JourneyDefinition =>
  compileJourney({ id: 'test', trigger: { event: 'Go' }, ...fields }).definition

const event = (name: string, properties: Record<string, unknown> = {}, profile: unknown = null) =>
  ({ type: 'event', event: { event: name, userId: 'u-1', properties }, profile }) as const

/** Feeds inputs in order, each at its time; returns every advance. */
function run(
  definition: JourneyDefinition,
  inputs: [number, Parameters<typeof advanceJourney>[2]][],
): JourneyAdvance[] {
  let state: JourneyState = initialJourneyState('u-1')
  return inputs.map(([at, input]) => {
    const advance = advanceJourney(definition, state, input, at)
    state = advance.state
    return advance
  })
}

describe('advanceJourney', () => {
  it('parks at a duration wait, does nothing early, then sends keyed <instance>:<step>', () => {
    const definition = journey({
      steps: [
        { id: 'pause', type: 'wait', duration: '1h' },
        { id: 'mail', type: 'send', channel: 'email', template: 'hello' },
      ],
    })
    const [entry, early, due] = run(definition, [
      [T0, event('Go')],
      [T0 + HOUR - 1, { type: 'timer' }],
      [T0 + HOUR, { type: 'timer' }],
    ])
    expect(entry?.nextWakeAt).toBe(T0 + HOUR)
    expect(entry?.outcomes.map((outcome) => outcome.type)).toEqual(['entered', 'waiting'])
    expect(early?.actions).toEqual([])
    expect(due?.actions).toMatchObject([
      { type: 'send', idempotencyKey: 'test:u-1:1:mail', channel: 'email', template: 'hello', category: 'marketing' },
    ])
    expect(due?.outcomes).toEqual([{ type: 'exited', instanceId: 'test:u-1:1', reason: 'completed' }])
    expect(due?.nextWakeAt).toBeNull()
  })

  it("waits until a local time in the customer's zone", () => {
    const definition = journey({ steps: [{ id: 'morning', type: 'wait', until: '09:00' }] })
    // 10:00 UTC is 13:30 in Tehran (UTC+3:30): the next 09:00 there is 05:30 UTC the next day.
    const [entry] = run(definition, [[T0, event('Go', {}, { traits: { timezone: 'Asia/Tehran' } })]])
    expect(entry?.nextWakeAt).toBe(Date.parse('2026-12-02T05:30:00Z'))
  })

  it('waits for the event with the same key, ignores other keys, and times out to onTimeout', () => {
    const definition = journey({
      key: 'cart_id',
      steps: [
        { id: 'paid', type: 'wait', for: { event: 'Order Completed' }, timeout: '1d', onTimeout: 'nudge' },
        { id: 'thanks', type: 'send', channel: 'email', template: 'thanks', next: 'end' },
        { id: 'nudge', type: 'send', channel: 'sms', template: 'nudge' },
      ],
    })
    const paid = run(definition, [
      [T0, event('Go', { cart_id: 'c-1' })],
      [T0 + HOUR, event('Order Completed', { cart_id: 'c-2' })],
      [T0 + 2 * HOUR, event('Order Completed', { cart_id: 'c-1' })],
    ])
    expect(paid[1]?.actions).toEqual([])
    expect(paid[2]?.actions.map((action) => action.stepId)).toEqual(['thanks'])
    const silent = run(definition, [
      [T0, event('Go', { cart_id: 'c-1' })],
      [T0 + 24 * HOUR, { type: 'timer' }],
    ])
    expect(silent[1]?.actions.map((action) => action.stepId)).toEqual(['nudge'])
  })

  it('branches on the profile and the events since entry', () => {
    const definition = journey({
      steps: [
        { id: 'pause', type: 'wait', duration: '1h' },
        {
          id: 'vip',
          type: 'branch',
          if: {
            and: [
              { '==': [{ var: 'profile.traits.plan' }, 'pro'] },
              { some: [{ var: 'events' }, { '==': [{ var: 'event' }, 'Page Viewed'] }] },
            ],
          },
          then: 'call',
          else: 'mark',
        },
        { id: 'call', type: 'call', destination: 'hubspot', event: 'VIP Ready', next: 'end' },
        { id: 'mark', type: 'set_trait', trait: 'vip', value: false },
        { id: 'optout', type: 'set_consent', category: 'marketing.sms', granted: false },
      ],
    })
    const pro = { traits: { plan: 'pro' } }
    const browsed = run(definition, [
      [T0, event('Go', {}, pro)],
      [T0 + 1, event('Page Viewed', {}, pro)],
      [T0 + HOUR, { type: 'timer', profile: pro }],
    ])
    expect(browsed[2]?.actions).toMatchObject([
      {
        type: 'call',
        destination: 'hubspot',
        event: { event: 'VIP Ready', properties: { journey_id: 'test', step_id: 'call' } },
      },
    ])
    const idle = run(definition, [
      [T0, event('Go', {}, pro)],
      [T0 + HOUR, { type: 'timer', profile: pro }],
    ])
    expect(idle[1]?.actions).toMatchObject([
      { type: 'set_trait', trait: 'vip', value: false },
      { type: 'set_consent', category: 'marketing.sms', granted: false },
    ])
  })

  it('ends an instance on an exit event of its own key only', () => {
    const definition = journey({
      key: 'cart_id',
      reentry: 'always',
      steps: [
        { id: 'pause', type: 'wait', duration: '1h' },
        { id: 'mail', type: 'send', channel: 'email', template: 'cart' },
      ],
      exit: [{ event: 'Order Completed' }],
    })
    const [, , exit, due] = run(definition, [
      [T0, event('Go', { cart_id: 'c-1' })],
      [T0 + 1, event('Go', { cart_id: 'c-2' })],
      [T0 + 2, event('Order Completed', { cart_id: 'c-1' })],
      [T0 + HOUR + 1, { type: 'timer' }],
    ])
    expect(exit?.outcomes).toEqual([
      { type: 'exited', instanceId: 'test:u-1:1', reason: 'exit_event', event: 'Order Completed' },
    ])
    expect(due?.actions.map((action) => action.idempotencyKey)).toEqual(['test:u-1:2:mail'])
  })

  it('applies the re-entry policy: never, after N days, and never twice for an active key', () => {
    const steps: JourneyDefinition['steps'] = [{ id: 'mail', type: 'send', channel: 'email', template: 'x' }]
    const twice: [number, ReturnType<typeof event>][] = [
      [T0, event('Go')],
      [T0 + 2 * 24 * HOUR, event('Go')],
      [T0 + 3 * 24 * HOUR, event('Go')],
    ]
    const refusals = (advances: JourneyAdvance[]) =>
      advances.map((advance) => advance.outcomes.find((outcome) => outcome.type !== 'exited')?.type === 'refused')
    expect(refusals(run(journey({ steps }), twice))).toEqual([false, true, true])
    expect(refusals(run(journey({ steps, reentry: { afterDays: 3 } }), twice))).toEqual([false, true, false])
    expect(refusals(run(journey({ steps, reentry: 'always' }), twice))).toEqual([false, false, false])
    const waiting = journey({ reentry: 'always', steps: [{ id: 'pause', type: 'wait', duration: '1w' }] })
    expect(
      run(waiting, [
        [T0, event('Go')],
        [T0 + 1, event('Go')],
      ])[1]?.outcomes,
    ).toEqual([{ type: 'refused', reason: 'already_active', key: null }])
  })

  it('counts the goal once, within its window, even after the last step', () => {
    const definition = journey({
      steps: [{ id: 'mail', type: 'send', channel: 'email', template: 'x' }],
      goal: { event: 'Order Completed', within: '2d' },
      reentry: 'always',
    })
    const advances = run(definition, [
      [T0, event('Go')],
      [T0 + HOUR, event('Order Completed')],
      [T0 + 2 * HOUR, event('Order Completed')],
    ])
    expect(advances[1]?.outcomes).toEqual([{ type: 'converted', instanceId: 'test:u-1:1', event: 'Order Completed' }])
    expect(advances[2]?.outcomes).toEqual([])
    const late = run(definition, [
      [T0, event('Go')],
      [T0 + 48 * HOUR, event('Order Completed')],
    ])
    expect(late[1]?.outcomes).toEqual([])
    expect(late[1]?.state.ended).toEqual([])
  })

  it('starts on a segment entry and on a daily schedule, once per occurrence', () => {
    const steps: JourneyDefinition['steps'] = [{ id: 'mail', type: 'send', channel: 'email', template: 'x' }]
    const segment = journey({ trigger: { segmentEntered: 'at_risk' }, steps })
    const [other, entered] = run(segment, [
      [T0, event('Segment Entered', { segment_id: 'champions' })],
      [T0, event('Segment Entered', { segment_id: 'at_risk' })],
    ])
    expect(other?.actions).toEqual([])
    expect(entered?.actions).toHaveLength(1)
    const daily = journey({ trigger: { schedule: { daily: '09:00' } }, reentry: 'always', steps })
    const ticks = run(daily, [
      [T0, { type: 'timer' }],
      [T0 + HOUR, { type: 'timer' }],
      [T0 + 23 * HOUR, { type: 'timer' }],
    ])
    expect(ticks.map((tick) => tick.actions.length)).toEqual([1, 0, 1])
    expect(ticks[1]?.nextWakeAt).toBe(Date.parse('2026-12-02T09:00:00Z'))
  })

  it('is deterministic: the same inputs give the same advance', () => {
    const definition = journey({ steps: [{ id: 'pause', type: 'wait', duration: '1h' }] })
    expect(run(definition, [[T0, event('Go')]])).toEqual(run(definition, [[T0, event('Go')]]))
  })
})
