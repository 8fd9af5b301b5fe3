/** Shared shapes of the lifetime-value module. */

/**
 * The time unit a summary, a model and its predictions are expressed in. Fitted parameters only
 * make sense in the unit they were fitted in (α and β are scales of time).
 */
export type TimeUnit = 'days' | 'weeks'

/** Days in one {@link TimeUnit}. */
export const DAYS_PER_UNIT: Readonly<Record<TimeUnit, number>> = { days: 1, weeks: 7 }

/** Mean days in a year (Julian year), used to turn an annual discount rate into a per-unit one. */
export const DAYS_PER_YEAR = 365.25

/**
 * One purchase, as the CLV models need it.
 *
 * Money is in the shop's currency units (e.g. euros, not cents); all amounts of one call must share
 * the currency, since nothing here converts.
 */
export interface Transaction {
  /** Who bought. */
  readonly customerId: string
  /** When, epoch ms. Purchases of the same calendar day are merged (see `timeZoneOffsetMs`). */
  readonly at: number
  /** What they spent, in currency units. Missing means 0 (the spend model then ignores it). */
  readonly amount?: number
}

/**
 * What the buy-till-you-die models know about a customer, in the literature's notation
 * (Fader, Hardie & Lee 2005): x, t_x and T, plus the mean repeat spend z̄ of the spend model.
 */
export interface PurchaseHistory {
  /** x: repeat purchase days (distinct purchase days after the first one) in calibration. */
  readonly frequency: number
  /** t_x: time from the first to the last purchase day, in the summary's unit (0 when x = 0). */
  readonly recency: number
  /** T: time from the first purchase day to the end of calibration, in the summary's unit. */
  readonly age: number
}

/** A customer's purchase history with spend, as {@link summarizeTransactions} returns it. */
export interface CustomerSummary extends PurchaseHistory {
  /** The customer. */
  readonly customerId: string
  /** z̄: mean spend per repeat purchase day, currency units; 0 when x = 0 (first day excluded). */
  readonly meanRepeatSpend: number
  /** Spend over every purchase day in calibration, the first included, currency units. */
  readonly totalSpend: number
  /** Start (00:00 in the summary's time zone) of the first purchase day, epoch ms. */
  readonly firstPurchaseAt: number
  /** Start of the last purchase day in calibration, epoch ms. */
  readonly lastPurchaseAt: number
}
