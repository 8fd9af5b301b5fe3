/**
 * A small derivative-free minimiser for the model fits: Nelder–Mead with the dimension-adaptive
 * coefficients of Gao & Han (2012, "Implementing the Nelder-Mead simplex algorithm with adaptive
 * parameters", Computational Optimization and Applications 51), restarted from its own best point
 * until a restart no longer improves (the standard cure for a simplex that collapsed too early).
 */

/** Options of {@link minimizeNelderMead}. */
export interface MinimizeOptions {
  /**
   * Size of the initial simplex along each coordinate.
   * @default 0.5
   */
  readonly step?: number
  /**
   * Converged when the simplex's values differ by less than this, relative to max(1, |best|).
   * @default 1e-12
   */
  readonly valueTolerance?: number
  /**
   * ... and its vertices lie within this distance of the best vertex along every coordinate.
   * @default 1e-9
   */
  readonly pointTolerance?: number
  /**
   * Simplex iterations allowed per run.
   * @default 5000
   */
  readonly maxIterations?: number
  /**
   * Restarts from the best point allowed after the first run.
   * @default 8
   */
  readonly maxRestarts?: number
}

/** What {@link minimizeNelderMead} found. */
export interface MinimizeResult {
  /** The best point found. */
  readonly point: readonly number[]
  /** The objective at `point`. */
  readonly value: number
  /** Objective evaluations used. */
  readonly evaluations: number
  /** False when a run stopped on `maxIterations` instead of the tolerances. */
  readonly converged: boolean
}

/**
 * Minimises `objective` from `start` by Nelder–Mead with restarts. A non-finite objective value
 * counts as +Infinity, so the objective may return NaN outside its domain.
 *
 * @example
 * const { point } = minimizeNelderMead(([x = 0, y = 0]) => (x - 1) ** 2 + 10 * (y + 2) ** 2, [0, 0])
 * // point ≈ [1, -2]
 */
export function minimizeNelderMead(
  objective: (point: readonly number[]) => number,
  start: readonly number[],
  options: MinimizeOptions = {},
): MinimizeResult {
  const { maxRestarts = 8 } = options
  let evaluations = 0
  const evaluate = (point: readonly number[]): number => {
    evaluations += 1
    const value = objective(point)
    return Number.isFinite(value) ? value : Number.POSITIVE_INFINITY
  }
  let best = runSimplex(evaluate, start, options)
  for (let restart = 0; restart < maxRestarts; restart += 1) {
    const next = runSimplex(evaluate, best.point, options)
    const improved = next.value < best.value - Math.abs(best.value) * 1e-15
    if (next.value <= best.value) best = next
    if (!improved) break
  }
  return { point: best.point, value: best.value, evaluations, converged: best.converged }
}

interface Vertex {
  point: number[]
  value: number
}

function runSimplex(
  evaluate: (point: readonly number[]) => number,
  start: readonly number[],
  options: MinimizeOptions,
): { point: number[]; value: number; converged: boolean } {
  const { step = 0.5, valueTolerance = 1e-12, pointTolerance = 1e-9, maxIterations = 5000 } = options
  const n = start.length
  const reflection = 1
  const expansion = 1 + 2 / n
  const contraction = 0.75 - 1 / (2 * n)
  const shrinkage = 1 - 1 / n

  const simplex: Vertex[] = [{ point: [...start], value: evaluate(start) }]
  for (let i = 0; i < n; i += 1) {
    const point = [...start]
    point[i] = (point[i] ?? 0) + step
    simplex.push({ point, value: evaluate(point) })
  }

  const along = (from: readonly number[], to: readonly number[], scale: number): number[] =>
    from.map((value, i) => value + scale * ((to[i] ?? 0) - value))

  for (let iteration = 0; iteration < maxIterations; iteration += 1) {
    simplex.sort((left, right) => left.value - right.value)
    const best = simplex[0] as Vertex
    const worst = simplex[n] as Vertex
    if (hasConverged(simplex, valueTolerance, pointTolerance)) {
      return { point: best.point, value: best.value, converged: true }
    }
    const centroid = new Array<number>(n).fill(0)
    for (let v = 0; v < n; v += 1) {
      const { point } = simplex[v] as Vertex
      for (let i = 0; i < n; i += 1) centroid[i] = (centroid[i] ?? 0) + (point[i] ?? 0) / n
    }
    const secondWorst = (simplex[n - 1] as Vertex).value

    const reflected = along(centroid, worst.point, -reflection)
    const reflectedValue = evaluate(reflected)
    if (reflectedValue < best.value) {
      const expanded = along(centroid, worst.point, -expansion)
      const expandedValue = evaluate(expanded)
      simplex[n] =
        expandedValue < reflectedValue
          ? { point: expanded, value: expandedValue }
          : { point: reflected, value: reflectedValue }
      continue
    }
    if (reflectedValue < secondWorst) {
      simplex[n] = { point: reflected, value: reflectedValue }
      continue
    }
    // Contract outside when the reflection helped a little, inside when it did not help at all.
    const outside = reflectedValue < worst.value
    const contracted = outside ? along(centroid, worst.point, -contraction) : along(centroid, worst.point, contraction)
    const contractedValue = evaluate(contracted)
    if (contractedValue < (outside ? reflectedValue : worst.value)) {
      simplex[n] = { point: contracted, value: contractedValue }
      continue
    }
    for (let v = 1; v <= n; v += 1) {
      const point = along(best.point, (simplex[v] as Vertex).point, shrinkage)
      simplex[v] = { point, value: evaluate(point) }
    }
  }
  simplex.sort((left, right) => left.value - right.value)
  const best = simplex[0] as Vertex
  return { point: best.point, value: best.value, converged: false }
}

function hasConverged(simplex: readonly Vertex[], valueTolerance: number, pointTolerance: number): boolean {
  const best = simplex[0] as Vertex
  const allowed = valueTolerance * Math.max(1, Math.abs(best.value))
  for (const vertex of simplex) {
    if (!(Math.abs(vertex.value - best.value) <= allowed)) return false
    for (let i = 0; i < best.point.length; i += 1) {
      if (!(Math.abs((vertex.point[i] ?? 0) - (best.point[i] ?? 0)) <= pointTolerance)) return false
    }
  }
  return true
}
