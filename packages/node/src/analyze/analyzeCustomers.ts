import {
  DAY_MS,
  computeRetentionCohorts,
  defaultRfmSegments,
  fitBgNbd,
  fitGammaGamma,
  historicClv,
  scoreClv,
  scoreRfm,
  summarizeDailySpend,
} from '@ecrm/core'
import type {
  BgNbdFit,
  CustomerSummary,
  CustomerValue,
  GammaGammaFit,
  Order,
  RetentionCohort,
  RfmScore,
  TimeUnit,
} from '@ecrm/core'
import { dailyPairs } from './readOrders.js'

/** Options of {@link analyzeCustomers}. */
export interface AnalyzeModelOptions {
  /** End of calibration, epoch ms. @default the day of the last order */
  readonly calibrationEnd?: number
  /** @default 'weeks' */
  readonly unit?: TimeUnit
  /** Horizon of expected purchases and CLV, in `unit`s. @default one year (52 weeks or 365 days) */
  readonly horizon?: number
  /** Annual discount rate of CLV. @default 0.1 */
  readonly discountRate?: number
  /** Profit share of revenue, 0–1. @default 1 (CLV in revenue) */
  readonly margin?: number
  /**
   * Customers the models are fitted on; a larger base is sampled evenly down to this (scoring
   * still covers everyone). A fit costs about 2 µs per distinct history and iteration (~100).
   * @default 25000
   */
  readonly fitSampleSize?: number
}

/** Everything known about one customer after the analysis. */
export interface CustomerResult {
  readonly summary: CustomerSummary
  /** Null when RFM could not score the customer. */
  readonly rfm: RfmScore | null
  /** Null when the models could not be fitted (too little history): see `notes`. */
  readonly value: CustomerValue | null
  /** Margin × spend so far, currency units. */
  readonly historicClv: number
}

/** The analysis of a customer base. */
export interface CustomerAnalysis {
  readonly calibrationEnd: number
  readonly unit: TimeUnit
  readonly horizon: number
  readonly discountRate: number
  readonly margin: number
  readonly customers: CustomerResult[]
  readonly bgNbd: BgNbdFit | null
  readonly gammaGamma: GammaGammaFit | null
  readonly cohorts: RetentionCohort[]
  /** Why something was skipped or approximated, in plain words. */
  readonly notes: string[]
}

/** The least repeat buyers the models are fitted with; below it only historic CLV is given. */
const MIN_REPEAT_BUYERS = 10

/**
 * Summarises each customer, fits BG/NBD and Gamma-Gamma, and scores P(alive), expected purchases,
 * CLV and RFM; builds the retention cohorts. Falls back to historic CLV, with a note, when there is
 * too little repeat buying to fit.
 */
export function analyzeCustomers(
  daily: ReadonlyMap<string, readonly number[]>,
  lastAt: number,
  options: AnalyzeModelOptions = {},
): CustomerAnalysis {
  const { unit = 'weeks', discountRate = 0.1, margin = 1, fitSampleSize = 25_000 } = options
  const calibrationEnd = options.calibrationEnd ?? lastAt
  const horizon = options.horizon ?? (unit === 'weeks' ? 52 : 365)
  const notes: string[] = []
  const summaries = summarizeDailySpend(dailyPairs(daily), { calibrationEnd, unit })
  const repeatBuyers = summaries.filter((summary) => summary.frequency > 0).length

  let bgNbd: BgNbdFit | null = null
  let gammaGamma: GammaGammaFit | null = null
  if (repeatBuyers < MIN_REPEAT_BUYERS) {
    notes.push(`Only ${repeatBuyers} repeat buyers: too few to fit BG/NBD and Gamma-Gamma, so CLV is historic only.`)
  } else {
    const sample = sampleEvenly(summaries, fitSampleSize)
    if (sample.length < summaries.length)
      notes.push(`Models fitted on an even sample of ${sample.length} of ${summaries.length} customers.`)
    bgNbd = fitBgNbd(sample)
    gammaGamma = fitGammaGamma(sample)
    if (!bgNbd.converged || !gammaGamma.converged)
      notes.push('An optimiser stopped on its iteration cap: treat the predictions with care.')
    if (!(gammaGamma.q > 1)) {
      notes.push(`Gamma-Gamma q = ${gammaGamma.q.toFixed(3)} ≤ 1 gives no finite mean spend: CLV is historic only.`)
      gammaGamma = null
    }
  }
  const values =
    bgNbd !== null && gammaGamma !== null
      ? scoreClv(summaries, { bgNbd, gammaGamma }, { horizon, unit, discountRate, margin })
      : null

  const rfm = scoreRfm(
    summaries.map(({ customerId, frequency, lastPurchaseAt, totalSpend }) => ({
      id: customerId,
      lastOrderAt: lastPurchaseAt,
      orderCount: frequency + 1,
      monetary: totalSpend,
    })),
    { now: calibrationEnd },
  )

  const customers = summaries.map((summary, index) => ({
    summary,
    rfm: rfm.get(summary.customerId) ?? null,
    value: values?.[index] ?? null,
    historicClv: historicClv(summary, { margin }),
  }))
  return {
    calibrationEnd,
    unit,
    horizon,
    discountRate,
    margin,
    customers,
    bgNbd,
    gammaGamma,
    cohorts: cohortsOf(daily, calibrationEnd),
    notes,
  }
}

/** Every k-th customer, so the sample spreads over the file's order (often by first purchase). */
function sampleEvenly<T>(items: readonly T[], size: number): T[] {
  if (items.length <= size) return [...items]
  const stride = items.length / size
  return Array.from({ length: size }, (_, index) => items[Math.floor(index * stride)] as T)
}

/** Monthly retention cohorts from the purchase days (one order per customer-day). */
function cohortsOf(daily: ReadonlyMap<string, readonly number[]>, calibrationEnd: number): RetentionCohort[] {
  const orders: Order[] = []
  for (const [customerId, days] of daily) {
    for (let i = 0; i < days.length; i += 2) {
      const day = days[i] ?? 0
      orders.push({ customerId, orderId: `${customerId}@${day}`, at: day * DAY_MS, total: days[i + 1] ?? 0 })
    }
  }
  return computeRetentionCohorts(orders, { now: calibrationEnd })
}

/** The default segment ids and labels, in the order the report lists them. */
export const segmentOrder: readonly { readonly id: string; readonly label: string }[] = defaultRfmSegments.map(
  ({ id, label }) => ({ id, label }),
)
