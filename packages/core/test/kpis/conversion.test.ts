import { describe, expect, it } from 'vitest'
import { computeConversionByChannel, computeConversionRate, computeFunnel } from '../../src/kpis/index.js'
import type { FunnelEvent } from '../../src/kpis/index.js'

const visits = [
  { channel: 'email', converted: true },
  { channel: 'email', converted: false },
  { channel: 'email', converted: true },
  { channel: 'search', converted: false },
  { channel: 'search', converted: false },
  { channel: 'search', converted: false },
  { channel: 'search', converted: true },
  { channel: 'direct', converted: false },
]

describe('computeConversionRate', () => {
  it('divides converted visits by visits', () => {
    // 3 converted (2 email + 1 search) out of 8 visits = 0.375
    expect(computeConversionRate(visits)).toEqual({ numerator: 3, denominator: 8, rate: 0.375 })
  })

  it('gives 0, not NaN, for no visits', () => {
    expect(computeConversionRate([])).toEqual({ numerator: 0, denominator: 0, rate: 0 })
  })
})

describe('computeConversionByChannel', () => {
  it('computes each channel on its own visits', () => {
    // email 2/3, search 1/4 = 0.25, direct 0/1 = 0
    const byChannel = computeConversionByChannel(visits)
    expect([...byChannel.keys()]).toEqual(['email', 'search', 'direct'])
    expect(byChannel.get('email')?.rate).toBeCloseTo(2 / 3, 12)
    expect(byChannel.get('search')).toEqual({ numerator: 1, denominator: 4, rate: 0.25 })
    expect(byChannel.get('direct')).toEqual({ numerator: 0, denominator: 1, rate: 0 })
  })

  it('gives an empty map for no visits', () => {
    expect(computeConversionByChannel([]).size).toBe(0)
  })
})

describe('computeFunnel', () => {
  const steps = ['Product Viewed', 'Product Added', 'Order Completed']
  const e = (customerId: string, event: string, at: number): FunnelEvent => ({ customerId, event, at })

  it('counts customers who did each step after the previous ones', () => {
    const events = [
      e('a', 'Product Viewed', 1),
      e('a', 'Product Added', 2),
      e('a', 'Order Completed', 3), // all 3 steps
      e('b', 'Product Viewed', 1),
      e('b', 'Product Added', 2), // 2 steps
      e('c', 'Product Added', 1),
      e('c', 'Product Viewed', 2), // added before viewing: step 1 only
      e('d', 'Order Completed', 1), // never entered the funnel
      e('f', 'Product Viewed', 5),
      e('f', 'Order Completed', 6),
      e('f', 'Product Added', 7), // order before add: 2 steps
    ]
    // Step 1: a, b, c, f = 4. Step 2: a, b, f = 3 (3/4 = 0.75). Step 3: a = 1 (1/3 of step 2, 1/4 of start).
    expect(computeFunnel(events, steps)).toEqual([
      { step: 'Product Viewed', customers: 4, rateFromStart: 1, rateFromPrevious: 1 },
      { step: 'Product Added', customers: 3, rateFromStart: 0.75, rateFromPrevious: 0.75 },
      { step: 'Order Completed', customers: 1, rateFromStart: 0.25, rateFromPrevious: 1 / 3 },
    ])
  })

  it('sorts each customer by time, whatever the input order', () => {
    const events = [e('a', 'Order Completed', 30), e('a', 'Product Added', 20), e('a', 'Product Viewed', 10)]
    expect(computeFunnel(events, steps).map((step) => step.customers)).toEqual([1, 1, 1])
  })

  it('with a window, tries every start and keeps the deepest', () => {
    const hour = 3_600_000
    // A first view at 0 is too early for the order at 5 h within a 2 h window; the second view at 4 h
    // starts a path that completes at 4.5 h and 5 h.
    const events = [
      e('a', 'Product Viewed', 0),
      e('a', 'Product Viewed', 4 * hour),
      e('a', 'Product Added', 4.5 * hour),
      e('a', 'Order Completed', 5 * hour),
    ]
    expect(computeFunnel(events, steps, { windowMs: 2 * hour }).map((step) => step.customers)).toEqual([1, 1, 1])
    // With the view at 4 h removed, the add at 4.5 h is 4.5 h after the only start: outside the window.
    expect(
      computeFunnel(
        events.filter((_, index) => index !== 1),
        steps,
        { windowMs: 2 * hour },
      ).map((step) => step.customers),
    ).toEqual([1, 0, 0])
  })

  it('gives zero counts and rates, not NaN, when nobody starts, and [] for no steps', () => {
    expect(computeFunnel([], steps)).toEqual(
      steps.map((step) => ({ step, customers: 0, rateFromStart: 0, rateFromPrevious: 0 })),
    )
    expect(computeFunnel([e('a', 'Product Viewed', 1)], [])).toEqual([])
  })
})
