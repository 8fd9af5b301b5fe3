/** One `Experiment Viewed` as analysis reads it. */
export interface ExposureRecord {
  readonly visitorId: string
  readonly variationId: string
  /** Epoch ms of the exposure; with a conversion's `at`, only later conversions count. */
  readonly at?: number
}

/** One conversion (e.g. an `Order Completed`) as analysis reads it. */
export interface ConversionRecord {
  readonly visitorId: string
  /** Revenue of the conversion, in the currency's major unit (e.g. 19.99 EUR); only the revenue metric reads it. @default 0 */
  readonly value?: number
  /** Epoch ms of the conversion. */
  readonly at?: number
}

/** Per-variant sufficient statistics. */
export interface VariantTotals {
  readonly id: string
  /** Distinct exposed visitors. */
  readonly users: number
  /** Visitors with at least one counted conversion. */
  readonly conversions: number
  /** conversions / users (0 with no users). */
  readonly rate: number
  /** Sum of conversion values, major currency unit. */
  readonly revenue: number
  /** Revenue per user (non-converters count as 0). */
  readonly revenuePerUser: number
  /** Sample variance of revenue per user (n − 1 denominator; 0 below 2 users). */
  readonly revenueVariance: number
}

/** What {@link collectVariantStats} found besides the totals. */
export interface CollectedStats {
  readonly variants: VariantTotals[]
  /** Visitors exposed to more than one variant; each is counted in their first variant only. */
  readonly multipleExposureUsers: number
  /** Conversions of visitors never exposed, or before their exposure; not counted. */
  readonly ignoredConversions: number
}

/**
 * Folds raw exposures and conversions into per-variant totals: each visitor counted once, in
 * the variant of their first exposure (input order), with the conversions that are theirs and
 * not earlier than that exposure.
 */
export function collectVariantStats(
  exposures: readonly ExposureRecord[],
  conversions: readonly ConversionRecord[],
  variantIds: readonly string[],
): CollectedStats {
  const firstExposure = new Map<string, ExposureRecord>()
  const multiple = new Set<string>()
  for (const exposure of exposures) {
    const seen = firstExposure.get(exposure.visitorId)
    if (!seen) firstExposure.set(exposure.visitorId, exposure)
    else if (seen.variationId !== exposure.variationId) multiple.add(exposure.visitorId)
  }

  const revenueByVisitor = new Map<string, number>()
  let ignoredConversions = 0
  for (const conversion of conversions) {
    const exposure = firstExposure.get(conversion.visitorId)
    const early = exposure?.at !== undefined && conversion.at !== undefined && conversion.at < exposure.at
    if (!exposure || early) {
      ignoredConversions++
      continue
    }
    const value = Number.isFinite(conversion.value) ? (conversion.value ?? 0) : 0
    revenueByVisitor.set(conversion.visitorId, (revenueByVisitor.get(conversion.visitorId) ?? 0) + value)
  }

  const totals = new Map<string, { users: number; conversions: number; revenue: number; squares: number }>(
    variantIds.map((id) => [id, { users: 0, conversions: 0, revenue: 0, squares: 0 }]),
  )
  for (const [visitorId, exposure] of firstExposure) {
    const bucket = totals.get(exposure.variationId)
    if (!bucket) continue
    bucket.users++
    const revenue = revenueByVisitor.get(visitorId)
    if (revenue === undefined) continue
    bucket.conversions++
    bucket.revenue += revenue
    bucket.squares += revenue * revenue
  }

  const variants = variantIds.map((id) =>
    toVariantTotals(id, totals.get(id) ?? { users: 0, conversions: 0, revenue: 0, squares: 0 }),
  )
  return { variants, multipleExposureUsers: multiple.size, ignoredConversions }
}

/** One arm's sums, as {@link collectVariantStats} or a store's `group by` adds them up. */
export interface VariantSums {
  /** Distinct exposed visitors. */
  readonly users: number
  /** Visitors with at least one counted conversion. */
  readonly conversions: number
  /** Σ revenue per visitor, major currency unit. */
  readonly revenue: number
  /** Σ (revenue per visitor)², for the variance. */
  readonly squares: number
}

/**
 * An arm's {@link VariantTotals} (rate, revenue per user, its sample variance) from its sums, so
 * totals summed in SQL and in memory go through one formula.
 *
 * @example
 * toVariantTotals('control', { users: 4, conversions: 1, revenue: 20, squares: 400 }).revenueVariance // 100
 */
export function toVariantTotals(id: string, sums: VariantSums): VariantTotals {
  const { users, conversions, revenue, squares } = sums
  const mean = users > 0 ? revenue / users : 0
  // Σ(x − x̄)² = Σx² − n·x̄²; clamped because rounding can dip it below zero.
  const variance = users > 1 ? Math.max(0, squares - users * mean * mean) / (users - 1) : 0
  return {
    id,
    users,
    conversions,
    rate: users > 0 ? conversions / users : 0,
    revenue,
    revenuePerUser: mean,
    revenueVariance: variance,
  }
}
