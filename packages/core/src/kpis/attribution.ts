import { EcrmError } from '../errors.js'
import type { Touchpoint } from './types.js'
import { DAY_MS } from '../time/units.js'

/** The attribution models. */
export type AttributionModel = 'first_touch' | 'last_touch' | 'linear' | 'time_decay' | 'position_based'

/** Options of {@link attributeConversion}. */
export interface AttributionOptions {
  readonly model: AttributionModel
  /** When the conversion happened, epoch ms; later touchpoints are ignored. */
  readonly conversionAt: number
  /** The value to share out (e.g. the order total in major currency units). @default 1 */
  readonly value?: number
  /** Half-life of the `time_decay` model, ms: a touch this long before the conversion weighs half. @default 7 days */
  readonly halfLifeMs?: number
  /** Touchpoints older than this before the conversion are ignored, ms. @default no limit */
  readonly lookbackMs?: number
}

/** One conversion with its path, for {@link attributeConversions}. */
export interface Conversion {
  readonly touchpoints: readonly Touchpoint[]
  /** Epoch ms. */
  readonly at: number
  /** @default 1 */
  readonly value?: number
}

/** Each touchpoint's share of the credit (summing to 1), for touchpoints sorted by time. */
function weights(path: readonly Touchpoint[], options: AttributionOptions): number[] {
  const count = path.length
  switch (options.model) {
    case 'first_touch':
      return path.map((_, index) => (index === 0 ? 1 : 0))
    case 'last_touch':
      return path.map((_, index) => (index === count - 1 ? 1 : 0))
    case 'linear':
      return path.map(() => 1 / count)
    case 'time_decay': {
      const halfLifeMs = options.halfLifeMs ?? 7 * DAY_MS
      if (!(halfLifeMs > 0)) {
        throw new EcrmError(
          'invalid_options',
          `attributeConversion() got a bad halfLifeMs: ${halfLifeMs} (pass a positive number of ms, e.g. 7 * 86_400_000)`,
        )
      }
      const raw = path.map((touch) => 2 ** (-(options.conversionAt - touch.at) / halfLifeMs))
      const total = raw.reduce((sum, weight) => sum + weight, 0)
      return raw.map((weight) => weight / total)
    }
    case 'position_based':
      // 40 % first, 40 % last, 20 % shared by the middle; one touch takes all, two share 50/50.
      if (count <= 2) return path.map(() => 1 / count)
      return path.map((_, index) => (index === 0 || index === count - 1 ? 0.4 : 0.2 / (count - 2)))
    default:
      throw new EcrmError(
        'invalid_options',
        `attributeConversion() got an unknown model: ${String(options.model)} (use first_touch, last_touch, linear, time_decay or position_based)`,
      )
  }
}

/**
 * Shares one conversion's value among the channels of the touchpoints before it: first touch, last
 * touch, linear, time decay (weight 2^(−Δt / half-life), normalised) or position-based (40/20/40).
 * Touchpoints are sorted by time (equal times keep input order); those after the conversion or
 * outside the lookback are ignored. The credits sum to `value`; no touchpoint gives an empty map.
 * Throws {@link EcrmError} for an unknown model or a non-positive half-life (programmer errors).
 *
 * @example
 * attributeConversion(path, { model: 'position_based', conversionAt: order.at, value: order.total })
 * // Map { 'paid_search' => 16, 'email' => 8, 'direct' => 16 }
 */
export function attributeConversion(
  touchpoints: readonly Touchpoint[],
  options: AttributionOptions,
): Map<string, number> {
  const oldest = options.conversionAt - (options.lookbackMs ?? Number.POSITIVE_INFINITY)
  const path = touchpoints
    .filter((touch) => touch.at <= options.conversionAt && touch.at >= oldest)
    .sort((a, b) => a.at - b.at)
  const credits = new Map<string, number>()
  if (path.length === 0) return credits
  const value = options.value ?? 1
  weights(path, options).forEach((weight, index) => {
    const channel = path[index]?.channel ?? ''
    credits.set(channel, (credits.get(channel) ?? 0) + weight * value)
  })
  return credits
}

/**
 * Sums {@link attributeConversion} over many conversions: credited value per channel.
 * `options.conversionAt` and `options.value` come from each conversion.
 *
 * @example
 * attributeConversions(conversions, { model: 'time_decay', halfLifeMs: 7 * 86_400_000 })
 */
export function attributeConversions(
  conversions: readonly Conversion[],
  options: Omit<AttributionOptions, 'conversionAt' | 'value'>,
): Map<string, number> {
  const totals = new Map<string, number>()
  for (const conversion of conversions) {
    const credits = attributeConversion(conversion.touchpoints, {
      ...options,
      conversionAt: conversion.at,
      ...(conversion.value === undefined ? {} : { value: conversion.value }),
    })
    for (const [channel, credit] of credits) totals.set(channel, (totals.get(channel) ?? 0) + credit)
  }
  return totals
}
