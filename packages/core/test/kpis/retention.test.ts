import { describe, expect, it } from 'vitest'
import { computeRetentionCohorts } from '../../src/kpis/index.js'
import type { Order } from '../../src/kpis/index.js'

const at = (year: number, month: number, day: number): number => Date.UTC(year, month - 1, day, 12)
let next = 0
const order = (customerId: string, when: number): Order => ({
  customerId,
  orderId: `o${(next += 1)}`,
  at: when,
  total: 10,
})

describe('computeRetentionCohorts', () => {
  const orders = [
    // January 2026 cohort: a, b, c
    order('a', at(2026, 1, 5)),
    order('a', at(2026, 2, 10)),
    order('a', at(2026, 3, 1)),
    order('b', at(2026, 1, 20)),
    order('b', at(2026, 3, 15)),
    order('c', at(2026, 1, 31)),
    order('c', at(2026, 1, 31)), // two orders in the first month only
    // February 2026 cohort: d, e
    order('d', at(2026, 2, 1)),
    order('d', at(2026, 3, 2)),
    order('e', at(2026, 2, 28)),
  ]

  it('groups customers by first-purchase month and counts who ordered in each later month', () => {
    // Jan: month+0 a,b,c = 3; month+1 (Feb) a = 1; month+2 (Mar) a,b = 2
    // Feb: month+0 d,e = 2; month+1 (Mar) d = 1
    expect(computeRetentionCohorts(orders)).toEqual([
      { cohort: '2026-01', customers: 3, active: [3, 1, 2], rates: [1, 1 / 3, 2 / 3] },
      { cohort: '2026-02', customers: 2, active: [2, 1], rates: [1, 0.5] },
    ])
  })

  it('extends rows to the month of now, with zeros, and ignores input order', () => {
    const result = computeRetentionCohorts([...orders].reverse(), { now: at(2026, 4, 15) })
    expect(result.map((cohort) => cohort.active)).toEqual([
      [3, 1, 2, 0],
      [2, 1, 0],
    ])
  })

  it('uses UTC months across a year boundary', () => {
    const result = computeRetentionCohorts([
      order('x', Date.UTC(2025, 11, 31, 23, 59)),
      order('x', Date.UTC(2026, 0, 1, 0, 1)),
    ])
    expect(result).toEqual([{ cohort: '2025-12', customers: 1, active: [1, 1], rates: [1, 1] }])
  })

  it('leaves out cohorts that start after now, and gives [] for no orders', () => {
    expect(computeRetentionCohorts(orders, { now: at(2026, 1, 31) }).map((cohort) => cohort.cohort)).toEqual([
      '2026-01',
    ])
    expect(computeRetentionCohorts([])).toEqual([])
  })
})
