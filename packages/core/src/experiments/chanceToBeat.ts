import { normalCdf } from './distributions.js'
import { logBeta } from '../math/specialFunctions.js'

/** A Beta(alpha, beta) posterior of a conversion rate. */
export interface BetaPosterior {
  readonly alpha: number
  readonly beta: number
}

/**
 * P(p_B > p_A) for independent p_A ~ Beta(αA, βA) and p_B ~ Beta(αB, βB), exactly.
 *
 * Uses the closed form (Miller 2015, "Formulas for Bayesian A/B Testing"; Cook 2005):
 * P = Σ_{i=0}^{αB−1} B(αA + i, βA + βB) / ((βB + i) · B(1 + i, βB) · B(αA, βA)),
 * which needs one integer parameter to sum over. With the uniform Beta(1, 1) prior all four are
 * integers (1 + conversions, 1 + non-conversions), so the sum is exact and deterministic — no
 * sampling noise, no integration grid. To keep the loop short we sum over the smallest of the four
 * parameters, using P(p_B > p_A) = 1 − P(p_A > p_B) and p_B > p_A ⇔ 1 − p_A > 1 − p_B.
 *
 * @throws nothing; returns NaN when no parameter is a positive integer.
 */
export function betaChanceToBeat(control: BetaPosterior, treatment: BetaPosterior): number {
  const options = [
    { steps: treatment.alpha, run: () => millerSum(control, treatment) },
    { steps: control.alpha, run: () => 1 - millerSum(treatment, control) },
    // p_B > p_A ⇔ q_A > q_B with q = 1 − p ~ Beta(β, α): q_A plays the treatment.
    { steps: control.beta, run: () => millerSum(flip(treatment), flip(control)) },
    { steps: treatment.beta, run: () => 1 - millerSum(flip(control), flip(treatment)) },
  ].filter((option) => Number.isInteger(option.steps) && option.steps > 0)
  options.sort((left, right) => left.steps - right.steps)
  const best = options[0]
  if (!best) return Number.NaN
  return Math.min(1, Math.max(0, best.run()))
}

function flip(posterior: BetaPosterior): BetaPosterior {
  return { alpha: posterior.beta, beta: posterior.alpha }
}

/** Σ over i < αB of Miller's terms: P(p_B > p_A) with αB a positive integer. */
function millerSum(a: BetaPosterior, b: BetaPosterior): number {
  const constant = logBeta(a.alpha, a.beta)
  let sum = 0
  for (let i = 0; i < b.alpha; i++) {
    sum += Math.exp(logBeta(a.alpha + i, a.beta + b.beta) - Math.log(b.beta + i) - logBeta(1 + i, b.beta) - constant)
  }
  return sum
}

/**
 * P(μ_B > μ_A) under normal posteriors of two means (flat prior, central limit theorem):
 * Φ((μ_B − μ_A) / √(se_A² + se_B²)). Used for revenue, whose per-user values have no conjugate
 * model; with hundreds of users per arm the normal posterior of a mean is a close approximation.
 */
export function normalChanceToBeat(
  control: { readonly mean: number; readonly standardError: number },
  treatment: { readonly mean: number; readonly standardError: number },
): number {
  const spread = Math.hypot(control.standardError, treatment.standardError)
  const difference = treatment.mean - control.mean
  if (spread === 0) return difference > 0 ? 1 : difference < 0 ? 0 : 0.5
  return normalCdf(difference / spread)
}
