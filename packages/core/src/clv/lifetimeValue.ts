import { EcrmError } from '../errors.js'
import type { BgNbdParams } from './bgNbd.js'
import { bgNbdExpectedPurchases, bgNbdExpectedPurchasesIfAlive, bgNbdProbabilityAlive } from './bgNbdPredict.js'
import { gammaGammaExpectedSpend } from './gammaGamma.js'
import type { GammaGammaParams } from './gammaGamma.js'
import { DAYS_PER_UNIT, DAYS_PER_YEAR } from './types.js'
import type { CustomerSummary, PurchaseHistory, TimeUnit } from './types.js'

/** Options of {@link customerLifetimeValue} and {@link scoreClv}. */
export interface LifetimeValueOptions {
  /** How far ahead to value the customer, in `unit`s (e.g. 52 with weeks for one year). */
  readonly horizon: number
  /** The time unit the BG/NBD model was fitted in; `horizon` and `stepLength` are in it too. */
  readonly unit: TimeUnit
  /**
   * Annual discount rate, e.g. 0.1 for 10 % a year; cash flows are discounted by
   * (1 + rate)^(−years) at the end of each step.
   * @default 0
   */
  readonly discountRate?: number
  /**
   * Share of revenue that is profit, 0–1; 1 values revenue, a margin values profit.
   * @default 1
   */
  readonly margin?: number
  /**
   * Length of one cash-flow step, in `unit`s; shorter steps discount more precisely and cost more.
   * @default one month (365.25 / 12 days, in `unit`s)
   */
  readonly stepLength?: number
}

/** A customer's predicted value and the quantities it is made of. */
export interface CustomerValue {
  readonly customerId: string
  /** P(alive) at the end of calibration, BG/NBD. */
  readonly probabilityAlive: number
  /** Expected repeat purchases within the horizon, BG/NBD. */
  readonly expectedPurchases: number
  /** Expected spend per future purchase, currency units (Gamma-Gamma). */
  readonly expectedSpend: number
  /** Discounted value of the horizon's expected purchases × spend × margin, currency units. */
  readonly clv: number
}

/**
 * Returns a customer's discounted lifetime value over a horizon, in currency units:
 * Σ_steps margin × E[spend] × (E[Y(t_i)] − E[Y(t_{i−1})]) × (1 + rate)^(−t_i in years),
 * with E[Y] from BG/NBD and E[spend] from Gamma-Gamma (FHL 2005 JMR, the discrete-time form).
 *
 * Not guaranteed: horizons far beyond a few hundred times (α + T) (the ₂F₁ series then gives up
 * and the result is NaN).
 *
 * @example
 * customerLifetimeValue(bgNbd, gammaGamma, summary, { horizon: 52, unit: 'weeks', discountRate: 0.1 })
 */
export function customerLifetimeValue(
  bgNbd: BgNbdParams,
  gammaGamma: GammaGammaParams,
  summary: PurchaseHistory & { readonly meanRepeatSpend: number },
  options: LifetimeValueOptions,
): number {
  const { frequency: x, recency: tx, age: T, meanRepeatSpend } = summary
  const { margin = 1 } = options
  const spend = gammaGammaExpectedSpend(gammaGamma, x, meanRepeatSpend)
  return margin * spend * discountedPurchases(bgNbd, x, tx, T, options)
}

/**
 * Scores every customer: P(alive), expected purchases and spend, discounted CLV.
 *
 * @example
 * const values = scoreClv(summaries, { bgNbd, gammaGamma }, { horizon: 52, unit: 'weeks', discountRate: 0.1 })
 */
export function scoreClv(
  summaries: readonly CustomerSummary[],
  models: { readonly bgNbd: BgNbdParams; readonly gammaGamma: GammaGammaParams },
  options: LifetimeValueOptions,
): CustomerValue[] {
  const { margin = 1 } = options
  return summaries.map(({ customerId, frequency: x, recency: tx, age: T, meanRepeatSpend }) => {
    const expectedSpend = gammaGammaExpectedSpend(models.gammaGamma, x, meanRepeatSpend)
    return {
      customerId,
      probabilityAlive: bgNbdProbabilityAlive(models.bgNbd, x, tx, T),
      expectedPurchases: bgNbdExpectedPurchases(models.bgNbd, options.horizon, x, tx, T),
      expectedSpend,
      clv: margin * expectedSpend * discountedPurchases(models.bgNbd, x, tx, T, options),
    }
  })
}

/** Options of {@link historicClv}. */
export interface HistoricClvOptions {
  /**
   * Share of revenue that is profit, 0–1.
   * @default 1
   */
  readonly margin?: number
}

/**
 * Returns the value a customer has brought so far, in currency units: margin × total spend.
 * The honest number for a shop with too little history to fit a model (a few months, few repeat
 * buyers); it says nothing about the future.
 *
 * @example
 * historicClv({ totalSpend: 120 }, { margin: 0.3 }) // 36
 */
export function historicClv(summary: { readonly totalSpend: number }, options: HistoricClvOptions = {}): number {
  const { margin = 1 } = options
  return margin * summary.totalSpend
}

/** Expected purchases over the horizon, each step's share discounted at the step's end. */
function discountedPurchases(
  bgNbd: BgNbdParams,
  x: number,
  tx: number,
  T: number,
  options: LifetimeValueOptions,
): number {
  const { horizon, unit, discountRate = 0 } = options
  const unitsPerYear = DAYS_PER_YEAR / DAYS_PER_UNIT[unit]
  const { stepLength = unitsPerYear / 12 } = options
  if (!(horizon >= 0) || !(stepLength > 0) || !(discountRate > -1)) {
    throw new EcrmError(
      'invalid_options',
      `customerLifetimeValue() got bad options: options (need horizon ≥ 0, stepLength > 0 and discountRate > −1, got ${horizon}, ${stepLength}, ${discountRate})`,
    )
  }
  const logDiscountPerUnit = Math.log1p(discountRate) / unitsPerYear
  let total = 0
  let previous = 0
  for (let end = 0; end < horizon; ) {
    end = Math.min(horizon, end + stepLength)
    const cumulative = bgNbdExpectedPurchasesIfAlive(bgNbd, end, x, T)
    total += (cumulative - previous) * Math.exp(-logDiscountPerUnit * end)
    previous = cumulative
  }
  // P(alive) factors out of every step: multiply once.
  return total * bgNbdProbabilityAlive(bgNbd, x, tx, T)
}
