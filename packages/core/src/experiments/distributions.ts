import { regularizedBeta, regularizedGammaP, regularizedGammaQ } from '../math/incompleteGammaBeta.js'

/**
 * Standard normal CDF Φ(z), via Φ(−|z|) = Q(1/2, z²/2) / 2 (erfc as an incomplete gamma), accurate
 * far into the tails.
 *
 * @example
 * normalCdf(1.96) // 0.9750021048517795
 */
export function normalCdf(z: number): number {
  if (Number.isNaN(z)) return Number.NaN
  const tail = 0.5 * regularizedGammaQ(0.5, (z * z) / 2)
  return z < 0 ? tail : 1 - tail
}

/** Two-sided p-value of a standard normal statistic: P(|Z| ≥ |z|) = Q(1/2, z²/2). */
export function normalTwoSidedP(z: number): number {
  return regularizedGammaQ(0.5, (z * z) / 2)
}

/**
 * Standard normal quantile Φ⁻¹(p), by bisection on {@link normalCdf} (exact to ~1e-15; used once
 * per analysis, so speed does not matter).
 */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) return p === 0 ? -Infinity : p === 1 ? Infinity : Number.NaN
  let low = -40
  let high = 40
  for (let step = 0; step < 200 && high - low > 1e-15; step++) {
    const middle = (low + high) / 2
    if (normalCdf(middle) < p) low = middle
    else high = middle
  }
  return (low + high) / 2
}

/**
 * Student t CDF with `df` degrees of freedom (any real df > 0, as Welch's test needs), via the
 * regularized incomplete beta: P(T ≤ −|t|) = I_{df/(df+t²)}(df/2, 1/2) / 2.
 */
export function studentTCdf(t: number, df: number): number {
  const tail = 0.5 * studentTTwoSidedP(t, df)
  return t < 0 ? tail : 1 - tail
}

/** Two-sided p-value of a Student t statistic: P(|T| ≥ |t|). */
export function studentTTwoSidedP(t: number, df: number): number {
  if (Number.isNaN(t) || !(df > 0)) return Number.NaN
  if (!Number.isFinite(t)) return 0
  return regularizedBeta(df / (df + t * t), df / 2, 0.5)
}

/** Chi-square CDF with `df` degrees of freedom: P(df/2, x/2). */
export function chiSquareCdf(x: number, df: number): number {
  return regularizedGammaP(df / 2, x / 2)
}

/** Chi-square upper tail (the p-value of a chi-square statistic): Q(df/2, x/2). */
export function chiSquareSurvival(x: number, df: number): number {
  return regularizedGammaQ(df / 2, x / 2)
}
