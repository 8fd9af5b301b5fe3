import { EcrmError } from '../errors.js'
import type { ValueAndGradient } from '../math/bfgs.js'
import { fitInLogSpace } from './fitting.js'
import type { FitOptions } from './fitting.js'
import { digamma, logGamma } from '../math/specialFunctions.js'

/**
 * Parameters of the Gamma-Gamma spend model (Fader, Hardie & Lee 2005, "RFM and CLV: Using
 * Iso-Value Curves for Customer Base Analysis", JMR 42(4); Fader & Hardie 2013 note "The
 * Gamma-Gamma Model of Monetary Value"): each spend is Gamma(p, ν), and ν is Gamma(q, γ) across
 * customers. γ is in currency units, so it holds only for the currency it was fitted in.
 */
export interface GammaGammaParams {
  readonly p: number
  readonly q: number
  readonly gamma: number
}

/** A fitted Gamma-Gamma model: its parameters and the log-likelihood they reach. */
export interface GammaGammaFit extends GammaGammaParams {
  /** Total log-likelihood of the repeat buyers' mean spends (natural log, densities of z̄). */
  readonly logLikelihood: number
  /** Customers fitted: those with frequency > 0 and a positive mean spend. */
  readonly customers: number
  /** False when the optimiser stopped on its iteration cap instead of converging. */
  readonly converged: boolean
}

/** What the spend model needs of a customer: x and z̄ (currency units). */
export interface SpendHistory {
  /** x: repeat purchase days. */
  readonly frequency: number
  /** z̄: mean spend per repeat purchase day, currency units. */
  readonly meanRepeatSpend: number
}

/**
 * Returns the log-density of one customer's mean spend z̄ over x transactions:
 *
 * ln f(z̄ | x) = ln Γ(px + q) − ln Γ(px) − ln Γ(q) + q ln γ + (px − 1) ln z̄ + px ln x − (px + q) ln(γ + x z̄)
 */
export function gammaGammaLogLikelihood(params: GammaGammaParams, history: SpendHistory): number {
  const { p, q, gamma } = params
  const { frequency: x, meanRepeatSpend: m } = history
  const px = p * x
  return (
    logGamma(px + q) -
    logGamma(px) -
    logGamma(q) +
    q * Math.log(gamma) +
    (px - 1) * Math.log(m) +
    px * Math.log(x) -
    (px + q) * Math.log(gamma + x * m)
  )
}

/**
 * Fits the Gamma-Gamma spend model by maximum likelihood on the customers with at least one repeat
 * purchase and a positive mean repeat spend (others carry no spend information and are skipped).
 * On the 946 repeat buyers of the CDNOW sample it gives the published p = 6.25, q = 3.74, γ = 15.44.
 *
 * The model assumes spend is independent of purchase frequency; check that the correlation of x
 * and z̄ is weak on your data before trusting it.
 *
 * @example
 * const spend = fitGammaGamma(summaries) // { p: 6.25, q: 3.74, gamma: 15.44, ... }
 */
export function fitGammaGamma(histories: readonly SpendHistory[], options: FitOptions = {}): GammaGammaFit {
  const buyers = histories.filter(({ frequency, meanRepeatSpend }) => frequency > 0 && meanRepeatSpend > 0)
  if (buyers.length === 0) {
    throw new EcrmError(
      'invalid_input',
      'fitGammaGamma() got no repeat buyers: histories (the spend model needs customers with frequency > 0 and meanRepeatSpend > 0)',
    )
  }
  const likelihood = createGammaGammaLikelihood(buyers)
  // γ scales with the currency; start it near the typical spend so any currency converges.
  const spends = buyers.map(({ meanRepeatSpend }) => meanRepeatSpend).sort((left, right) => left - right)
  const median = spends[Math.floor(spends.length / 2)] ?? 1
  const starts = [
    [0, 0, Math.log(median)],
    [Math.log(5), Math.log(3), Math.log(median)],
  ]
  const fit = fitInLogSpace((logParams) => likelihood(logParams).value, starts, options, likelihood)
  const [p = 0, q = 0, gamma = 0] = fit.logParams
  return {
    p: Math.exp(p),
    q: Math.exp(q),
    gamma: Math.exp(gamma),
    logLikelihood: fit.logLikelihood,
    customers: buyers.length,
    converged: fit.converged,
  }
}

/**
 * The total Gamma-Gamma log-likelihood of repeat buyers (x > 0, z̄ > 0) and its gradient with
 * respect to (ln p, ln q, ln γ), per customer:
 * ∂/∂p = x[ψ(px + q) − ψ(px) + ln z̄ + ln x − ln(γ + x z̄)];
 * ∂/∂q = ψ(px + q) − ψ(q) + ln γ − ln(γ + x z̄);  ∂/∂γ = q/γ − (px + q)/(γ + x z̄).
 */
export function createGammaGammaLikelihood(
  buyers: readonly SpendHistory[],
): (logParams: readonly number[]) => ValueAndGradient {
  // Γ and ψ terms depend on x only: compute them once per distinct x; ln z̄ and ln x never change.
  const distinctX = [...new Set(buyers.map(({ frequency }) => frequency))]
  const xIndex = new Map(distinctX.map((x, index) => [x, index]))
  const rows = buyers.map(({ frequency: x, meanRepeatSpend: m }) => ({
    x,
    m,
    xAt: xIndex.get(x) ?? 0,
    logM: Math.log(m),
    logX: Math.log(x),
  }))
  const logGammaTerms = new Float64Array(distinctX.length)
  const psiTotals = new Float64Array(distinctX.length)
  const psiShapes = new Float64Array(distinctX.length)
  return ([logP = 0, logQ = 0, logGammaScale = 0]) => {
    const [p, q, gamma] = [Math.exp(logP), Math.exp(logQ), Math.exp(logGammaScale)]
    distinctX.forEach((x, index) => {
      logGammaTerms[index] = logGamma(p * x + q) - logGamma(p * x)
      psiTotals[index] = digamma(p * x + q)
      psiShapes[index] = digamma(p * x)
    })
    const logScale = Math.log(gamma)
    let value = 0
    let dp = 0
    let dq = 0
    let dGamma = 0
    for (const { x, m, xAt, logM, logX } of rows) {
      const px = p * x
      const logPosterior = Math.log(gamma + x * m)
      const psiTotal = psiTotals[xAt] ?? 0
      value += (logGammaTerms[xAt] ?? 0) + (px - 1) * logM + px * logX - (px + q) * logPosterior
      dp += x * (psiTotal - (psiShapes[xAt] ?? 0) + logM + logX - logPosterior)
      dq += psiTotal - logPosterior
      dGamma -= (px + q) / (gamma + x * m)
    }
    const count = rows.length
    value += count * (q * logScale - logGamma(q))
    dq += count * (logScale - digamma(q))
    dGamma += (count * q) / gamma
    return { value, gradient: [p * dp, q * dq, gamma * dGamma] }
  }
}

/**
 * Returns the expected spend per future transaction of a customer with x repeat purchases of mean
 * z̄ (Fader & Hardie 2013, eq. 5): (γ + x z̄) p / (px + q − 1), a weighted mean of the population
 * mean pγ/(q − 1) and the customer's own z̄. For x = 0 it is the population mean. Needs q > 1.
 *
 * @example
 * gammaGammaExpectedSpend({ p: 6.25, q: 3.74, gamma: 15.44 }, 2, 22.35) // ≈ 25.0 (currency units)
 */
export function gammaGammaExpectedSpend(params: GammaGammaParams, x: number, meanRepeatSpend: number): number {
  const { p, q, gamma } = params
  return ((gamma + x * meanRepeatSpend) * p) / (p * x + q - 1)
}
