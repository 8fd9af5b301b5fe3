import { EcrmError } from '../errors.js'
import { rfmCutPointsOfValues, type RfmCutPoints, type RfmMethod, type RfmValues } from './rfmCutPoints.js'

/** How to cut the base into RFM scores. */
export interface RfmMethodOptions {
  /**
   * `quantile`: quintiles of the base; `fixed`: the edges below; `auto`: quantiles when the base
   * has at least `minCustomers` buyers and `bins` distinct recencies, else fixed.
   * @default 'auto'
   */
  readonly method?: 'auto' | RfmMethod | undefined
  /** Fixed recency edges in days, increasing: within the first scores R5, beyond the last R1. @default [7, 30, 90, 180] */
  readonly recencyEdgesDays?: readonly number[] | undefined
  /** Fixed order-count edges, increasing: above the last scores F5. @default [1, 2, 3, 5] */
  readonly frequencyEdges?: readonly number[] | undefined
  /** Fixed monetary edges in major currency units, increasing. @default [50, 100, 250, 500] */
  readonly monetaryEdges?: readonly number[] | undefined
  /** Fewest buyers for quantiles to mean something (`auto`). @default 100 */
  readonly minCustomers?: number | undefined
}

/** The defaults of {@link RfmMethodOptions}' fixed edges. */
export const defaultRfmEdges = {
  recencyEdgesDays: [7, 30, 90, 180],
  frequencyEdges: [1, 2, 3, 5],
  monetaryEdges: [50, 100, 250, 500],
} as const

/**
 * Cut points from fixed edges (5 bins): recency in days (7 / 30 / 90 / 180 by default: bought
 * within 7 days scores R5), order counts and money. For a young or small shop, where every buyer
 * bought in the same few days and quantiles of the base would mean nothing.
 *
 * @example
 * fixedRfmCutPoints({ recencyEdgesDays: [7, 30, 90, 180] }, now).recencyDays // [180, 90, 30, 7]
 */
export function fixedRfmCutPoints(options: RfmMethodOptions, now: number): RfmCutPoints {
  const recency = increasing('recencyEdgesDays', options.recencyEdgesDays ?? defaultRfmEdges.recencyEdgesDays)
  return {
    bins: 5,
    computedAt: now,
    method: 'fixed',
    recencyDays: [...recency].reverse(),
    frequency: increasing('frequencyEdges', options.frequencyEdges ?? defaultRfmEdges.frequencyEdges),
    monetary: increasing('monetaryEdges', options.monetaryEdges ?? defaultRfmEdges.monetaryEdges),
  }
}

/**
 * The cut points of a base by the configured method: quantiles ({@link rfmCutPointsOfValues})
 * when asked, fixed edges when asked, and under `auto` quantiles only when there are at least
 * `minCustomers` buyers and as many distinct recencies (whole days) as bins; otherwise fixed.
 * Sorts the arrays in place.
 */
export function chooseRfmCutPoints(values: RfmValues, options: RfmMethodOptions, now: number): RfmCutPoints {
  const method = options.method ?? 'auto'
  if (method === 'fixed') return fixedRfmCutPoints(options, now)
  const quantiles = rfmCutPointsOfValues(values, { now })
  if (method === 'quantile') return quantiles
  const buyers = values.recencyDays.length
  return buyers >= (options.minCustomers ?? 100) && distinctSorted(values.recencyDays) >= quantiles.bins
    ? quantiles
    : fixedRfmCutPoints(options, now)
}

/** Distinct values of a sorted array, counting no further than 10 (the most bins there are). */
function distinctSorted(sorted: Float64Array): number {
  let distinct = sorted.length === 0 ? 0 : 1
  for (let i = 1; i < sorted.length && distinct < 10; i++) if (sorted[i] !== sorted[i - 1]) distinct += 1
  return distinct
}

function increasing(name: string, edges: readonly number[]): number[] {
  const ok =
    edges.length === 4 && edges.every((edge, i) => Number.isFinite(edge) && (i === 0 || edge > (edges[i - 1] ?? 0)))
  if (!ok)
    throw new EcrmError(
      'invalid_options',
      `invalid RFM options: ${name} (got ${JSON.stringify(edges)}; give 4 increasing numbers, one edge between each two of the 5 scores)`,
    )
  return [...edges]
}
