import { EcrmError } from '../errors.js'
import { betaChanceToBeat, normalChanceToBeat } from './chanceToBeat.js'
import { collectVariantStats } from './collectVariantStats.js'
import type { CollectedStats, ConversionRecord, ExposureRecord, VariantTotals } from './collectVariantStats.js'
import { normalQuantile, normalTwoSidedP, studentTTwoSidedP } from './distributions.js'
import type { Experiment } from './experimentSchema.js'
import { checkSampleRatio } from './sampleRatio.js'
import type { SampleRatioCheck } from './sampleRatio.js'

/** Options of {@link analyzeExperiment}. */
export interface AnalyzeExperimentOptions {
  /** `conversion`: share of users converting (two-proportion z-test). `revenue`: revenue per user (Welch's t-test). */
  readonly metric: 'conversion' | 'revenue'
  /** The definition: gives the arms (even unexposed ones), the control (first arm) and the expected split. */
  readonly experiment?: Pick<Experiment, 'variations' | 'weights'>
  /** The baseline arm. @default the experiment's first variation, else a variant named `control` */
  readonly controlId?: string
  /** Two-sided significance level before the Bonferroni split over treatments. @default 0.05 */
  readonly alpha?: number
  /** Fewest users every arm needs before a winner can be called. @default 100 */
  readonly minUsersPerVariant?: number
  /** Fewest converting users every arm needs before a winner can be called. @default 10 */
  readonly minConversionsPerVariant?: number
  /** Sample-ratio-mismatch alarm level. @default 0.001 */
  readonly srmThreshold?: number
}

/** A relative lift with its interval, as fractions (0.1 = +10 %). */
export interface Lift {
  readonly relative: number
  readonly lower: number
  readonly upper: number
}

/** One arm's figures; the comparison fields are `null` for the control. */
export interface VariantAnalysis extends VariantTotals {
  /** Relative lift over the control with its (1 − alpha) log-ratio interval; null when a mean is 0. */
  readonly lift: Lift | null
  /** z (conversion) or Welch t (revenue). */
  readonly statistic: number | null
  /** Welch–Satterthwaite degrees of freedom (revenue only). */
  readonly degreesOfFreedom: number | null
  /** Two-sided p-value against the control. */
  readonly pValue: number | null
  /** Posterior probability that this arm's true metric beats the control's. */
  readonly chanceToBeatControl: number | null
  /** pValue below alpha / (number of treatments). */
  readonly isSignificant: boolean
}

/** The call, and why. */
export interface ExperimentDecision {
  readonly status: 'winner' | 'inconclusive' | 'insufficient_data' | 'sample_ratio_mismatch'
  /** The winning arm (can be the control when every treatment is significantly worse). */
  readonly winnerId: string | null
  readonly reason: string
}

/** What {@link analyzeExperiment} returns. */
export interface ExperimentAnalysis {
  readonly metric: 'conversion' | 'revenue'
  readonly controlId: string
  readonly variants: VariantAnalysis[]
  readonly sampleRatio: SampleRatioCheck
  readonly multipleExposureUsers: number
  readonly ignoredConversions: number
  readonly decision: ExperimentDecision
}

/**
 * Analyzes an experiment: per arm the users, conversions, rate and revenue per user; against the
 * control the relative lift with a 95 % interval, a two-sided p-value and the Bayesian chance to
 * beat control; a sample-ratio-mismatch check; and a decision that refuses to call a winner on an
 * SRM alarm or too little data. Pure: same input, same output. See docs/experiments.md for the
 * formulas and their sources.
 *
 * @example
 * const report = analyzeExperiment(exposures, orders, { metric: 'conversion', experiment })
 * report.decision // { status: 'winner', winnerId: 'short_form', reason: '...' }
 */
export function analyzeExperiment(
  exposures: readonly ExposureRecord[],
  conversions: readonly ConversionRecord[],
  options: AnalyzeExperimentOptions,
): ExperimentAnalysis {
  const ids = options.experiment
    ? options.experiment.variations.map((variation) => variation.id)
    : [...new Set(exposures.map((exposure) => exposure.variationId))]
  return analyzeCollectedStats(collectVariantStats(exposures, conversions, ids), options)
}

/**
 * {@link analyzeExperiment} over per-arm totals already collected (in memory by
 * `collectVariantStats`, or summed by a store query with `toVariantTotals`): the same tests, SRM
 * check and decision. The arms are `collected.variants`, in order; the control as in
 * `analyzeExperiment`.
 *
 * @example
 * analyzeCollectedStats({ variants, multipleExposureUsers: 0, ignoredConversions: 0 }, { metric: 'conversion' })
 */
export function analyzeCollectedStats(
  collected: CollectedStats,
  options: AnalyzeExperimentOptions,
): ExperimentAnalysis {
  const {
    metric,
    alpha = 0.05,
    minUsersPerVariant = 100,
    minConversionsPerVariant = 10,
    srmThreshold = 0.001,
  } = options
  const ids = collected.variants.map((variant) => variant.id)
  const controlId =
    options.controlId ?? options.experiment?.variations[0]?.id ?? (ids.includes('control') ? 'control' : undefined)
  if (controlId === undefined || !ids.includes(controlId)) {
    throw new EcrmError(
      'invalid_options',
      `analyzeExperiment() cannot find the control: options.controlId (got ${String(controlId)}; pass controlId naming one of ${JSON.stringify(ids)}, or options.experiment)`,
    )
  }
  const control = collected.variants.find((variant) => variant.id === controlId) as VariantTotals
  const treatments = ids.length - 1
  const level = alpha / Math.max(1, treatments)
  const z = normalQuantile(1 - alpha / 2)

  const variants = collected.variants.map((variant): VariantAnalysis => {
    if (variant.id === controlId) {
      return {
        ...variant,
        lift: null,
        statistic: null,
        degreesOfFreedom: null,
        pValue: null,
        chanceToBeatControl: null,
        isSignificant: false,
      }
    }
    const test = metric === 'conversion' ? compareRates(control, variant) : compareMeans(control, variant)
    const pValue = test?.pValue ?? null
    return {
      ...variant,
      lift: relativeLift(control, variant, metric, z),
      statistic: test?.statistic ?? null,
      degreesOfFreedom: test?.degreesOfFreedom ?? null,
      pValue,
      chanceToBeatControl: chanceToBeat(control, variant, metric),
      isSignificant: pValue !== null && pValue < level,
    }
  })

  const weights = options.experiment?.weights
  const sampleRatio = checkSampleRatio(
    collected.variants.map((variant) => variant.users),
    weights && weights.length === ids.length ? weights : undefined,
    srmThreshold,
  )
  const decision = decide(variants, controlId, sampleRatio, { level, minUsersPerVariant, minConversionsPerVariant })
  const { multipleExposureUsers, ignoredConversions } = collected
  return { metric, controlId, variants, sampleRatio, multipleExposureUsers, ignoredConversions, decision }
}

interface TestResult {
  readonly statistic: number
  readonly degreesOfFreedom: number | null
  readonly pValue: number
}

/** Two-proportion z-test with the pooled rate under H0: z = (p_B − p_A) / √(p̂(1 − p̂)(1/n_A + 1/n_B)). */
function compareRates(a: VariantTotals, b: VariantTotals): TestResult | null {
  if (a.users === 0 || b.users === 0) return null
  const pooled = (a.conversions + b.conversions) / (a.users + b.users)
  const standardError = Math.sqrt(pooled * (1 - pooled) * (1 / a.users + 1 / b.users))
  if (standardError === 0) return { statistic: 0, degreesOfFreedom: null, pValue: 1 }
  const statistic = (b.rate - a.rate) / standardError
  return { statistic, degreesOfFreedom: null, pValue: normalTwoSidedP(statistic) }
}

/** Welch's t-test on revenue per user, with Welch–Satterthwaite degrees of freedom. */
function compareMeans(a: VariantTotals, b: VariantTotals): TestResult | null {
  if (a.users < 2 || b.users < 2) return null
  const va = a.revenueVariance / a.users
  const vb = b.revenueVariance / b.users
  const difference = b.revenuePerUser - a.revenuePerUser
  if (va + vb === 0) return { statistic: 0, degreesOfFreedom: null, pValue: difference === 0 ? 1 : 0 }
  const statistic = difference / Math.sqrt(va + vb)
  const degreesOfFreedom = (va + vb) ** 2 / (va ** 2 / (a.users - 1) + vb ** 2 / (b.users - 1))
  return { statistic, degreesOfFreedom, pValue: studentTTwoSidedP(statistic, degreesOfFreedom) }
}

/**
 * Lift B/A − 1 with the delta-method interval on the log ratio (Katz et al. 1978):
 * Var(ln x̄) ≈ Var(x) / (n x̄²), so se = √(Var_B/(n_B x̄_B²) + Var_A/(n_A x̄_A²)) and the interval is
 * exp(ln(x̄_B/x̄_A) ± z·se) − 1. For rates Var(x) = p(1 − p). It is asymmetric and never below −100 %.
 */
function relativeLift(a: VariantTotals, b: VariantTotals, metric: 'conversion' | 'revenue', z: number): Lift | null {
  const [meanA, meanB] = metric === 'conversion' ? [a.rate, b.rate] : [a.revenuePerUser, b.revenuePerUser]
  if (!(meanA > 0 && meanB > 0)) return null
  const [varianceA, varianceB] =
    metric === 'conversion' ? [a.rate * (1 - a.rate), b.rate * (1 - b.rate)] : [a.revenueVariance, b.revenueVariance]
  const logRatio = Math.log(meanB / meanA)
  const standardError = Math.sqrt(varianceB / (b.users * meanB ** 2) + varianceA / (a.users * meanA ** 2))
  return {
    relative: meanB / meanA - 1,
    lower: Math.exp(logRatio - z * standardError) - 1,
    upper: Math.exp(logRatio + z * standardError) - 1,
  }
}

function chanceToBeat(a: VariantTotals, b: VariantTotals, metric: 'conversion' | 'revenue'): number | null {
  if (a.users === 0 || b.users === 0) return null
  if (metric === 'conversion') {
    // Uniform Beta(1, 1) prior: posterior Beta(1 + conversions, 1 + non-conversions).
    const posterior = (v: VariantTotals) => ({ alpha: 1 + v.conversions, beta: 1 + v.users - v.conversions })
    return betaChanceToBeat(posterior(a), posterior(b))
  }
  const normal = (v: VariantTotals) => ({
    mean: v.revenuePerUser,
    standardError: Math.sqrt(v.revenueVariance / v.users),
  })
  return normalChanceToBeat(normal(a), normal(b))
}

function decide(
  variants: readonly VariantAnalysis[],
  controlId: string,
  sampleRatio: SampleRatioCheck,
  limits: { level: number; minUsersPerVariant: number; minConversionsPerVariant: number },
): ExperimentDecision {
  if (sampleRatio.isAlarm) {
    return {
      status: 'sample_ratio_mismatch',
      winnerId: null,
      reason: `the split of users differs from the configured weights (chi-square p = ${sampleRatio.pValue.toExponential(2)}); fix assignment or exposure logging before reading results`,
    }
  }
  const thin = variants.filter(
    (v) => v.users < limits.minUsersPerVariant || v.conversions < limits.minConversionsPerVariant,
  )
  if (thin.length > 0) {
    return {
      status: 'insufficient_data',
      winnerId: null,
      reason: `every variant needs at least ${limits.minUsersPerVariant} users and ${limits.minConversionsPerVariant} conversions; short: ${thin.map((v) => v.id).join(', ')}`,
    }
  }
  const treatments = variants.filter((v) => v.id !== controlId)
  const better = treatments.filter((v) => v.isSignificant && (v.statistic ?? 0) > 0)
  better.sort((left, right) => (right.statistic ?? 0) - (left.statistic ?? 0))
  const best = better[0]
  if (best) {
    return {
      status: 'winner',
      winnerId: best.id,
      reason: `${best.id} beats ${controlId} (p = ${format(best.pValue)} < ${format(limits.level)})`,
    }
  }
  if (treatments.length > 0 && treatments.every((v) => v.isSignificant && (v.statistic ?? 0) < 0)) {
    return { status: 'winner', winnerId: controlId, reason: `every treatment is significantly worse than ${controlId}` }
  }
  return {
    status: 'inconclusive',
    winnerId: null,
    reason: `no variant differs from ${controlId} at p < ${format(limits.level)}`,
  }
}

function format(value: number | null): string {
  return value === null ? 'n/a' : value.toPrecision(3)
}
