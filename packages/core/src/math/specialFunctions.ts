/**
 * The special functions of core's statistics (CLV models, experiment analysis), written for accuracy
 * near 1e-14 on the argument ranges they use (positive reals, series arguments inside the unit disc).
 */

const HALF_LOG_TWO_PI = 0.5 * Math.log(2 * Math.PI)

/**
 * Returns ln Γ(x) for x > 0, or NaN for any other input.
 *
 * Stirling's asymptotic series (Abramowitz & Stegun 6.1.41) after shifting the argument above 10
 * with Γ(x + 1) = x Γ(x); at that size the truncated series is accurate to about 1e-16.
 */
export function logGamma(x: number): number {
  if (!(x > 0) || !Number.isFinite(x)) return Number.NaN
  let y = x
  // One logarithm of the product x (x + 1) … instead of one per step; it stays below 10!, so
  // it cannot overflow, and a tiny x keeps its precision (a product, not a sum).
  let product = 1
  while (y < 10) {
    product *= y
    y += 1
  }
  const inverse = 1 / y
  const inverseSquared = inverse * inverse
  // Bernoulli terms B(2k) / (2k (2k − 1) y^(2k − 1)), k = 1..7, Horner form.
  const series =
    inverse *
    (1 / 12 -
      inverseSquared *
        (1 / 360 -
          inverseSquared *
            (1 / 1260 -
              inverseSquared *
                (1 / 1680 - inverseSquared * (1 / 1188 - inverseSquared * (691 / 360360 - inverseSquared / 156))))))
  return (y - 0.5) * Math.log(y) - y + HALF_LOG_TWO_PI + series - Math.log(product)
}

/**
 * Returns the digamma function ψ(x) = d ln Γ(x)/dx for x > 0, or NaN for any other input.
 *
 * The asymptotic series (A&S 6.3.18) after the recurrence ψ(x) = ψ(x + 1) − 1/x lifts the
 * argument above 10, where the truncated series is accurate to about 1e-16.
 */
export function digamma(x: number): number {
  if (!(x > 0) || !Number.isFinite(x)) return Number.NaN
  let y = x
  let shift = 0
  while (y < 10) {
    shift += 1 / y
    y += 1
  }
  const inverseSquared = 1 / (y * y)
  const series =
    inverseSquared *
    (1 / 12 -
      inverseSquared * (1 / 120 - inverseSquared * (1 / 252 - inverseSquared * (1 / 240 - inverseSquared * (1 / 132)))))
  return Math.log(y) - 0.5 / y - series - shift
}

/** Returns ln B(a, b) = ln Γ(a) + ln Γ(b) − ln Γ(a + b) for a, b > 0. */
export function logBeta(a: number, b: number): number {
  return logGamma(a) + logGamma(b) - logGamma(a + b)
}

/** Returns ln(e^u + e^v) without overflow or underflow. */
export function logAddExp(u: number, v: number): number {
  if (u === Number.NEGATIVE_INFINITY) return v
  if (v === Number.NEGATIVE_INFINITY) return u
  const high = Math.max(u, v)
  return high + Math.log1p(Math.exp(-Math.abs(u - v)))
}

/** Returns ln(e^u − e^v) for u ≥ v (−Infinity when they are equal). */
export function logSubExp(u: number, v: number): number {
  if (v === Number.NEGATIVE_INFINITY) return u
  if (v > u) return Number.NaN
  return u + Math.log(-Math.expm1(v - u))
}

/** Options of {@link hypergeometric2F1}. */
export interface HypergeometricOptions {
  /**
   * Terms summed before giving up and returning NaN.
   * @default 100000
   */
  readonly maxTerms?: number
  /**
   * Relative size of a term below which the sum is considered converged.
   * @default 1e-16
   */
  readonly tolerance?: number
}

/**
 * Returns the Gauss hypergeometric function ₂F₁(a, b; c; z) for |z| < 1 by its power series
 * (Abramowitz & Stegun 15.1.1); NaN when the series does not converge within `maxTerms`.
 *
 * Accurate when the terms do not alternate wildly: in this module every call has real
 * parameters with c > 0 and 0 ≤ z < 1. Not a general-purpose 2F1 (no analytic continuation).
 *
 * @example
 * hypergeometric2F1(1, 1, 2, 0.5) // −ln(1 − 0.5) / 0.5 = 1.3862943611198906
 */
export function hypergeometric2F1(
  a: number,
  b: number,
  c: number,
  z: number,
  options: HypergeometricOptions = {},
): number {
  const { maxTerms = 100_000, tolerance = 1e-16 } = options
  if (!(Math.abs(z) < 1)) return Number.NaN
  let term = 1
  let sum = 1
  for (let n = 0; n < maxTerms; n += 1) {
    const ratio = (((a + n) * (b + n)) / ((c + n) * (n + 1))) * z
    term *= ratio
    sum += term
    if (term === 0) return sum // a or b was a non-positive integer: the series ended
    // Stop only once the terms shrink for good (|ratio| < 1), and bound the tail by a geometric
    // series, so a slowly converging sum (z near 1) is not cut short.
    const shrink = Math.abs(ratio)
    if (shrink < 1 && Math.abs(term) <= tolerance * (1 - shrink) * Math.abs(sum)) return sum
  }
  return Number.NaN
}
