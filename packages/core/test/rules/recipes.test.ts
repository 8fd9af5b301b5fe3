import { describe, expect, it } from 'vitest'
import { defineRule } from '../../src/rules/defineRule.js'
import { createRuleEngine } from '../../src/rules/ruleEngine.js'
import { createMemoryRuleStateStore } from '../../src/rules/ruleStateStore.js'
import type { RuleDefinition } from '../../src/rules/ruleSchema.js'
import type { RuleFiring } from '../../src/rules/ruleTypes.js'
import { createManualClock } from '../fakes/manualClock.js'

/** The recipes of docs/recipes.md, verbatim. Change both together. */
const recipes = {
  welcome: defineRule({
    id: 'welcome',
    when: 'Signed Up',
    maxFirings: 1,
    quietHours: { start: '21:00', end: '08:00' },
    then: { event: 'Welcome Requested', properties: { template: 'welcome' } },
  }),
  cartAbandoned: defineRule({
    id: 'cart_abandoned',
    when: 'Product Added',
    unless: 'Order Completed',
    within: '1h',
    cooldown: '1d',
    quietHours: { start: '21:00', end: '08:00' },
    then: { event: 'Cart Abandoned' },
  }),
  birthday: defineRule({
    id: 'birthday',
    schedule: { birthday: 'traits.birthday', at: '09:00' },
    if: { '!!': { var: 'profile.traits.email' } },
    then: { event: 'Birthday Greeting Requested', properties: { coupon: 'BDAY10' } },
  }),
  winBack: defineRule({
    id: 'win_back',
    schedule: { inactiveDays: 60, field: 'lastOrderAt', at: '10:00' },
    if: { '>=': [{ count_events: ['Order Completed'] }, 2] },
    cooldown: '30d',
    then: { event: 'Win Back Requested' },
  }),
  postPurchaseSurvey: defineRule({
    id: 'post_purchase_survey',
    when: 'Order Completed',
    unless: 'Order Refunded',
    within: '3d',
    then: { event: 'Survey Requested', properties: { survey: 'csat' } },
  }),
  hotLead: defineRule({
    id: 'hot_lead',
    when: { event: 'Lead Captured', if: { in_segment: [['A', 'B'], 'lead.grade'] } },
    cooldown: '7d',
    then: { event: 'Hot Lead', properties: { notify: 'sales' } },
  }),
  exitIntent: defineRule({
    id: 'exit_intent_offer',
    when: 'Exit Intent',
    if: {
      and: [
        { '>': [{ count_events: ['Product Added', '1d'] }, 0] },
        { '==': [{ count_events: ['Order Completed', '30d'] }, 0] },
      ],
    },
    maxFirings: 1,
    then: { event: 'Offer Shown', properties: { offer: 'FREESHIP' } },
  }),
} satisfies Record<string, RuleDefinition>

const monday = Date.UTC(2026, 5, 1, 10, 0) // 12:00 in Paris
const hour = 3_600_000
const day = 24 * hour

function setup(rule: RuleDefinition, at = monday) {
  const time = createManualClock({ startAt: at })
  const fired: RuleFiring[] = []
  const engine = createRuleEngine({
    rules: [rule],
    clock: time.clock,
    scheduler: time.scheduler,
    store: createMemoryRuleStateStore(),
    onFire: (firing) => void fired.push(firing),
  })
  return { time, fired, engine }
}

describe('recipes (docs/recipes.md)', () => {
  it('welcome: once per customer, after quiet hours', async () => {
    const { time, fired, engine } = setup(recipes.welcome, Date.UTC(2026, 5, 1, 22, 0)) // 00:00 Paris
    const profile = { traits: { timezone: 'Europe/Paris' } }
    await engine.process({ event: 'Signed Up', userId: 'u-1' }, profile)
    await engine.process({ event: 'Signed Up', userId: 'u-1' }, profile)
    expect(fired).toHaveLength(0)
    await time.advance(day)
    expect(fired.map((f) => [f.at, f.event.event, f.event.properties['template']])).toEqual([
      [Date.UTC(2026, 5, 2, 6, 0), 'Welcome Requested', 'welcome'],
    ])
  })

  it('cart abandoned: one reminder a day at most', async () => {
    const { time, fired, engine } = setup(recipes.cartAbandoned)
    await engine.process({ event: 'Product Added', userId: 'u-1' })
    await time.advance(2 * hour)
    await engine.process({ event: 'Product Added', userId: 'u-1' })
    await time.advance(2 * hour)
    expect(fired.map((f) => f.at)).toEqual([monday + hour])
  })

  it('birthday: on the day in the customer zone, only with an email', async () => {
    const { time, engine } = setup(recipes.birthday, Date.UTC(2026, 5, 2, 7, 30)) // 09:30 Paris
    const withEmail = { traits: { birthday: '1988-06-02', timezone: 'Europe/Paris', email: 'a@b.example' } }
    const withoutEmail = { traits: { birthday: '1988-06-02', timezone: 'Europe/Paris' } }
    expect(await engine.checkSchedules('u-1', withEmail)).toHaveLength(1)
    expect(await engine.checkSchedules('u-2', withoutEmail)).toHaveLength(0)
    await time.advance(day)
    expect(await engine.checkSchedules('u-1', withEmail)).toHaveLength(0)
  })

  it('win-back: repeat customers silent for 60 days', async () => {
    const { engine } = setup(recipes.winBack)
    const repeat = { lastOrderAt: '2026-03-01T00:00:00Z', eventDays: { 'Order Completed': { '2026-01-10': 1, '2026-03-01': 1 } } }
    const oneTimer = { lastOrderAt: '2026-03-01T00:00:00Z', eventDays: { 'Order Completed': { '2026-03-01': 1 } } }
    const recent = { lastOrderAt: '2026-05-01T00:00:00Z', eventDays: { 'Order Completed': { '2026-01-10': 1, '2026-05-01': 1 } } }
    expect((await engine.checkSchedules('repeat', repeat)).map((f) => f.event.event)).toEqual(['Win Back Requested'])
    expect(await engine.checkSchedules('one-timer', oneTimer)).toHaveLength(0)
    expect(await engine.checkSchedules('recent', recent)).toHaveLength(0)
  })

  it('post-purchase survey: 3 days after an order that was not refunded', async () => {
    const { time, fired, engine } = setup(recipes.postPurchaseSurvey)
    await engine.process({ event: 'Order Completed', userId: 'kept', properties: { order_id: 'o-1' } })
    await engine.process({ event: 'Order Completed', userId: 'refunded', properties: { order_id: 'o-2' } })
    await time.advance(day)
    await engine.process({ event: 'Order Refunded', userId: 'refunded' })
    await time.advance(3 * day)
    expect(fired.map((f) => [f.customerId, f.at, f.event.properties['trigger_properties']])).toEqual([
      ['kept', monday + 3 * day, { order_id: 'o-1' }],
    ])
  })

  it('hot lead alert: grade A or B leads, once a week', async () => {
    const { time, fired, engine } = setup(recipes.hotLead)
    await engine.process({ event: 'Lead Captured', userId: 'a' }, { lead: { grade: 'A' } })
    await engine.process({ event: 'Lead Captured', userId: 'c' }, { lead: { grade: 'C' } })
    await time.advance(day)
    await engine.process({ event: 'Lead Captured', userId: 'a' }, { lead: { grade: 'A' } })
    expect(fired.map((f) => f.customerId)).toEqual(['a'])
  })

  it('exit-intent offer: carts of the day without a recent order, once', async () => {
    const { fired, engine } = setup(recipes.exitIntent)
    const browsing = { eventDays: { 'Product Added': { '2026-06-01': 2 } } }
    const buyer = { eventDays: { 'Product Added': { '2026-06-01': 1 }, 'Order Completed': { '2026-05-20': 1 } } }
    const stale = { eventDays: { 'Product Added': { '2026-05-25': 1 } } }
    await engine.process({ event: 'Exit Intent', anonymousId: 'browsing' }, browsing)
    await engine.process({ event: 'Exit Intent', anonymousId: 'browsing' }, browsing)
    await engine.process({ event: 'Exit Intent', anonymousId: 'buyer' }, buyer)
    await engine.process({ event: 'Exit Intent', anonymousId: 'stale' }, stale)
    expect(fired.map((f) => [f.customerId, f.event.properties['offer']])).toEqual([['browsing', 'FREESHIP']])
  })
})
