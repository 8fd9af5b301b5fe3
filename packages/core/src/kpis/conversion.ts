import { toRate } from './types.js'
import type { Rate } from './types.js'

/** One visit (session) and whether it ended in a conversion. */
export interface Visit {
  /** The acquisition channel of the visit, e.g. `email`, `paid_search`, `direct`. */
  readonly channel: string
  readonly converted: boolean
}

/**
 * Conversion rate: converted visits ÷ visits (the session conversion rate of e-commerce analytics).
 * `numerator` is the number of conversions, `denominator` the number of visits; 0 for no visits.
 *
 * @example
 * computeConversionRate([{ channel: 'email', converted: true }, { channel: 'direct', converted: false }])
 * // { numerator: 1, denominator: 2, rate: 0.5 }
 */
export function computeConversionRate(visits: readonly Visit[]): Rate {
  return toRate(visits.filter((visit) => visit.converted).length, visits.length)
}

/**
 * Conversion rate per channel, in order of first appearance. An empty input gives an empty map.
 *
 * @example
 * computeConversionByChannel(visits).get('email')?.rate // 0.031
 */
export function computeConversionByChannel(visits: readonly Visit[]): Map<string, Rate> {
  const counts = new Map<string, { visits: number; conversions: number }>()
  for (const visit of visits) {
    const count = counts.get(visit.channel) ?? { visits: 0, conversions: 0 }
    count.visits += 1
    if (visit.converted) count.conversions += 1
    counts.set(visit.channel, count)
  }
  return new Map([...counts].map(([channel, count]) => [channel, toRate(count.conversions, count.visits)]))
}
