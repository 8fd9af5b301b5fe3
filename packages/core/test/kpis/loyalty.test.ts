import { describe, expect, it } from 'vitest'
import { computeLoyalty } from '../../src/kpis/index.js'
import type { LoyaltyProgram } from '../../src/kpis/index.js'

const day = 86_400_000
const program: LoyaltyProgram = {
  earnRules: [
    { id: 'spend', on: 'order', pointsPerUnit: 1 }, // a point per euro
    { id: 'big_basket', on: 'order', points: 50, minAmount: 200 }, // bonus for orders of €200+
    { id: 'welcome', on: 'signup', points: 100, maxTimes: 1 },
    { id: 'review', on: 'review', points: 20 },
  ],
  tiers: [
    { id: 'gold', minPoints: 500, earnMultiplier: 2 },
    { id: 'member', minPoints: 0 },
    { id: 'silver', minPoints: 250, earnMultiplier: 1.5 },
  ],
}

describe('computeLoyalty', () => {
  it('applies the earn rules, tier multipliers and redemptions in time order', () => {
    const activities = [
      { type: 'signup', at: 0 }, // welcome 100 → 100 (member)
      { type: 'signup', at: 1 }, // welcome used up: nothing
      { type: 'order', at: 1 * day, amount: 99.99 }, // floor(99.99) = 99 → 199 (member, ×1)
      { type: 'review', at: 2 * day }, // 20 → 219
      { type: 'order', at: 3 * day, amount: 40.5 }, // 40 → 259: silver from now on
      { type: 'order', at: 4 * day, amount: 210 }, // silver ×1.5: spend 210 → 315; big_basket 50 → 75; → 649: gold
      { type: 'redeem', at: 5 * day, points: 300 }, // balance 649 − 300 = 349
      { type: 'review', at: 6 * day }, // gold ×2: 40 → earned 689, balance 389
      { type: 'order', at: 30 * day, amount: 1000 }, // after now: ignored
    ]
    const status = computeLoyalty(activities, program, { now: 10 * day })
    expect(status.ledger).toEqual([
      { at: 0, source: 'welcome', points: 100 },
      { at: 1 * day, source: 'spend', points: 99 },
      { at: 2 * day, source: 'review', points: 20 },
      { at: 3 * day, source: 'spend', points: 40 },
      { at: 4 * day, source: 'spend', points: 315 },
      { at: 4 * day, source: 'big_basket', points: 75 },
      { at: 5 * day, source: 'redeem', points: -300 },
      { at: 6 * day, source: 'review', points: 40 },
    ])
    expect(status).toMatchObject({
      earned: 689,
      redeemed: 300,
      balance: 389,
      qualifyingPoints: 689,
      nextTier: null,
      pointsToNextTier: 0,
    })
    expect(status.tier?.id).toBe('gold')
  })

  it('counts tier points in a rolling window and reports the gap to the next tier', () => {
    const windowed = { ...program, tierWindowMs: 30 * day }
    const activities = [
      { type: 'order', at: 0, amount: 300 }, // 300 + 50 bonus = 350 → silver
      { type: 'order', at: 40 * day, amount: 100 }, // day 40: day-0 points are out of the window → member ×1: 100
    ]
    const status = computeLoyalty(activities, windowed, { now: 45 * day })
    // balance counts everything (450); tiers count only days 15..45 (100): member, 150 short of silver
    expect(status).toMatchObject({ earned: 450, balance: 450, qualifyingPoints: 100, pointsToNextTier: 150 })
    expect(status.tier?.id).toBe('member')
    expect(status.nextTier?.id).toBe('silver')
  })

  it('never lets a redemption take the balance below zero', () => {
    const status = computeLoyalty(
      [
        { type: 'review', at: 0 },
        { type: 'redeem', at: 1, points: 500 },
      ],
      program,
      { now: 2 },
    )
    expect(status).toMatchObject({ earned: 20, redeemed: 20, balance: 0 })
  })

  it('does not lose a point to floating point (0.29 × 100 = 28.999…)', () => {
    const cents = { earnRules: [{ id: 'spend', on: 'order', pointsPerUnit: 100 }], tiers: [] }
    expect(computeLoyalty([{ type: 'order', at: 0, amount: 0.29 }], cents, { now: 1 }).earned).toBe(29)
  })

  it('gives a zero balance and the base tier for no activities', () => {
    const status = computeLoyalty([], program, { now: 0 })
    expect(status).toMatchObject({
      balance: 0,
      earned: 0,
      redeemed: 0,
      qualifyingPoints: 0,
      pointsToNextTier: 250,
      ledger: [],
    })
    expect(status.tier?.id).toBe('member')
    expect(computeLoyalty([], { earnRules: [], tiers: [] }, { now: 0 }).tier).toBeNull()
  })
})
