import { EcrmError } from '../errors.js'
import { DAYS_PER_UNIT } from './types.js'
import type { CustomerSummary, TimeUnit, Transaction } from './types.js'
import { DAY_MS } from '../time/units.js'

/** Options of {@link summarizeTransactions}. */
export interface SummarizeOptions {
  /**
   * End of the calibration period, epoch ms. Its whole calendar day is included; later purchases
   * are ignored, and customers whose first purchase is later are left out.
   */
  readonly calibrationEnd: number
  /** The unit of recency and age (t_x and T). */
  readonly unit: TimeUnit
  /**
   * Offset added to each timestamp before cutting it into calendar days, ms: the shop's UTC offset
   * (e.g. 3_600_000 for UTC+1), so a purchase at 23:30 local time counts on the right day. Fixed,
   * so daylight-saving shifts are not followed.
   * @default 0 (UTC days)
   */
  readonly timeZoneOffsetMs?: number
}

/**
 * Per-customer, per-day spend: the compact form a large input can be folded into. Days are whole
 * days since the epoch in the shop's time zone; any iterable of pairs works, e.g. a
 * `Map<string, Map<number, number>>`. A day listed twice for one customer is merged.
 */
export type DailySpend = Iterable<readonly [customerId: string, days: Iterable<readonly [day: number, spend: number]>]>

/**
 * Summarises purchases into the x, t_x, T and z̄ of the buy-till-you-die literature.
 *
 * Conventions (Fader, Hardie & Lee 2005): purchases on the same calendar day are one purchase
 * (their amounts added); the first purchase day starts the customer's clock and is not a repeat
 * purchase, so x counts the other days and z̄ averages their spend only; times are whole days
 * divided by the unit (7 for weeks).
 *
 * @example
 * const summaries = summarizeTransactions(orders, { calibrationEnd: Date.UTC(1997, 8, 30), unit: 'weeks' })
 * summaries[0] // { customerId: '1', frequency: 2, recency: 30.43, age: 38.86, meanRepeatSpend: 22.35, ... }
 */
export function summarizeTransactions(
  transactions: Iterable<Transaction>,
  options: SummarizeOptions,
): CustomerSummary[] {
  const { timeZoneOffsetMs = 0 } = options
  checkOptions(options)
  const endDay = Math.floor((options.calibrationEnd + timeZoneOffsetMs) / DAY_MS)
  // Flat [day, spend, day, spend, …] per customer: far lighter than a Map per customer, and
  // purchases come mostly in date order, so the same-day lookup from the end is short.
  const daily = new Map<string, number[]>()
  for (const { customerId, at, amount = 0 } of transactions) {
    const day = Math.floor((at + timeZoneOffsetMs) / DAY_MS)
    if (day > endDay) continue
    const days = daily.get(customerId)
    if (days === undefined) {
      daily.set(customerId, [day, amount])
      continue
    }
    let index = days.length - 2
    while (index >= 0 && days[index] !== day) index -= 2
    if (index >= 0) days[index + 1] = (days[index + 1] ?? 0) + amount
    else days.push(day, amount)
  }
  const summaries: CustomerSummary[] = []
  for (const [customerId, days] of daily) {
    summaries.push(summarizeDays(customerId, days, endDay, options))
  }
  return summaries
}

/** One customer's summary from their distinct purchase days (flat pairs, each day once, ≤ endDay). */
function summarizeDays(
  customerId: string,
  days: readonly number[],
  endDay: number,
  options: SummarizeOptions,
): CustomerSummary {
  const { timeZoneOffsetMs = 0 } = options
  const daysPerUnit = DAYS_PER_UNIT[options.unit]
  let firstDay = Number.POSITIVE_INFINITY
  let lastDay = Number.NEGATIVE_INFINITY
  let totalSpend = 0
  let firstDaySpend = 0
  for (let i = 0; i < days.length; i += 2) {
    const day = days[i] ?? 0
    const spend = days[i + 1] ?? 0
    totalSpend += spend
    if (day < firstDay) {
      firstDay = day
      firstDaySpend = spend
    }
    if (day > lastDay) lastDay = day
  }
  const frequency = days.length / 2 - 1
  return {
    customerId,
    frequency,
    recency: (lastDay - firstDay) / daysPerUnit,
    age: (endDay - firstDay) / daysPerUnit,
    meanRepeatSpend: frequency === 0 ? 0 : (totalSpend - firstDaySpend) / frequency,
    totalSpend,
    firstPurchaseAt: firstDay * DAY_MS - timeZoneOffsetMs,
    lastPurchaseAt: lastDay * DAY_MS - timeZoneOffsetMs,
  }
}

/**
 * Summarises purchases already folded into spend per customer per calendar day (day = whole days
 * since the epoch in the shop's time zone), as a streaming reader keeps them. Same conventions as
 * {@link summarizeTransactions}; customers come out in the map's order.
 */
export function summarizeDailySpend(daily: DailySpend, options: SummarizeOptions): CustomerSummary[] {
  checkOptions(options)
  const { timeZoneOffsetMs = 0 } = options
  const endDay = Math.floor((options.calibrationEnd + timeZoneOffsetMs) / DAY_MS)
  const summaries: CustomerSummary[] = []
  for (const [customerId, spendByDay] of daily) {
    // Merge repeated days first: callers may list a day more than once.
    const merged = new Map<number, number>()
    for (const [day, spend] of spendByDay) {
      if (day <= endDay) merged.set(day, (merged.get(day) ?? 0) + spend)
    }
    if (merged.size === 0) continue
    summaries.push(summarizeDays(customerId, [...merged].flat(), endDay, options))
  }
  return summaries
}

function checkOptions(options: SummarizeOptions): void {
  if (!Number.isFinite(options.calibrationEnd)) {
    throw new EcrmError(
      'invalid_options',
      `summarizeTransactions() got a bad calibrationEnd: options.calibrationEnd (expected epoch ms, got ${String(options.calibrationEnd)})`,
    )
  }
  if (!(options.unit in DAYS_PER_UNIT)) {
    throw new EcrmError(
      'invalid_options',
      `summarizeTransactions() got an unknown unit: options.unit (expected 'days' or 'weeks', got ${String(options.unit)})`,
    )
  }
}
