import { describe, expect, it } from 'vitest'
import {
  bgNbdExpectedPurchases,
  bgNbdProbabilityAlive,
  customerLifetimeValue,
  gammaGammaExpectedSpend,
  historicClv,
  scoreClv,
} from '../../src/clv/index.js'

const bgNbd = { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 }
const gammaGamma = { p: 6.25, q: 3.74, gamma: 15.44 }
const customer = { frequency: 2, recency: 30.43, age: 38.86, meanRepeatSpend: 22.35 }
const weeksPerYear = 365.25 / 7

describe('customerLifetimeValue', () => {
  it('is margin × expected spend × expected purchases without discounting, whatever the steps', () => {
    const undiscounted =
      0.3 * gammaGammaExpectedSpend(gammaGamma, 2, 22.35) * bgNbdExpectedPurchases(bgNbd, 39, 2, 30.43, 38.86)
    for (const stepLength of [39, 4, 1, 0.5]) {
      const value = customerLifetimeValue(bgNbd, gammaGamma, customer, {
        horizon: 39,
        unit: 'weeks',
        margin: 0.3,
        stepLength,
      })
      expect(value).toBeCloseTo(undiscounted, 10)
    }
  })

  it('discounts each step at its end by (1 + rate)^−years', () => {
    // Two half-year steps at 10 % a year, written out by hand.
    const half = weeksPerYear / 2
    const first = bgNbdExpectedPurchases(bgNbd, half, 2, 30.43, 38.86)
    const both = bgNbdExpectedPurchases(bgNbd, 2 * half, 2, 30.43, 38.86)
    const spend = gammaGammaExpectedSpend(gammaGamma, 2, 22.35)
    const expected = spend * (first / 1.1 ** 0.5 + (both - first) / 1.1)
    const value = customerLifetimeValue(bgNbd, gammaGamma, customer, {
      horizon: 2 * half,
      unit: 'weeks',
      discountRate: 0.1,
      stepLength: half,
    })
    expect(value).toBeCloseTo(expected, 10)
  })

  it('gives the same value in days as in weeks once the model is rescaled', () => {
    const inWeeks = customerLifetimeValue(bgNbd, gammaGamma, customer, {
      horizon: 52,
      unit: 'weeks',
      discountRate: 0.12,
    })
    const inDays = customerLifetimeValue(
      { ...bgNbd, alpha: bgNbd.alpha * 7 }, // α is a time scale; r, a, b have no unit
      gammaGamma,
      { ...customer, recency: customer.recency * 7, age: customer.age * 7 },
      { horizon: 52 * 7, unit: 'days', discountRate: 0.12 },
    )
    expect(inDays).toBeCloseTo(inWeeks, 9)
  })

  it('falls as the discount rate rises and grows with the horizon', () => {
    const at = (horizon: number, discountRate: number) =>
      customerLifetimeValue(bgNbd, gammaGamma, customer, { horizon, unit: 'weeks', discountRate })
    expect(at(104, 0)).toBeGreaterThan(at(104, 0.1))
    expect(at(104, 0.1)).toBeGreaterThan(at(104, 0.3))
    expect(at(104, 0.1)).toBeGreaterThan(at(52, 0.1))
    expect(at(0, 0.1)).toBe(0)
  })

  it('throws on a negative horizon or an impossible rate', () => {
    expect(() => customerLifetimeValue(bgNbd, gammaGamma, customer, { horizon: -1, unit: 'weeks' })).toThrow(
      /horizon ≥ 0/,
    )
    expect(() =>
      customerLifetimeValue(bgNbd, gammaGamma, customer, { horizon: 5, unit: 'weeks', discountRate: -2 }),
    ).toThrow(/discountRate > −1/)
  })
})

describe('scoreClv', () => {
  it('scores each customer with the single-customer functions', () => {
    const summaries = [
      { customerId: 'a', ...customer, totalSpend: 70, firstPurchaseAt: 0, lastPurchaseAt: 0 },
      {
        customerId: 'b',
        frequency: 0,
        recency: 0,
        age: 20,
        meanRepeatSpend: 0,
        totalSpend: 15,
        firstPurchaseAt: 0,
        lastPurchaseAt: 0,
      },
    ]
    const options = { horizon: 52, unit: 'weeks', discountRate: 0.1, margin: 0.5 } as const
    const [a, b] = scoreClv(summaries, { bgNbd, gammaGamma }, options)
    expect(a).toEqual({
      customerId: 'a',
      probabilityAlive: bgNbdProbabilityAlive(bgNbd, 2, 30.43, 38.86),
      expectedPurchases: bgNbdExpectedPurchases(bgNbd, 52, 2, 30.43, 38.86),
      expectedSpend: gammaGammaExpectedSpend(gammaGamma, 2, 22.35),
      clv: customerLifetimeValue(bgNbd, gammaGamma, customer, options),
    })
    // A one-time buyer gets the population's mean spend pγ/(q − 1).
    expect(b?.expectedSpend).toBeCloseTo((6.25 * 15.44) / 2.74, 12)
    expect(b?.probabilityAlive).toBe(1)
  })
})

describe('historicClv', () => {
  it('is margin × spend so far', () => {
    expect(historicClv({ totalSpend: 120 }, { margin: 0.3 })).toBeCloseTo(36, 12)
    expect(historicClv({ totalSpend: 120 })).toBe(120)
  })
})
