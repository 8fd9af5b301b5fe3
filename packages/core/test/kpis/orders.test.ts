import { describe, expect, it } from 'vitest'
import { computeAov, computeChurnRate, computeRepeatPurchaseRate } from '../../src/kpis/index.js'
import type { Order } from '../../src/kpis/index.js'

const day = 86_400_000
const order = (customerId: string, orderId: string, atDay: number, total: number): Order => ({
  customerId,
  orderId,
  at: atDay * day,
  total,
})

const orders = [
  order('ann', 'o1', 1, 30),
  order('ann', 'o2', 20, 50),
  order('bob', 'o3', 5, 20),
  order('cat', 'o4', 40, 100),
  order('cat', 'o5', 45, 10),
  order('cat', 'o6', 70, 40),
  order('ann', 'o2', 20, 50), // a redelivered duplicate of o2
]

describe('computeAov', () => {
  it('averages distinct orders', () => {
    // o1..o6: 30 + 50 + 20 + 100 + 10 + 40 = 250 over 6 orders = 41.666…
    const result = computeAov(orders)
    expect(result.orders).toBe(6)
    expect(result.revenue).toBe(250)
    expect(result.aov).toBeCloseTo(250 / 6, 12)
  })

  it('counts only orders within [from, to)', () => {
    // days 0..39: o1 (30), o2 (50), o3 (20) = 100 / 3; o4 at day 40 is excluded (to is exclusive)
    expect(computeAov(orders, { from: 0, to: 40 * day })).toEqual({ orders: 3, revenue: 100, aov: 100 / 3 })
  })

  it('gives 0, not NaN, for no orders', () => {
    expect(computeAov([])).toEqual({ orders: 0, revenue: 0, aov: 0 })
  })
})

describe('computeRepeatPurchaseRate', () => {
  it('divides customers with 2+ orders by customers with 1+', () => {
    // ann (o1, o2 — the duplicate does not count twice), bob (o3), cat (o4, o5, o6): 2 of 3 repeat
    expect(computeRepeatPurchaseRate(orders)).toEqual({ numerator: 2, denominator: 3, rate: 2 / 3 })
  })

  it('does not count a duplicated order as a repeat', () => {
    expect(computeRepeatPurchaseRate([order('x', 'o', 1, 5), order('x', 'o', 1, 5)]).rate).toBe(0)
  })

  it('restricts to a period', () => {
    // days 30..59: only cat (o4, o5) ordered, twice: 1 of 1
    expect(computeRepeatPurchaseRate(orders, { from: 30 * day, to: 60 * day })).toEqual({
      numerator: 1,
      denominator: 1,
      rate: 1,
    })
  })

  it('gives 0 for no orders', () => {
    expect(computeRepeatPurchaseRate([])).toEqual({ numerator: 0, denominator: 0, rate: 0 })
  })
})

describe('computeChurnRate', () => {
  it('takes the customers active in the window before the period, and counts who did not come back', () => {
    // Period days 30..60, window defaults to 30 days: active = ordered in days 0..29 = ann, bob.
    // In days 30..59 only cat ordered (new, not in the base): ann and bob both churned: 2/2.
    expect(computeChurnRate(orders, { from: 30 * day, to: 60 * day })).toEqual({
      activeAtStart: 2,
      retained: 0,
      churned: 2,
      rate: 1,
    })
    // Period days 60..90: active = days 30..59 = cat; cat ordered on day 70: retained, rate 0.
    expect(computeChurnRate(orders, { from: 60 * day, to: 90 * day })).toEqual({
      activeAtStart: 1,
      retained: 1,
      churned: 0,
      rate: 0,
    })
  })

  it('honours a longer activity window', () => {
    // Period days 40..80 with a 40-day window: active = days 0..39 = ann, bob. Neither ordered in
    // days 40..79 (cat's orders do not count): 2 churned of 2.
    // With a 10-day window before day 45 (days 35..44): cat (day 40); cat ordered again on day 45: retained.
    expect(computeChurnRate(orders, { from: 40 * day, to: 80 * day, activeWindowMs: 40 * day }).rate).toBe(1)
    expect(computeChurnRate(orders, { from: 45 * day, to: 80 * day, activeWindowMs: 10 * day })).toEqual({
      activeAtStart: 1,
      retained: 1,
      churned: 0,
      rate: 0,
    })
  })

  it('gives 0, not NaN, when nobody was active', () => {
    expect(computeChurnRate([], { from: 0, to: day })).toEqual({ activeAtStart: 0, retained: 0, churned: 0, rate: 0 })
  })
})
