import { hashFnv } from './hashFnv.js'

/** A half-open slice `[start, end)` of the unit interval; a hash inside it picks the variation. */
export type BucketRange = readonly [start: number, end: number]

/**
 * A mutually exclusive slice of traffic: `[namespaceId, start, end)`. Experiments in the same
 * namespace with disjoint slices never share a visitor.
 */
export type Namespace = readonly [id: string, start: number, end: number]

/**
 * Splits traffic evenly: `count` weights of `1 / count` each; `[]` when `count < 1`.
 *
 * @example
 * getEqualWeights(4) // [0.25, 0.25, 0.25, 0.25]
 */
export function getEqualWeights(count: number): number[] {
  if (!(count >= 1)) return []
  return new Array<number>(Math.floor(count)).fill(1 / Math.floor(count))
}

/**
 * Lays out one bucket range per variation on [0, 1).
 *
 * Each variation owns a slot as wide as its weight; only the first `coverage` share of each slot
 * is used, so lowering coverage drops visitors from every variation in proportion and raising it
 * later never moves an assigned visitor to another variation. Coverage is clamped to [0, 1].
 * Weights fall back to equal weights when missing, of the wrong length, or not summing to 1
 * (± 0.01), matching GrowthBook.
 *
 * @param count number of variations
 * @param coverage share of traffic included, 0–1 @default 1
 * @param weights one weight per variation, summing to 1 @default equal weights
 * @example
 * getBucketRanges(2, 0.5) // [[0, 0.25], [0.5, 0.75]]
 */
export function getBucketRanges(count: number, coverage = 1, weights?: readonly number[] | null): BucketRange[] {
  const share = Number.isNaN(coverage) ? 0 : Math.min(1, Math.max(0, coverage))
  let slots: readonly number[] = getEqualWeights(count)
  if (weights && weights.length === count) {
    const total = weights.reduce((sum, weight) => sum + weight, 0)
    if (total >= 0.99 && total <= 1.01) slots = weights
  }
  let cumulative = 0
  return slots.map((weight) => {
    const start = cumulative
    cumulative += weight
    return [start, start + share * weight] as const
  })
}

/**
 * Picks the variation whose range holds `n`, or -1 when `n` falls in no range (outside coverage).
 *
 * @example
 * chooseVariation(0.6, [[0, 0.25], [0.5, 0.75]]) // 1
 */
export function chooseVariation(n: number, ranges: readonly BucketRange[]): number {
  for (let index = 0; index < ranges.length; index++) {
    const range = ranges[index]
    if (range && n >= range[0] && n < range[1]) return index
  }
  return -1
}

/**
 * Whether a hash value (a visitor id) falls into a namespace slice. Uses hash version 1 with the
 * seed `__<namespaceId>`, as GrowthBook does, so the namespace split is independent of any one
 * experiment's seed.
 *
 * @example
 * inNamespace('1', ['checkout', 0.4, 1]) // true
 */
export function inNamespace(id: string, namespace: Namespace): boolean {
  const n = hashFnv(`__${namespace[0]}`, id, 1)
  return n !== null && n >= namespace[1] && n < namespace[2]
}
