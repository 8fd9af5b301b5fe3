import type { BgNbdParams } from './bgNbd.js'
import { hypergeometric2F1, logBeta, logGamma } from '../math/specialFunctions.js'

/**
 * Returns the probability that a customer with history (x, t_x, T) is still alive at T
 * (FHL 2005, eq. 12; Fader, Hardie & Lee 2008 note "Computing P(alive) using the BG/NBD model"):
 * 1 / (1 + δ(x>0) · a/(b + x − 1) · ((α + T)/(α + t_x))^(r+x)). A customer with no repeat purchase
 * is alive for sure in this model, which drops customers only right after a purchase.
 *
 * @example
 * bgNbdProbabilityAlive({ r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 }, 2, 30.43, 38.86) // ≈ 0.73
 */
export function bgNbdProbabilityAlive(params: BgNbdParams, x: number, tx: number, T: number): number {
  if (x === 0) return 1
  const { r, alpha, a, b } = params
  const logOdds = Math.log(a) - Math.log(b + x - 1) + (r + x) * (Math.log(alpha + T) - Math.log(alpha + tx))
  // 1 / (1 + e^logOdds), written so that a huge logOdds gives 0 instead of NaN.
  return logOdds > 0 ? Math.exp(-logOdds) / (1 + Math.exp(-logOdds)) : 1 / (1 + Math.exp(logOdds))
}

/**
 * Returns the expected number of repeat purchases in the next `t` units of a customer with history
 * (x, t_x, T) (FHL 2005, eq. 10):
 *
 * E[Y(t) | x, t_x, T] = (a + b + x − 1)/(a − 1) · [1 − ((α + T)/(α + T + t))^(r+x) ₂F₁(r + x, b + x; a + b + x − 1; z)]
 *                       / (1 + δ(x>0) a/(b + x − 1) ((α + T)/(α + t_x))^(r+x)),  z = t/(α + T + t).
 *
 * The ₂F₁ is evaluated after Euler's transformation (A&S 15.3.3), which folds the power in front
 * into (1 − z)^(a−1) ₂F₁(a + b − 1 − r, a − 1; a + b + x − 1; z): its terms shrink from the start
 * for every x, where the untransformed series grows like n^(r+x−a) and overflows for big x.
 *
 * @example
 * bgNbdExpectedPurchases({ r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 }, 39, 2, 30.43, 38.86) // 1.226
 */
export function bgNbdExpectedPurchases(params: BgNbdParams, t: number, x: number, tx: number, T: number): number {
  if (t <= 0) return 0
  return bgNbdExpectedPurchasesIfAlive(params, t, x, T) * bgNbdProbabilityAlive(params, x, tx, T)
}

/**
 * E[Y(t) | x, t_x, T] / P(alive): the expected purchases of a customer known to be alive at T.
 * Internal: lets a caller that needs many horizons compute P(alive) once.
 */
export function bgNbdExpectedPurchasesIfAlive(params: BgNbdParams, t: number, x: number, T: number): number {
  return t <= 0 ? 0 : expectedIfAlive(params, t / (params.alpha + T + t), x)
}

/**
 * Returns E[X(t)], the expected number of purchases in (0, t] of a customer picked at random at
 * the start of their life (FHL 2005, eq. 9):
 * (a + b − 1)/(a − 1) · [1 − (α/(α + t))^r ₂F₁(r, b; a + b − 1; t/(α + t))].
 */
export function bgNbdUnconditionalExpectedPurchases(params: BgNbdParams, t: number): number {
  if (t <= 0) return 0
  // The same bracket as the conditional expectation, with x = 0 and T = 0.
  return expectedIfAlive(params, t / (params.alpha + t), 0)
}

/**
 * (a + b + x − 1)/(a − 1) · [1 − (1 − z)^(a−1) ₂F₁(a + b − 1 − r, a − 1; a + b + x − 1; z)].
 * At a = 1 both factors are singular but their product is not: take the mean of the two sides,
 * whose error is second order in the offset (about 1e-10 here).
 */
function expectedIfAlive(params: BgNbdParams, z: number, x: number): number {
  const nearOne = 1e-5
  if (Math.abs(params.a - 1) >= nearOne) return bracket(params, z, x)
  return (bracket({ ...params, a: 1 - nearOne }, z, x) + bracket({ ...params, a: 1 + nearOne }, z, x)) / 2
}

function bracket({ r, a, b }: BgNbdParams, z: number, x: number): number {
  const c = a + b + x - 1
  const transformed = Math.pow(1 - z, a - 1) * hypergeometric2F1(a + b - 1 - r, a - 1, c, z)
  return (c / (a - 1)) * (1 - transformed)
}

/**
 * Returns P(X(t) = n): the probability that a customer picked at random at the start of their
 * life makes exactly `n` purchases in (0, t] (FHL 2005, eq. 8). Unconditional: it does not look
 * at anyone's history. With the CDNOW parameters, P(X(39) = 0) = 0.5737864.
 *
 * P(X(t) = n) = B(a, b + n)/B(a, b) · Γ(r + n)/(Γ(r) n!) (α/(α + t))^r (t/(α + t))^n
 *             + δ(n>0) B(a + 1, b + n − 1)/B(a, b) · [1 − (α/(α + t))^r Σ_{j<n} Γ(r + j)/(Γ(r) j!) (t/(α + t))^j]
 *
 * @example
 * bgNbdProbabilityOfNPurchases({ r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 }, 39, 0) // 0.5737864
 */
export function bgNbdProbabilityOfNPurchases(params: BgNbdParams, t: number, n: number): number {
  const { r, alpha, a, b } = params
  if (!Number.isInteger(n) || n < 0) return 0
  if (t <= 0) return n === 0 ? 1 : 0
  const logStay = Math.log(alpha) - Math.log(alpha + t)
  const logGo = Math.log(t) - Math.log(alpha + t)
  const logBetaAB = logBeta(a, b)
  // ln of the NBD term Γ(r + j)/(Γ(r) j!) (α/(α+t))^r (t/(α+t))^j.
  const logNbd = (j: number): number => logGamma(r + j) - logGamma(r) - logGamma(j + 1) + r * logStay + j * logGo
  const alive = Math.exp(logBeta(a, b + n) - logBetaAB + logNbd(n))
  if (n === 0) return alive
  // 1 − Σ_{j<n} NBD(j) is the NBD's upper tail; its absolute error stays near 1e-16, which the
  // small weight B(a + 1, b + n − 1)/B(a, b) keeps negligible in the total.
  let cumulative = 0
  for (let j = 0; j < n; j += 1) cumulative += Math.exp(logNbd(j))
  const tail = Math.max(0, 1 - cumulative)
  return alive + Math.exp(logBeta(a + 1, b + n - 1) - logBetaAB) * tail
}
