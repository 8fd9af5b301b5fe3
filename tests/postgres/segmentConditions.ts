import fc from 'fast-check'
import type { DeriveConfig, EcrmEvent } from '@ecrm/core'

/**
 * The fixed-seed world of the segment differential test: a shop's events (identify with nested
 * and hostile traits, orders, product views, pages) and random JsonLogic conditions over the
 * profiles the store folds from them.
 */

const DAY = 86_400_000
/** The evaluation time of every condition, memory and SQL alike; after every event. */
export const EVALUATED_AT = Date.UTC(2026, 5, 15, 9, 30)

/** Strings that have broken SQL builders: quotes, comments, backslashes, LIKE wildcards, unicode. */
export const hostileTexts = [
  "'; drop table ecrm_profiles; --",
  "O'Brien",
  'a\\b',
  '"quoted"',
  '%',
  '_',
  'é',
  'Ünïcödé',
  '😀',
  '$1',
  '::text',
  '',
]
const plans = ['free', 'pro', 'Pro', ...hostileTexts]
const cities = ['Paris', 'Zürich', 'São Paulo', "'", 'x\\y']

/** Named segments the store derives, so `segments` and `in_segment` have members. */
export const deriveConfig: DeriveConfig = {
  segments: {
    big_spenders: { name: 'Big spenders', when: { '>=': [{ var: 'money.revenue' }, 120] } },
    browsers: { name: 'Browsers', when: { '>': [{ var: 'events.totals.Product Viewed' }, 2] } },
  },
}

/** Types of the traits conditions read (dotted names are nested). */
export const traitTypes = {
  plan: 'text',
  age: 'number',
  vip: 'boolean',
  'company.employee_count': 'number',
  'address.city': 'text',
} as const

const customer = fc.record({
  plan: fc.option(fc.constantFrom(...plans), { nil: undefined }),
  age: fc.option(fc.integer({ min: 16, max: 90 }), { nil: undefined }),
  vip: fc.option(fc.boolean(), { nil: undefined }),
  employees: fc.option(fc.constantFrom(1, 9, 50, 250, 1000), { nil: undefined }),
  city: fc.option(fc.constantFrom(...cities), { nil: undefined }),
  orders: fc.array(
    fc.record({
      daysAgo: fc.integer({ min: 0, max: 400 }),
      total: fc.constantFrom(9.99, 19.5, 42, 120, 0.1, 0.2, 250),
    }),
    { maxLength: 6 },
  ),
  views: fc.array(fc.integer({ min: 0, max: 120 }), { maxLength: 5 }),
  pages: fc.integer({ min: 0, max: 3 }),
  lastHoursAgo: fc.integer({ min: 1, max: 24 * 500 }),
})

/** The events of `count` customers, deterministic for a seed: what clients would send. */
export function shopEvents(count: number, seed: number): EcrmEvent[] {
  const events: EcrmEvent[] = []
  let n = 0
  const push = (body: Record<string, unknown>, at: number): void => {
    n += 1
    events.push({ messageId: `diff-${seed}-${n}`, timestamp: new Date(at).toISOString(), ...body } as EcrmEvent)
  }
  for (const [index, c] of fc.sample(customer, { numRuns: count, seed }).entries()) {
    const who = { userId: `d-${String(index).padStart(3, '0')}`, anonymousId: `anon-d-${index}` }
    const traits: Record<string, unknown> = { email: `d${index}@example.com` }
    if (c.plan !== undefined) traits['plan'] = c.plan
    if (c.age !== undefined) traits['age'] = c.age
    if (c.vip !== undefined) traits['vip'] = c.vip
    if (c.employees !== undefined) traits['company'] = { employee_count: c.employees, name: `Co ${index}` }
    if (c.city !== undefined) traits['address'] = { city: c.city }
    const last = EVALUATED_AT - c.lastHoursAgo * 3_600_000
    push({ type: 'identify', ...who, traits }, last - 400 * DAY)
    for (const [o, order] of c.orders.entries()) {
      push(
        {
          type: 'track',
          event: 'Order Completed',
          ...who,
          properties: { order_id: `d-${index}-${o}`, total: order.total, currency: 'EUR' },
        },
        Math.min(last, EVALUATED_AT - order.daysAgo * DAY),
      )
    }
    for (const daysAgo of c.views)
      push(
        { type: 'track', event: 'Product Viewed', ...who, properties: { product_id: `p-${daysAgo % 7}`, price: 5 } },
        Math.min(last, EVALUATED_AT - daysAgo * DAY),
      )
    for (let p = 0; p < c.pages; p += 1) push({ type: 'page', ...who, name: 'Home' }, last - p * 60_000)
    push({ type: 'track', event: 'Signed In', ...who }, last)
  }
  return events
}

const numberPaths = [
  'money.orderCount',
  'money.revenue',
  'money.aov',
  'pageViews',
  'sessions.count',
  'lastSeenAt',
  'money.lastOrderAt',
  'traits.age',
  'traits.company.employee_count',
  'events.totals.Order Completed',
  'rfm.r',
  'rfm.f',
  'lead.score',
  'lead.level',
  'profile.money.revenue',
]
const textPaths = [
  'money.currency',
  'traits.plan',
  'traits.address.city',
  'rfm.segment',
  'lead.grade',
  'lead.letter',
  'profile.traits.plan',
]
const timePaths = ['lastSeenAt', 'money.lastOrderAt', 'money.firstOrderAt', 'firstSeenAt']
/** Paths and names no condition may smuggle into SQL. */
const hostilePaths = [
  'traits.\u0000plan',
  `traits.${'x'.repeat(300)}`,
  'traits.__proto__.plan',
  'traits.constructor',
  "traits.plan'; --",
  'not.mapped',
]
const hostileNames = ['Order\u0000Completed', 'e'.repeat(300), 'a\ud800']
const segmentIds = [
  'big_spenders',
  'browsers',
  'champions',
  'at_risk',
  'new_customers',
  'potential_loyalist',
  'hibernating',
  "x'; --",
]
const events = ['Order Completed', 'Product Viewed', 'Signed In', '$page', 'Never Sent']
const windows = [7, 30, '90d', 365, '2026-01-01', null, '1w', 0]

const numberLiteral = fc.constantFrom(0, 1, 2, 3, 5, 18.5, 40, 100, 120.5, 1000, EVALUATED_AT - 30 * DAY, -1)
const textLiteral = fc.constantFrom(...plans, ...cities, 'EUR', 'champions', 'A', 'A1', 'B2', 'x\u0000y', 'lone\udc00')

/** Random conditions: comparisons, logic, membership, missing, time, history, segments, hostile input. */
export const conditionArbitrary = fc.letrec<{ num: unknown; cond: unknown }>((tie) => ({
  num: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom(...numberPaths).map((path) => ({ var: path })),
    numberLiteral,
    fc.constantFrom(...timePaths).map((path) => ({ days_since: { var: path } })),
    fc.constantFrom(...timePaths).map((path) => ({ hours_since: { var: path } })),
    fc
      .tuple(fc.constantFrom(...events), fc.constantFrom(...windows))
      .map(([event, window]) => ({ count_events: [event, window] })),
    fc
      .tuple(
        fc.constantFrom('Order Completed', 'Product Viewed'),
        fc.constantFrom(...windows),
        fc.constantFrom('total', 'price', '__proto__'),
      )
      .map(([event, window, property]) => ({ sum_events: [event, window, property] })),
    fc
      .tuple(fc.constantFrom('+', '-', '*', 'max', 'min'), fc.array(tie('num'), { minLength: 1, maxLength: 3 }))
      .map(([op, args]) => ({ [op]: args })),
    fc.tuple(tie('num'), fc.constantFrom(2, 7)).map(([a, b]) => ({ '/': [a, b] })),
  ),
  cond: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.tuple(fc.constantFrom('<', '<=', '>', '>='), tie('num'), tie('num')).map(([op, a, b]) => ({ [op]: [a, b] })),
    fc
      .tuple(
        fc.constantFrom('==', '!=', '===', '!=='),
        tie('num'),
        fc.oneof(numberLiteral, fc.constant(null), fc.constantFrom('5', '40', 'x')),
      )
      .map(([op, a, b]) => ({ [op]: [a, b] })),
    fc
      .tuple(
        fc.constantFrom('==', '!=', '===', '!=='),
        fc.constantFrom(...textPaths).map((path) => ({ var: path })),
        fc.oneof(textLiteral, fc.constant(null)),
      )
      .map(([op, a, b]) => ({ [op]: [a, b] })),
    fc
      .tuple(fc.constantFrom('==', '!=='), fc.constant({ var: 'traits.vip' }), fc.boolean())
      .map(([op, a, b]) => ({ [op]: [a, b] })),
    fc
      .tuple(
        fc.constantFrom(...textPaths).map((path) => ({ var: path })),
        fc.array(fc.oneof(textLiteral, numberLiteral), { maxLength: 4 }),
      )
      .map(([a, list]) => ({ in: [a, list] })),
    fc
      .tuple(
        fc.constantFrom('o', 'Pro', "'", '\\', 'é', '%'),
        fc.constantFrom('traits.plan', 'traits.address.city').map((path) => ({ var: path })),
      )
      .map(([a, b]) => ({ in: [a, b] })),
    fc
      .uniqueArray(fc.constantFrom(...numberPaths, ...textPaths, 'traits.vip'), { minLength: 1, maxLength: 3 })
      .map((keys) => ({ missing: keys })),
    fc
      .tuple(
        fc.integer({ min: 1, max: 2 }),
        fc.uniqueArray(fc.constantFrom('traits.plan', 'traits.age', 'traits.company.employee_count', 'clv.pAlive'), {
          minLength: 1,
          maxLength: 3,
        }),
      )
      .map(([n, keys]) => ({ missing_some: [n, keys] })),
    fc
      .tuple(
        fc.constantFrom('before', 'after'),
        fc.constantFrom(...timePaths),
        fc.constantFrom('30d', '2026-03-01', '-7d', '2026-06-15T00:00:00Z', 'garbage'),
      )
      .map(([op, path, at]) => ({ [op]: [{ var: path }, at] })),
    fc
      .uniqueArray(fc.constantFrom(...segmentIds), { minLength: 1, maxLength: 3 })
      .map((ids) => ({ in_segment: [ids] })),
    fc
      .tuple(fc.constantFrom('A', 'B', 'C', 'D'), fc.constant('lead.letter'))
      .map(([letter, path]) => ({ in_segment: [letter, path] })),
    fc.constantFrom({ var: 'traits.vip' }, { var: 'segments' }, { '!!': { var: 'traits.plan' } }),
    // Hostile paths and names: must be refused with a path, never reach the database.
    fc.constantFrom(...hostilePaths).map((path) => ({ '==': [{ var: path }, 'x'] })),
    fc.constantFrom(...hostileNames).map((name) => ({ '>': [{ count_events: [name, 30] }, 0] })),
    fc.constantFrom(...hostileNames).map((name) => ({ in_segment: [name] })),
    // Out of the translatable subset: refused, with a path.
    fc.constantFrom(
      { '>': [{ days_since: { var: 'traits.plan' } }, 1] },
      { '%': [{ var: 'money.orderCount' }, 2] },
      { '<': [{ var: 'traits.plan' }, 'm'] },
      { birthday_today: { var: 'traits.plan' } },
    ),
    fc.array(tie('cond'), { minLength: 1, maxLength: 3 }).map((args) => ({ and: args })),
    fc.array(tie('cond'), { minLength: 1, maxLength: 3 }).map((args) => ({ or: args })),
    tie('cond').map((arg) => ({ '!': [arg] })),
  ),
})).cond
