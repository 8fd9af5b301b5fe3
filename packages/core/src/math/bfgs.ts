/**
 * Quasi-Newton minimisation (BFGS, Nocedal & Wright 2006, "Numerical Optimization", algorithm
 * 6.1) with a backtracking Armijo line search, for objectives whose gradient is known in closed
 * form. Far fewer evaluations than Nelder–Mead on smooth likelihoods.
 */

/** An objective value with its gradient. */
export interface ValueAndGradient {
  readonly value: number
  readonly gradient: readonly number[]
}

/** What {@link minimizeBfgs} found. */
export interface BfgsResult {
  readonly point: readonly number[]
  readonly value: number
  /** True when the gradient became small relative to the value. */
  readonly converged: boolean
}

/** Gradient size, relative to the value, accepted as a minimum once rounding stops progress. */
const FLOOR_TOLERANCE = 1e-6

const dot = (u: readonly number[], v: readonly number[]): number =>
  u.reduce((sum, value, i) => sum + value * (v[i] ?? 0), 0)

/**
 * Minimises `evaluate` from `start`. Converged when every gradient component is below
 * `gradientTolerance` × max(1, |value|). Non-finite values are treated as out of the domain
 * (the line search steps back); no step moves a coordinate by more than `maxStep`.
 */
export function minimizeBfgs(
  evaluate: (point: readonly number[]) => ValueAndGradient,
  start: readonly number[],
  { maxIterations = 500, gradientTolerance = 1e-10, maxStep = 1 } = {},
): BfgsResult {
  const n = start.length
  let point = [...start]
  let current = evaluate(point)
  if (!Number.isFinite(current.value)) return { point, value: Number.POSITIVE_INFINITY, converged: false }
  // The inverse Hessian estimate, starting from the identity.
  let inverse = identity(n)
  let stalled = 0
  for (let iteration = 0; iteration < maxIterations; iteration += 1) {
    const { gradient } = current
    const scale = Math.max(1, Math.abs(current.value))
    if (gradient.every((component) => Math.abs(component) <= gradientTolerance * scale)) {
      return { point, value: current.value, converged: true }
    }
    let direction = inverse.map((row) => -dot(row, gradient))
    let slope = dot(gradient, direction)
    if (!(slope < 0)) {
      // Not a descent direction (a bad curvature estimate): restart from steepest descent.
      inverse = identity(n)
      direction = gradient.map((component) => -component)
      slope = dot(gradient, direction)
    }
    // Cap the first trial at `maxStep` per coordinate (Numerical Recipes' stpmax): a raw Newton
    // step from a poor start can leap to where the likelihood under- or overflows.
    const longest = Math.max(...direction.map(Math.abs))
    let step = longest > maxStep ? maxStep / longest : 1
    let next: ValueAndGradient | undefined
    let candidate = point
    for (let tries = 0; tries < 60; tries += 1) {
      candidate = point.map((value, i) => value + step * (direction[i] ?? 0))
      const trial = evaluate(candidate)
      if (Number.isFinite(trial.value) && trial.value <= current.value + 1e-4 * step * slope) {
        next = trial
        break
      }
      step /= 2
    }
    // No more progress: the value is at its rounding floor. That is a minimum when the gradient
    // is small for float arithmetic on a sum of many terms.
    const atFloor = (): BfgsResult => ({
      point,
      value: current.value,
      converged: gradient.every((component) => Math.abs(component) <= FLOOR_TOLERANCE * scale),
    })
    if (next === undefined) return atFloor()
    stalled = current.value - next.value <= 1e-15 * scale ? stalled + 1 : 0
    if (stalled >= 3) return atFloor()
    const moved = candidate.map((value, i) => value - (point[i] ?? 0))
    const turned = next.gradient.map((value, i) => value - (gradient[i] ?? 0))
    const curvature = dot(moved, turned)
    if (curvature > 1e-12) inverse = updateInverse(inverse, moved, turned, 1 / curvature)
    point = candidate
    current = next
  }
  return { point, value: current.value, converged: false }
}

function identity(n: number): number[][] {
  return Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 1 : 0)))
}

/** H⁺ = (I − ρ s yᵀ) H (I − ρ y sᵀ) + ρ s sᵀ, the BFGS update of the inverse Hessian. */
function updateInverse(inverse: number[][], s: number[], y: number[], rho: number): number[][] {
  const n = s.length
  const hy = inverse.map((row) => dot(row, y))
  const yhy = dot(y, hy)
  return Array.from({ length: n }, (_, i) =>
    Array.from({ length: n }, (_, j) => {
      const h = inverse[i]?.[j] ?? 0
      return (
        h -
        rho * ((hy[i] ?? 0) * (s[j] ?? 0) + (s[i] ?? 0) * (hy[j] ?? 0)) +
        (rho * rho * yhy + rho) * (s[i] ?? 0) * (s[j] ?? 0)
      )
    }),
  )
}
