import { minimizeBfgs } from '../math/bfgs.js'
import type { ValueAndGradient } from '../math/bfgs.js'
import { minimizeNelderMead } from '../math/nelderMead.js'
import type { MinimizeOptions } from '../math/nelderMead.js'
import type { PurchaseHistory } from './types.js'

/** Options of the model fits (`fitBgNbd`, `fitGammaGamma`, `fitParetoNbd`). */
export interface FitOptions extends MinimizeOptions {
  /**
   * Extra starting points, as the model's parameters in its own order (e.g. `[r, alpha, a, b]`),
   * tried besides the built-in ones; the best result wins.
   */
  readonly starts?: readonly (readonly number[])[]
}

/** A likelihood maximised over log-parameters. */
export interface LogSpaceFit {
  readonly logParams: readonly number[]
  readonly logLikelihood: number
  readonly converged: boolean
}

/** Log-parameters beyond ±LOG_BOUND (a factor of e^15 ≈ 3·10^6) are outside the search space. */
const LOG_BOUND = 15

/** Simplex iterations each start gets before only the most promising one is run to the end. */
const SCREENING_ITERATIONS = 150

/**
 * Maximises `logLikelihood` over log-parameters from several starts (built-in ones plus the
 * user's, given in natural scale).
 *
 * With a gradient, starts run BFGS in turn until two converged runs agree; the best wins. Without one, or when
 * BFGS does not converge, every start gets a short Nelder–Mead run and the most promising is run
 * to convergence with restarts: the robustness of several starts at little more than the cost of
 * one. Parameters are kept within e^±15, so a likelihood that keeps rising towards a boundary (a
 * model that fits the data badly) ends at the wall instead of running to the iteration cap.
 */
export function fitInLogSpace(
  logLikelihood: (logParams: readonly number[]) => number,
  builtInStarts: readonly (readonly number[])[],
  options: FitOptions,
  withGradient?: (logParams: readonly number[]) => ValueAndGradient,
): LogSpaceFit {
  const starts = [...builtInStarts, ...(options.starts ?? []).map((start) => start.map(Math.log))]
  const inBounds = (point: readonly number[]): boolean => point.every((value) => Math.abs(value) <= LOG_BOUND)
  let best: { point: readonly number[]; value: number } | undefined
  if (withGradient !== undefined) {
    const negated = (point: readonly number[]): ValueAndGradient => {
      if (!inBounds(point)) return { value: Number.POSITIVE_INFINITY, gradient: point.map(() => 0) }
      const { value, gradient } = withGradient(point)
      return { value: -value, gradient: gradient.map((component) => -component) }
    }
    // Two converged runs from different starts that agree are taken as the maximum; the other
    // starts only run when they disagree (or fail), which halves the cost on big inputs.
    let agreeing = 0
    for (const start of starts) {
      const result = minimizeBfgs(negated, start)
      if (!result.converged) continue
      if (best !== undefined && Math.abs(result.value - best.value) <= 1e-9 * Math.max(1, Math.abs(best.value)))
        agreeing += 1
      if (best === undefined || result.value < best.value) best = result
      if (agreeing >= 1) break
    }
    if (best !== undefined) return { logParams: best.point, logLikelihood: -best.value, converged: true }
  }
  const objective = (point: readonly number[]): number =>
    inBounds(point) ? -logLikelihood(point) : Number.POSITIVE_INFINITY
  for (const start of starts) {
    const screened = minimizeNelderMead(objective, start, {
      ...options,
      maxIterations: SCREENING_ITERATIONS,
      maxRestarts: 0,
    })
    if (best === undefined || screened.value < best.value) best = screened
  }
  // Built-in starts are never empty, so `best` is set.
  const final = minimizeNelderMead(objective, (best as { point: readonly number[] }).point, options)
  return { logParams: final.point, logLikelihood: -final.value, converged: final.converged }
}

/** Identical histories, pooled with their count so a likelihood evaluates each once. */
export interface PooledHistory {
  readonly history: PurchaseHistory
  readonly count: number
}

/** Pools identical (x, t_x, T) triples; the likelihood is a sum, so counts weight it exactly. */
export function compressHistories(histories: readonly PurchaseHistory[]): PooledHistory[] {
  const pooled = new Map<string, { history: PurchaseHistory; count: number }>()
  for (const { frequency, recency, age } of histories) {
    const key = `${frequency}|${recency}|${age}`
    const seen = pooled.get(key)
    if (seen === undefined) pooled.set(key, { history: { frequency, recency, age }, count: 1 })
    else seen.count += 1
  }
  return [...pooled.values()]
}
