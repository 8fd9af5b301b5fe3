import { describe, expect, it } from 'vitest'
import {
  createGammaGammaLikelihood,
  fitGammaGamma,
  gammaGammaExpectedSpend,
  gammaGammaLogLikelihood,
  summarizeTransactions,
} from '../../src/clv/index.js'
import { cdnowCalibrationEnd, hasCdnow, readCdnowSample, readPublishedSummary, skipReason } from './cdnowData.js'
import { createRandom, sampleGamma } from './simulate.js'

/** ∫₀^∞ f(m) dm by the trapezoid rule on m = e^u, which tames both the spike near 0 and the tail. */
function integrateOverSpend(f: (m: number) => number): number {
  const [from, to, steps] = [-12, 12, 24_000]
  const du = (to - from) / steps
  let total = 0
  for (let i = 0; i <= steps; i += 1) {
    const m = Math.exp(from + i * du)
    total += (i === 0 || i === steps ? 0.5 : 1) * f(m) * m
  }
  return total * du
}

describe('gammaGammaLogLikelihood', () => {
  it('is the log of a density of z̄: it integrates to 1 with mean pγ/(q − 1)', () => {
    const params = { p: 2, q: 3, gamma: 10 }
    for (const x of [1, 3, 10]) {
      const density = (m: number) => Math.exp(gammaGammaLogLikelihood(params, { frequency: x, meanRepeatSpend: m }))
      expect(integrateOverSpend(density)).toBeCloseTo(1, 8)
      // z̄ averages x spends of mean p/ν, and E[1/ν] = γ/(q − 1).
      expect(integrateOverSpend((m) => m * density(m))).toBeCloseTo((params.p * params.gamma) / (params.q - 1), 6)
    }
  })
})

describe('createGammaGammaLikelihood', () => {
  it('sums the per-customer log-density and returns its exact gradient in log-parameters', () => {
    const buyers = [1, 2, 3, 5, 8].map((frequency, i) => ({ frequency, meanRepeatSpend: 12 + 9 * i }))
    const likelihood = createGammaGammaLikelihood(buyers)
    const point = [Math.log(3), Math.log(2.5), Math.log(20)]
    const { value, gradient } = likelihood(point)
    const [p = 0, q = 0, gamma = 0] = point.map(Math.exp)
    expect(value).toBeCloseTo(
      buyers.reduce((sum, buyer) => sum + gammaGammaLogLikelihood({ p, q, gamma }, buyer), 0),
      10,
    )
    point.forEach((_, i) => {
      const step = 1e-6
      const up = point.map((v, j) => (j === i ? v + step : v))
      const down = point.map((v, j) => (j === i ? v - step : v))
      expect(gradient[i]).toBeCloseTo((likelihood(up).value - likelihood(down).value) / (2 * step), 5)
    })
  })
})

describe('fitGammaGamma', () => {
  it.skipIf(!hasCdnow)(`reproduces the published CDNOW estimates on the 946 repeat buyers${skipReason}`, () => {
    const summaries = summarizeTransactions(readCdnowSample(), { calibrationEnd: cdnowCalibrationEnd, unit: 'weeks' })
    const fit = fitGammaGamma(summaries)
    expect(fit.customers).toBe(946)
    expect(fit.converged).toBe(true)
    expect([fit.p, fit.q, fit.gamma].map((value) => value.toFixed(2))).toEqual(['6.25', '3.74', '15.44'])
  })

  it.skipIf(!hasCdnow)(`lands within rounding of them on the published 2-decimal z̄${skipReason}`, () => {
    // The CSV rounds z̄ to cents; that moves γ by about 0.004 (15.448 here, where lifetimes reports 15.45).
    const histories = readPublishedSummary().map(({ values: [frequency, , , meanRepeatSpend] }) => ({
      frequency,
      meanRepeatSpend,
    }))
    const fit = fitGammaGamma(histories)
    expect(fit.p).toBeCloseTo(6.25, 2)
    expect(fit.q).toBeCloseTo(3.74, 2)
    expect(fit.gamma).toBeCloseTo(15.44, 1)
  })

  it('recovers the parameters of simulated spends', () => {
    const truth = { p: 4, q: 5, gamma: 40 }
    const random = createRandom(7)
    const histories = Array.from({ length: 3000 }, (_, index) => {
      const frequency = 1 + (index % 6)
      const nu = sampleGamma(random, truth.q, truth.gamma)
      let spend = 0
      for (let i = 0; i < frequency; i += 1) spend += sampleGamma(random, truth.p, nu)
      return { frequency, meanRepeatSpend: spend / frequency }
    })
    const fit = fitGammaGamma(histories)
    // The population mean spend pγ/(q − 1) is pinned down far better than p, q, γ one by one.
    const mean = (fit.p * fit.gamma) / (fit.q - 1)
    expect(mean / ((truth.p * truth.gamma) / (truth.q - 1))).toBeCloseTo(1, 1)
    expect(fit.p / truth.p).toBeGreaterThan(0.85)
    expect(fit.p / truth.p).toBeLessThan(1.18)
  }, 20_000)

  it('skips one-time buyers and throws when nobody bought twice', () => {
    const fit = fitGammaGamma([
      { frequency: 0, meanRepeatSpend: 0 },
      { frequency: 2, meanRepeatSpend: 20 },
      { frequency: 1, meanRepeatSpend: 35 },
      { frequency: 4, meanRepeatSpend: 12 },
    ])
    expect(fit.customers).toBe(3)
    expect(() => fitGammaGamma([{ frequency: 0, meanRepeatSpend: 0 }])).toThrow(/no repeat buyers/)
  })
})

describe('gammaGammaExpectedSpend', () => {
  it('weighs the population mean against the customer mean, (γ + x z̄) p/(px + q − 1)', () => {
    const params = { p: 1, q: 2, gamma: 10 }
    expect(gammaGammaExpectedSpend(params, 2, 20)).toBeCloseTo(50 / 3, 14)
    // x = 0: the population mean pγ/(q − 1) = 10; many purchases: close to the customer's own mean.
    expect(gammaGammaExpectedSpend(params, 0, 0)).toBeCloseTo(10, 14)
    expect(gammaGammaExpectedSpend(params, 10_000, 20)).toBeCloseTo(20, 2)
  })
})
