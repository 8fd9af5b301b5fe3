import { describe, expect, it } from 'vitest'
import { knownEventSchemas, validateEvent } from '../../src/model/index.js'
import type { KnownEventName } from '../../src/model/index.js'
import { track, validProperties } from './fixtures.js'

const names = Object.keys(knownEventSchemas) as KnownEventName[]

/** The issues of an event that must be invalid (fails the test if it is valid). */
function issuesOf(value: unknown): { path: readonly (string | number)[]; message: string; code: string }[] {
  const result = validateEvent(value)
  if (result.ok) throw new Error(`expected invalid, got valid: ${JSON.stringify(value)}`)
  return result.issues
}

describe('validateEvent: known track events', () => {
  it('knows every e-commerce v2 event of the task and the CRM events', () => {
    expect(names).toHaveLength(37)
    for (const name of ['Order Completed', 'Coupon Denied', 'Product Reviewed', 'Survey Responded', 'Rule Fired']) {
      expect(names).toContain(name)
    }
  })

  it.each(names)('accepts the spec example of %s and returns the event', (name) => {
    const event = track(name, validProperties[name])
    const result = validateEvent(event)
    expect(result).toMatchObject({ ok: true, warnings: [] })
    if (result.ok) expect(result.event).toEqual(event)
  })

  it('keeps unknown property keys (lenient, as the spec is)', () => {
    const result = validateEvent(track('Order Completed', { order_id: 'o-1', gift_wrap: true, note: { to: 'Ada' } }))
    expect(result.ok && result.event.type === 'track' && result.event.properties).toEqual({
      order_id: 'o-1',
      gift_wrap: true,
      note: { to: 'Ada' },
    })
  })

  it('accepts unknown event names with any JSON properties', () => {
    expect(validateEvent(track('Signed Up', { plan: 'pro', seats: 3 }))).toMatchObject({ ok: true, warnings: [] })
  })
})

describe('validateEvent: invalid track events', () => {
  it('requires order_id on order events, with its full path', () => {
    for (const name of ['Order Completed', 'Order Updated', 'Order Refunded', 'Order Cancelled']) {
      expect(issuesOf(track(name, { total: 10 }))).toEqual([
        { path: ['properties', 'order_id'], message: 'required: expected string', code: 'invalid_type' },
      ])
    }
    // No properties at all is the same as empty properties.
    expect(issuesOf(track('Order Completed')).map((issue) => issue.path)).toEqual([['properties', 'order_id']])
  })

  it('locates a NaN price and a string price inside products[]', () => {
    const issues = issuesOf(
      track('Order Completed', {
        order_id: 'o-1',
        products: [
          { sku: 'a', price: 1 },
          { sku: 'b', price: Number.NaN },
          { sku: 'c', price: '19.99' },
        ],
      }),
    )
    expect(issues).toEqual([
      { path: ['properties', 'products', 1, 'price'], message: 'expected number, got NaN', code: 'invalid_type' },
      {
        path: ['properties', 'products', 2, 'price'],
        message: 'expected number, got the string "19.99"',
        code: 'invalid_type',
      },
    ])
  })

  it('refuses Infinity, negative money, fractional quantities and lower-case currencies', () => {
    const issues = issuesOf(
      track('Order Completed', {
        order_id: 'o',
        total: Number.POSITIVE_INFINITY,
        tax: -1,
        currency: 'eur',
        products: [{ sku: 's', quantity: 1.5 }],
      }),
    )
    expect(issues.map((issue) => [issue.path.join('.'), issue.code])).toEqual([
      ['properties.total', 'invalid_type'],
      ['properties.tax', 'too_small'],
      ['properties.currency', 'invalid_format'],
      ['properties.products.0.quantity', 'invalid_type'],
    ])
  })

  it('requires a product_id or a sku on product events and product objects', () => {
    expect(issuesOf(track('Product Added', { name: 'Monopoly', price: 18.99 }))).toEqual([
      { path: ['properties', 'product_id'], message: 'a product needs a product_id or a sku', code: 'custom' },
    ])
    expect(issuesOf(track('Cart Viewed', { products: [{ sku: 'x' }, { name: 'nameless' }] }))[0]?.path).toEqual([
      'properties',
      'products',
      1,
      'product_id',
    ])
  })

  it('refuses NPS scores outside 0–10 and CSAT scores outside 1–5', () => {
    const score = (type: string, value: number) =>
      issuesOf(track('Survey Responded', { survey_id: 's', type, score: value }))
    expect(score('nps', -1)).toEqual([
      { path: ['properties', 'score'], message: 'must be at least 0, got the number -1', code: 'too_small' },
    ])
    expect(score('nps', 11)).toEqual([
      { path: ['properties', 'score'], message: 'must be at most 10, got the number 11', code: 'too_big' },
    ])
    expect(score('nps', 7.5)[0]?.code).toBe('invalid_type')
    expect(score('csat', 0)[0]?.code).toBe('too_small')
    expect(score('csat', 6)[0]?.code).toBe('too_big')
    expect(validateEvent(track('Survey Responded', { survey_id: 's', type: 'nps', score: 0 })).ok).toBe(true)
    expect(validateEvent(track('Survey Responded', { survey_id: 's', type: 'csat', score: 5 })).ok).toBe(true)
  })

  it('names the survey types when the type is unknown or missing', () => {
    expect(issuesOf(track('Survey Responded', { survey_id: 's', type: 'ces', score: 3 }))).toEqual([
      {
        path: ['properties', 'type'],
        message: 'expected one of "nps", "csat", got the string "ces"',
        code: 'invalid_union',
      },
    ])
    expect(issuesOf(track('Survey Responded', { survey_id: 's', score: 3 }))[0]?.message).toBe(
      'required: expected one of "nps", "csat"',
    )
  })

  it('requires the ids of the CRM events', () => {
    const paths = (name: string, properties: unknown) =>
      issuesOf(track(name, properties)).map((issue) => issue.path.join('.'))
    expect(paths('Lead Captured', { form_id: 'f' })).toEqual(['properties.email'])
    expect(paths('Lead Captured', { email: 'not-an-email' })).toEqual(['properties.email'])
    expect(paths('Email Opened', { campaign_id: 'c' })).toEqual(['properties.email_id'])
    expect(paths('Email Clicked', { email_id: 'e' })).toEqual(['properties.url'])
    expect(paths('Survey Responded', { type: 'nps', score: 3 })).toEqual(['properties.survey_id'])
    expect(paths('Experiment Viewed', { experiment_id: 'x' })).toEqual(['properties.variation_id'])
    expect(paths('Rule Fired', {})).toEqual(['properties.rule_id'])
    expect(paths('Products Searched', { query: 42 })).toEqual(['properties.query'])
    expect(validateEvent(track('Lead Captured', { phone: '+33 1 23 45 67 89' })).ok).toBe(true)
  })

  it('warns about a near miss of a known name instead of refusing it', () => {
    const result = validateEvent(track('order_completed', { total: 'not checked' }))
    expect(result).toMatchObject({ ok: true, warnings: [{ path: ['event'], code: 'unknown_event_name' }] })
    expect(result.ok && result.warnings[0]?.message).toContain('"Order Completed"')
  })

  it('does not take Object.prototype keys for event names', () => {
    expect(validateEvent(track('constructor', { a: 1 }))).toMatchObject({ ok: true, warnings: [] })
    expect(validateEvent(track('__proto__', { a: 1 }))).toMatchObject({ ok: true })
  })
})

describe('validateEvent: the envelope', () => {
  const ids = { messageId: 'm-1', userId: 'u-1' }

  it('accepts each event type', () => {
    for (const event of [
      { ...ids, type: 'identify', traits: { email: 'ada@example.com' } },
      { ...ids, type: 'page', name: 'Home', properties: { path: '/' } },
      { ...ids, type: 'screen', name: 'Cart' },
      { ...ids, type: 'group', groupId: 'acme', traits: { name: 'Acme' } },
      { ...ids, type: 'alias', previousId: 'anon-1' },
      { ...ids, type: 'track', event: 'Signed Up', timestamp: '2026-11-23T14:00:00.000Z' },
    ]) {
      expect(validateEvent(event)).toMatchObject({ ok: true })
    }
  })

  it('refuses a missing messageId, missing ids, an unknown type and a bad timestamp', () => {
    expect(issuesOf({ type: 'track', userId: 'u', event: 'X' })).toEqual([
      { path: ['messageId'], message: 'required: expected string', code: 'invalid_type' },
    ])
    expect(issuesOf({ type: 'track', messageId: 'm', event: 'X' })).toEqual([
      { path: ['userId'], message: 'an event needs a userId or an anonymousId', code: 'custom' },
    ])
    expect(issuesOf({ ...ids, type: 'trak' })[0]).toMatchObject({
      path: ['type'],
      message: expect.stringContaining('got the string "trak"'),
    })
    expect(issuesOf({ ...ids, type: 'track', event: 'X', timestamp: 'yesterday' })[0]).toMatchObject({
      path: ['timestamp'],
      code: 'invalid_format',
    })
    expect(issuesOf(null)).toEqual([{ path: [], message: 'expected object, got null', code: 'invalid_type' }])
  })

  it('locates values JSON cannot carry in custom properties', () => {
    const cycle: Record<string, unknown> = {}
    cycle['self'] = cycle
    const issues = issuesOf(
      track('Custom', { f: () => 1, when: new Date(0), big: 1n, list: [undefined], cycle, ok: 1 }),
    )
    expect(issues.map((issue) => issue.path.join('.'))).toEqual([
      'properties.f',
      'properties.when',
      'properties.big',
      'properties.list.0',
      'properties.cycle.self',
    ])
    expect(issues[1]?.message).toBe('not a JSON value: a Date (send an ISO 8601 string)')
  })
})

describe('validateEvent: identify traits', () => {
  const identify = (traits: unknown) => ({ type: 'identify', messageId: 'm', userId: 'u', traits })

  it('accepts the reserved traits', () => {
    const traits = {
      email: 'ada@example.com',
      first_name: 'Ada',
      last_name: 'Lovelace',
      phone: '+44 20 7946 0000',
      birthday: '1815-12-10',
      created_at: '2026-01-31T12:00:00Z',
      title: 'Analyst',
      timezone: 'Europe/London',
      company: { name: 'Analytical Engines', employees: 12, industry: 'Computing' },
      address: { city: 'London', country: 'GB', postal_code: 'W1' },
      plan: 'custom trait kept',
    }
    expect(validateEvent(identify(traits))).toMatchObject({ ok: true, warnings: [], event: { traits } })
  })

  it('warns, but keeps the event, on a badly formatted email or birthday', () => {
    const result = validateEvent(identify({ email: 'ada-at-example', birthday: '1990-02-30' }))
    expect(result.ok).toBe(true)
    expect(result.ok && result.warnings.map((warning) => warning.path.join('.'))).toEqual([
      'traits.email',
      'traits.birthday',
    ])
  })

  it('refuses a wrong type', () => {
    expect(issuesOf(identify({ company: 'Acme', age: '42' })).map((issue) => issue.path.join('.'))).toEqual([
      'traits.age',
      'traits.company',
    ])
  })
})
