import { describe, expect, it } from 'vitest'
import {
  bgNbdExpectedPurchases,
  bgNbdLogLikelihood,
  bgNbdProbabilityAlive,
  bgNbdProbabilityOfNPurchases,
  bgNbdUnconditionalExpectedPurchases,
  createBgNbdLikelihood,
  fitBgNbd,
  summarizeTransactions,
} from '../../src/clv/index.js'
import { hypergeometric2F1 } from '../../src/math/specialFunctions.js'
import { cdnowCalibrationEnd, hasCdnow, readCdnowSample, readPublishedSummary, skipReason } from './cdnowData.js'
import { simulateBgNbd } from './simulate.js'

/** The published CDNOW estimates (FHL 2005, Marketing Science 24(2), time in weeks). */
const cdnow = { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 }
const ones = { r: 1, alpha: 1, a: 1, b: 1 }

describe('bgNbdLogLikelihood', () => {
  it('matches a hand computation with r = α = a = b = 1', () => {
    // x = 1, t_x = 1, T = 2: B(1, 2)/B(1, 1) · Γ(2)/Γ(1) · [3^−2 + 1/1 · 2^−2] = 1/2 · 13/36.
    expect(bgNbdLogLikelihood(ones, { frequency: 1, recency: 1, age: 2 })).toBeCloseTo(Math.log(13 / 72), 14)
    // x = 0, T = 2: only the "still alive" term, (1 + 2)^−1.
    expect(bgNbdLogLikelihood(ones, { frequency: 0, recency: 0, age: 2 })).toBeCloseTo(Math.log(1 / 3), 14)
  })

  it('stays finite for a heavy buyer where the plain formula would underflow', () => {
    const value = bgNbdLogLikelihood(cdnow, { frequency: 400, recency: 77, age: 78 })
    expect(Number.isFinite(value)).toBe(true)
  })
})

describe('createBgNbdLikelihood', () => {
  it('sums the per-customer likelihood and returns its exact gradient in log-parameters', () => {
    const histories = simulateBgNbd({ r: 0.4, alpha: 5, a: 0.8, b: 2 }, 300, (index) => 20 + (index % 10), 5)
    const likelihood = createBgNbdLikelihood(histories)
    const point = [Math.log(0.3), Math.log(4), Math.log(0.9), Math.log(2.6)]
    const { value, gradient } = likelihood(point)
    const [r = 0, alpha = 0, a = 0, b = 0] = point.map(Math.exp)
    const direct = histories.reduce((sum, history) => sum + bgNbdLogLikelihood({ r, alpha, a, b }, history), 0)
    expect(value).toBeCloseTo(direct, 8)
    point.forEach((_, i) => {
      const step = 1e-6
      const up = point.map((p, j) => (j === i ? p + step : p))
      const down = point.map((p, j) => (j === i ? p - step : p))
      const slope = (likelihood(up).value - likelihood(down).value) / (2 * step)
      expect(gradient[i]).toBeCloseTo(slope, 4)
    })
  })
})

describe('fitBgNbd', () => {
  it.skipIf(!hasCdnow)(`reproduces the published CDNOW estimates from the raw sample${skipReason}`, () => {
    const summaries = summarizeTransactions(readCdnowSample(), { calibrationEnd: cdnowCalibrationEnd, unit: 'weeks' })
    const fit = fitBgNbd(summaries)
    expect(fit.converged).toBe(true)
    expect(fit.r.toFixed(3)).toBe('0.243')
    expect(fit.alpha.toFixed(3)).toBe('4.414')
    expect(fit.a.toFixed(3)).toBe('0.793')
    expect(fit.b.toFixed(3)).toBe('2.426')
    expect(fit.logLikelihood.toFixed(1)).toBe('-9582.4')
    expect(fit.customers).toBe(2357)
  })

  it.skipIf(!hasCdnow)(`reproduces them from the published (rounded) summary too${skipReason}`, () => {
    const histories = readPublishedSummary().map(({ values: [frequency, recency, age] }) => ({
      frequency,
      recency,
      age,
    }))
    const fit = fitBgNbd(histories)
    expect([fit.r, fit.alpha, fit.a, fit.b].map((value) => value.toFixed(3))).toEqual([
      '0.243',
      '4.414',
      '0.793',
      '2.426',
    ])
    expect(fit.logLikelihood.toFixed(1)).toBe('-9582.4')
  })

  it('recovers the parameters of simulated customers, and beats the truth on likelihood', () => {
    const truth = { r: 0.5, alpha: 6, a: 0.7, b: 2.5 }
    const histories = simulateBgNbd(truth, 3000, (index) => 26 + (index % 27), 42)
    const fit = fitBgNbd(histories)
    const atTruth = histories.reduce((sum, history) => sum + bgNbdLogLikelihood(truth, history), 0)
    expect(fit.logLikelihood).toBeGreaterThanOrEqual(atTruth)
    expect(fit.r / truth.r).toBeGreaterThan(0.8)
    expect(fit.r / truth.r).toBeLessThan(1.25)
    expect(fit.alpha / truth.alpha).toBeGreaterThan(0.75)
    expect(fit.alpha / truth.alpha).toBeLessThan(1.33)
    // a and b are identified by the few dropouts seen, so they are looser.
    expect(fit.a / fit.b).toBeGreaterThan((truth.a / truth.b) * 0.6)
    expect(fit.a / fit.b).toBeLessThan((truth.a / truth.b) * 1.6)
  }, 30_000)

  it('throws a clear error for an impossible history', () => {
    expect(() => fitBgNbd([{ frequency: 1, recency: 5, age: 3 }])).toThrow(/histories\[0\].*recency 5, age 3/)
    expect(() => fitBgNbd([])).toThrow(/no customers/)
  })
})

describe('bgNbdExpectedPurchases', () => {
  it('gives the published E[X(39) | x = 2, t_x = 30.43, T = 38.86] = 1.226 for CDNOW', () => {
    expect(bgNbdExpectedPurchases(cdnow, 39, 2, 30.43, 38.86).toFixed(3)).toBe('1.226')
  })

  it('agrees with the untransformed FHL eq. 10 where that series is safe', () => {
    for (const [x, tx, T, t] of [
      [0, 0, 20, 10],
      [2, 30.43, 38.86, 39],
      [7, 30, 35, 100],
      [40, 50, 52, 26],
    ] as const) {
      const { r, alpha, a, b } = cdnow
      const z = t / (alpha + T + t)
      const bracket =
        ((a + b + x - 1) / (a - 1)) *
        (1 - ((alpha + T) / (alpha + T + t)) ** (r + x) * hypergeometric2F1(r + x, b + x, a + b + x - 1, z))
      const expected = bracket * bgNbdProbabilityAlive(cdnow, x, tx, T)
      expect(bgNbdExpectedPurchases(cdnow, t, x, tx, T)).toBeCloseTo(expected, 11)
    }
  })

  it('starts at rate P(alive)·(r + x)/(α + T) for a tiny horizon', () => {
    const [x, tx, T, t] = [3, 20, 30, 1e-6]
    const slope = (bgNbdProbabilityAlive(cdnow, x, tx, T) * (cdnow.r + x)) / (cdnow.alpha + T)
    expect(bgNbdExpectedPurchases(cdnow, t, x, tx, T) / t).toBeCloseTo(slope, 5)
  })

  it('is continuous through a = 1, where its formula divides by zero', () => {
    const at = (a: number) => bgNbdExpectedPurchases({ ...cdnow, a }, 39, 2, 30.43, 38.86)
    const value = at(1)
    expect(Number.isFinite(value)).toBe(true)
    expect(value).toBeCloseTo((at(1.001) + at(0.999)) / 2, 6)
  })

  it('stays finite and bounded for a very frequent buyer, where the plain series overflows', () => {
    const [x, tx, T, t] = [300, 38, 38.86, 52]
    const value = bgNbdExpectedPurchases(cdnow, t, x, tx, T)
    // Never above "alive now, never drops out": P(alive) · t · (r + x)/(α + T).
    const ceiling = (bgNbdProbabilityAlive(cdnow, x, tx, T) * t * (cdnow.r + x)) / (cdnow.alpha + T)
    expect(value).toBeGreaterThan(0.5 * ceiling)
    expect(value).toBeLessThan(ceiling)
  })

  it('equals the unconditional expectation for a customer seen for no time', () => {
    expect(bgNbdExpectedPurchases(cdnow, 39, 0, 0, 0)).toBeCloseTo(bgNbdUnconditionalExpectedPurchases(cdnow, 39), 13)
  })
})

describe('bgNbdProbabilityAlive', () => {
  it('is 1 without repeat purchases and 1/(1 + a/(b + x − 1)) right after a purchase', () => {
    expect(bgNbdProbabilityAlive(cdnow, 0, 0, 30)).toBe(1)
    expect(bgNbdProbabilityAlive(cdnow, 3, 30, 30)).toBeCloseTo(1 / (1 + cdnow.a / (cdnow.b + 2)), 14)
    // r = α = a = b = 1, x = 1, t_x = 1, T = 2: 1/(1 + 1 · (3/2)²) = 4/13.
    expect(bgNbdProbabilityAlive(ones, 1, 1, 2)).toBeCloseTo(4 / 13, 14)
  })

  it('falls as the silence since the last purchase grows', () => {
    const values = [30, 35, 40, 60].map((T) => bgNbdProbabilityAlive(cdnow, 4, 30, T))
    expect([...values].sort((left, right) => right - left)).toEqual(values)
    expect(bgNbdProbabilityAlive(cdnow, 200, 1, 1000)).toBe(0)
  })
})

describe('bgNbdProbabilityOfNPurchases', () => {
  it('gives the published P(X(39) = 0) = 0.5737864 for CDNOW (FHL eq. 8, unconditional)', () => {
    expect(bgNbdProbabilityOfNPurchases(cdnow, 39, 0).toFixed(7)).toBe('0.5737864')
  })

  it('is a distribution whose mean is E[X(t)] (FHL eq. 9)', () => {
    let total = 0
    let mean = 0
    for (let n = 0; n < 600; n += 1) {
      const probability = bgNbdProbabilityOfNPurchases(cdnow, 39, n)
      total += probability
      mean += n * probability
    }
    expect(total).toBeCloseTo(1, 12)
    expect(mean).toBeCloseTo(bgNbdUnconditionalExpectedPurchases(cdnow, 39), 10)
  })

  it('matches a hand computation with r = α = a = b = 1, t = 1', () => {
    // n = 1: B(1, 2)/B(1, 1) · Γ(2)/(Γ(1) 1!) (1/2)(1/2) + B(2, 1)/B(1, 1) · [1 − (1/2)] = 1/8 + 1/4.
    expect(bgNbdProbabilityOfNPurchases(ones, 1, 1)).toBeCloseTo(3 / 8, 14)
    expect(bgNbdProbabilityOfNPurchases(ones, 1, 0)).toBeCloseTo(1 / 2, 14)
    expect(bgNbdProbabilityOfNPurchases(ones, 1, -1)).toBe(0)
  })
})
