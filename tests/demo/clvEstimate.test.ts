import { describe, expect, it } from 'vitest'
import type { Order } from '@ecrm/core'
import { estimateClv, MIN_BUYERS } from '../../examples/demo-server/index.js'

const DAY_MS = 86_400_000
const NOW = Date.UTC(2026, 5, 30, 12)

/** A deterministic linear congruential generator in [0, 1). */
function lcg(seed: number): () => number {
  let state = seed
  return () => {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0
    return state / 2 ** 32
  }
}

/** Buy-till-you-die shoppers over 120 days: each day a purchase with their rate, after each a dropout chance. */
function simulate(customers: number): Order[] {
  const random = lcg(42)
  const orders: Order[] = []
  for (let id = 0; id < customers; id += 1) {
    const rate = [0.03, 0.08, 0.2][id % 3] ?? 0.1
    const dropout = [0.1, 0.3][id % 2] ?? 0.2
    const start = NOW - Math.floor(random() * 60 + 60) * DAY_MS
    // Gamma-Gamma's premise: each customer has their own mean spend, amounts vary around it.
    const meanSpend = 10 * 15 ** random()
    const spend = (): number => Math.round(meanSpend * 2 * (0.25 + random() * random() * 3)) / 2
    let day = 0
    let alive = true
    orders.push({ customerId: `c${id}`, orderId: `o${id}-0`, at: start, total: spend() })
    while (alive && start + (day + 1) * DAY_MS < NOW) {
      day += 1
      if (random() < rate) {
        orders.push({ customerId: `c${id}`, orderId: `o${id}-${day}`, at: start + day * DAY_MS, total: spend() })
        alive = random() >= dropout
      }
    }
  }
  return orders
}

describe('estimateClv', () => {
  it('falls back to historic CLV (the spend so far) below the buyer threshold, and says so', () => {
    const orders: Order[] = [
      { customerId: 'a', orderId: '1', at: NOW - 3 * DAY_MS, total: 10 },
      { customerId: 'a', orderId: '2', at: NOW - DAY_MS, total: 15.5 },
      { customerId: 'b', orderId: '3', at: NOW - DAY_MS, total: 40 },
    ]
    const result = estimateClv(orders, { now: NOW, dayMs: DAY_MS })
    expect(result.method).toBe('historic')
    expect(result.reason).toContain(`need ${MIN_BUYERS}`)
    expect(result.byCustomer.get('a')).toEqual({ probabilityAlive: null, clv: 25.5 })
    expect(result.byCustomer.get('b')).toEqual({ probabilityAlive: null, clv: 40 })
  })

  it('fits BG/NBD + Gamma-Gamma on a simulated population: P(alive) in [0, 1], higher for recent repeat buyers', () => {
    const orders = simulate(400)
    const result = estimateClv(orders, { now: NOW, dayMs: DAY_MS })
    // Plausible, not at the bounds: the models had something to learn from.
    for (const value of Object.values(result.params ?? {})) expect(Math.abs(Math.log(value))).toBeLessThan(8)
    expect(result.method).toBe('model')
    expect(result.buyers).toBe(400)
    for (const value of result.byCustomer.values()) {
      expect(value.probabilityAlive).toBeGreaterThanOrEqual(0)
      expect(value.probabilityAlive).toBeLessThanOrEqual(1)
      expect(value.clv).toBeGreaterThanOrEqual(0)
    }
    // Same history but for the last purchase day: the one who bought recently is likelier alive.
    const recent: Order[] = [
      ...orders,
      { customerId: 'r', orderId: 'r1', at: NOW - 60 * DAY_MS, total: 30 },
      { customerId: 'r', orderId: 'r2', at: NOW - DAY_MS, total: 30 },
    ]
    const lapsed: Order[] = [
      { customerId: 'l', orderId: 'l1', at: NOW - 60 * DAY_MS, total: 30 },
      { customerId: 'l', orderId: 'l2', at: NOW - 50 * DAY_MS, total: 30 },
    ]
    const both = estimateClv([...recent, ...lapsed], { now: NOW, dayMs: DAY_MS })
    expect(both.method).toBe('model')
    expect(both.byCustomer.get('r')?.probabilityAlive ?? 0).toBeGreaterThan(
      both.byCustomer.get('l')?.probabilityAlive ?? 1,
    )
  })

  it('compresses time: with one model day per minute, orders minutes apart are repeat purchases', () => {
    const minute = 60_000
    const orders: Order[] = [
      { customerId: 'a', orderId: '1', at: NOW - 5 * minute, total: 10 },
      { customerId: 'a', orderId: '2', at: NOW - 2 * minute, total: 20 },
    ]
    expect(estimateClv(orders, { now: NOW, dayMs: minute }).repeatBuyers).toBe(1)
    expect(estimateClv(orders, { now: NOW, dayMs: DAY_MS }).repeatBuyers).toBe(0)
  })
})
