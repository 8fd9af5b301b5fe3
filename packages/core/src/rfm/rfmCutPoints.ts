import { EcrmError, EcrmValidationError, type ValidationIssue } from '../errors.js'
import { DAY_MS } from '../time/units.js'

/** One customer as RFM sees it. */
export interface RfmCustomer {
  readonly id: string
  /** Epoch ms of the last order; null (or `orderCount` 0) means never bought: not scored. */
  readonly lastOrderAt: number | null
  /** Orders (or purchase days) so far. */
  readonly orderCount: number
  /** Spend in major units of one currency: the total or the mean per order — choose one and keep to it. */
  readonly monetary: number
}

/** Options of {@link rfmCutPoints}. */
export interface RfmCutPointOptions {
  /** The reference date, epoch ms; recency is counted back from it in whole days. */
  readonly now: number
  /** Scores per dimension. @default 5 (quintiles) */
  readonly bins?: number
}

/** How cut points were made: quantiles of the base, or fixed edges from configuration. */
export type RfmMethod = 'quantile' | 'fixed'

/**
 * Bin edges of each dimension: a value scores `1 + ` the number of edges it beats.
 * Store them to score single customers later ({@link scoreRfmOne}), e.g. in the browser.
 */
export interface RfmCutPoints {
  readonly bins: number
  /** Reference date the cut points were computed at, epoch ms. */
  readonly computedAt: number
  /** How the edges were made. */
  readonly method: RfmMethod
  /** Edges on days since the last order, decreasing: a value at or below an edge beats it. */
  readonly recencyDays: readonly number[]
  /** Edges on order counts, increasing: a value above an edge beats it. */
  readonly frequency: readonly number[]
  /** Edges on monetary value, increasing: a value above an edge beats it. */
  readonly monetary: readonly number[]
}

/** Whole days from `lastOrderAt` to `now`; 0 for a future date. */
export function recencyDaysOf(lastOrderAt: number, now: number): number {
  return Math.max(0, Math.floor((now - lastOrderAt) / DAY_MS))
}

/** True when a customer has bought and can be scored. */
export function isScorable(customer: RfmCustomer): customer is RfmCustomer & { lastOrderAt: number } {
  return customer.lastOrderAt !== null && customer.orderCount >= 1
}

/**
 * Computes quantile cut points on recency, frequency and monetary value.
 *
 * Method: with the n values sorted, edge k (k = 1 … bins − 1) is the value at rank ⌈k·n / bins⌉
 * — the inverse of the empirical distribution function, definition 1 of Hyndman & Fan (1996),
 * "Sample quantiles in statistical packages", The American Statistician 50(4). Equal values
 * always share a bin. Frequency and monetary ranks count from the lowest value and ties take the
 * lower bin: when 60 % of customers bought once, those bins stay empty and the next value scores
 * as high as its rank says. Recency ranks count from the most recent and ties take the more recent
 * bin, so customers who all bought today score R = bins, never R1.
 */
export function rfmCutPoints(customers: readonly RfmCustomer[], options: RfmCutPointOptions): RfmCutPoints {
  checkCustomers(customers)
  const scorable = customers.filter(isScorable)
  const n = scorable.length
  const recency = new Float64Array(n)
  const frequency = new Float64Array(n)
  const monetary = new Float64Array(n)
  scorable.forEach((customer, index) => {
    recency[index] = recencyDaysOf(customer.lastOrderAt, options.now)
    frequency[index] = customer.orderCount
    monetary[index] = customer.monetary
  })
  return rfmCutPointsOfValues({ recencyDays: recency, frequency, monetary }, options)
}

/** The RFM values of the customers who bought, one array per dimension, same order or not. */
export interface RfmValues {
  /** Whole days since each buyer's last order ({@link recencyDaysOf}). */
  readonly recencyDays: Float64Array
  readonly frequency: Float64Array
  readonly monetary: Float64Array
}

/**
 * {@link rfmCutPoints} over plain arrays of the buyers' values: what a job paging through a large
 * base collects (three numbers a customer). Sorts the arrays in place.
 */
export function rfmCutPointsOfValues(values: RfmValues, options: RfmCutPointOptions): RfmCutPoints {
  const bins = checkBins(options.bins ?? 5)
  // Recency: best (fewest days) first; edge k from the best side, listed worst first.
  const recency = values.recencyDays.sort()
  return {
    bins,
    computedAt: options.now,
    method: 'quantile',
    recencyDays: edges(recency, bins).reverse(),
    frequency: edges(values.frequency.sort(), bins),
    monetary: edges(values.monetary.sort(), bins),
  }
}

function edges(sorted: Float64Array, bins: number): number[] {
  const n = sorted.length
  if (n === 0) return []
  const out: number[] = []
  for (let k = 1; k < bins; k++) out.push(sorted[Math.ceil((k * n) / bins) - 1] ?? 0)
  return out
}

/** Score of a higher-is-better value against increasing edges. */
export function scoreUp(value: number, cutPoints: readonly number[]): number {
  let score = 1
  for (const edge of cutPoints) if (value > edge) score += 1
  return score
}

/** Score of a lower-is-better value (days) against decreasing edges: at or below an edge beats it. */
export function scoreDown(value: number, cutPoints: readonly number[]): number {
  let score = 1
  for (const edge of cutPoints) if (value <= edge) score += 1
  return score
}

/** Checks `bins`: an integer from 2 to 10. */
export function checkBins(bins: number): number {
  if (!Number.isInteger(bins) || bins < 2 || bins > 10) {
    throw new EcrmError(
      'invalid_options',
      `invalid RFM options: bins (got ${String(bins)}; use an integer from 2 to 10)`,
    )
  }
  return bins
}

function checkCustomers(customers: readonly RfmCustomer[]): void {
  const issues: ValidationIssue[] = []
  customers.forEach((customer, index) => {
    if (issues.length >= 5) return
    if (typeof customer.id !== 'string')
      issues.push({ path: [index, 'id'], message: 'expected a string id', code: 'invalid_type' })
    if (customer.lastOrderAt !== null && !Number.isFinite(customer.lastOrderAt))
      issues.push({ path: [index, 'lastOrderAt'], message: 'expected epoch ms or null', code: 'invalid_type' })
    if (!Number.isFinite(customer.orderCount) || customer.orderCount < 0)
      issues.push({ path: [index, 'orderCount'], message: 'expected a count ≥ 0', code: 'invalid_type' })
    if (!Number.isFinite(customer.monetary))
      issues.push({ path: [index, 'monetary'], message: 'expected a finite number', code: 'invalid_type' })
  })
  if (issues.length > 0) throw new EcrmValidationError('invalid RFM customers', issues)
}
