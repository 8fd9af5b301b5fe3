import { describe, expect, it } from 'vitest'
import {
  fitParetoNbd,
  paretoNbdExpectedPurchases,
  paretoNbdLogLikelihood,
  paretoNbdProbabilityAlive,
  summarizeTransactions,
} from '../../src/clv/index.js'
import type { ParetoNbdParams, PurchaseHistory } from '../../src/clv/index.js'
import { logGamma } from '../../src/math/specialFunctions.js'
import { cdnowCalibrationEnd, hasCdnow, readCdnowSample, skipReason } from './cdnowData.js'

/** The published CDNOW estimates (FHL 2005, Marketing Science 24(2), time in weeks). */
const cdnow = { r: 0.553, alpha: 10.578, s: 0.606, beta: 11.669 }

/**
 * The likelihood straight from the model's definition, by 2-D quadrature over λ ~ Gamma(r, α)
 * and μ ~ Gamma(s, β) of L(λ, μ) = λ^x μ/(λ + μ) e^−(λ+μ)t_x + λ^(x+1)/(λ + μ) e^−(λ+μ)T
 * (Fader & Hardie 2005 note, eq. 3) — no ₂F₁ involved.
 */
function likelihoodByQuadrature(
  params: ParetoNbdParams,
  { frequency: x, recency: tx, age: T }: PurchaseHistory,
): number {
  const { r, alpha, s, beta } = params
  // From e^−60: with shapes near 0.55 the Gamma mass below e^−30 is still about 1e-7.
  const [from, to, steps] = [-60, 6, 1300]
  const du = (to - from) / steps
  // Gamma densities in u = ln(rate): rate^shape e^(−scale·rate) scale^shape / Γ(shape).
  const weights = (shape: number, scale: number) =>
    Array.from({ length: steps + 1 }, (_, i) => {
      const rate = Math.exp(from + i * du)
      const ends = i === 0 || i === steps ? 0.5 : 1
      return { rate, weight: ends * du * Math.exp(shape * Math.log(scale * rate) - scale * rate - logGamma(shape)) }
    })
  const lambdas = weights(r, alpha)
  const mus = weights(s, beta)
  let total = 0
  for (const { rate: lambda, weight: wl } of lambdas) {
    for (const { rate: mu, weight: wm } of mus) {
      const individual =
        (lambda ** x * mu * Math.exp(-(lambda + mu) * tx) + lambda ** (x + 1) * Math.exp(-(lambda + mu) * T)) /
        (lambda + mu)
      total += wl * wm * individual
    }
  }
  return total
}

describe('paretoNbdLogLikelihood', () => {
  it('matches the likelihood integrated from the definition, with α < β and α > β', () => {
    for (const params of [cdnow, { r: 1.2, alpha: 15, s: 0.4, beta: 3 }]) {
      for (const history of [
        { frequency: 0, recency: 0, age: 30 },
        { frequency: 2, recency: 30.43, age: 38.86 },
        { frequency: 6, recency: 12, age: 50 },
      ]) {
        const expected = Math.log(likelihoodByQuadrature(params, history))
        expect(paretoNbdLogLikelihood(params, history)).toBeCloseTo(expected, 9)
      }
    }
  })
})

describe('fitParetoNbd', () => {
  it.skipIf(!hasCdnow)(
    `reproduces the published CDNOW estimates${skipReason}`,
    () => {
      const summaries = summarizeTransactions(readCdnowSample(), { calibrationEnd: cdnowCalibrationEnd, unit: 'weeks' })
      const fit = fitParetoNbd(summaries)
      expect(fit.converged).toBe(true)
      expect([fit.r, fit.alpha, fit.s, fit.beta].map((value) => value.toFixed(3))).toEqual([
        '0.553',
        '10.578',
        '0.606',
        '11.669',
      ])
      expect(fit.logLikelihood.toFixed(1)).toBe('-9595.0')
    },
    20_000,
  )
})

describe('paretoNbdProbabilityAlive', () => {
  it('is 1 right after a purchase and falls with silence', () => {
    expect(paretoNbdProbabilityAlive(cdnow, 3, 30, 30)).toBe(1)
    const values = [31, 40, 60, 100].map((T) => paretoNbdProbabilityAlive(cdnow, 3, 30, T))
    expect([...values].sort((left, right) => right - left)).toEqual(values)
  })

  it('is the share of the "alive at T" part of the likelihood', () => {
    const [x, tx, T] = [2, 30.43, 38.86]
    const { r, alpha, s, beta } = cdnow
    const alive =
      logGamma(r + x) -
      logGamma(r) +
      r * Math.log(alpha) +
      s * Math.log(beta) -
      (r + x) * Math.log(alpha + T) -
      s * Math.log(beta + T)
    const share = Math.exp(alive - paretoNbdLogLikelihood(cdnow, { frequency: x, recency: tx, age: T }))
    expect(paretoNbdProbabilityAlive(cdnow, x, tx, T)).toBeCloseTo(share, 12)
  })
})

describe('paretoNbdExpectedPurchases', () => {
  it('starts at rate P(alive)·(r + x)/(α + T) and is continuous through s = 1', () => {
    const [x, tx, T] = [2, 30.43, 38.86]
    const slope = (paretoNbdProbabilityAlive(cdnow, x, tx, T) * (cdnow.r + x)) / (cdnow.alpha + T)
    expect(paretoNbdExpectedPurchases(cdnow, 1e-6, x, tx, T) / 1e-6).toBeCloseTo(slope, 5)
    const at = (s: number) => paretoNbdExpectedPurchases({ ...cdnow, s }, 39, x, tx, T)
    expect(at(1)).toBeCloseTo((at(1 + 1e-4) + at(1 - 1e-4)) / 2, 6)
  })
})
