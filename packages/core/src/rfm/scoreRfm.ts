import { EcrmError } from '../errors.js'
import type { CustomerProfile } from '../profile/profileSchema.js'
import {
  checkBins,
  isScorable,
  recencyDaysOf,
  rfmCutPoints,
  scoreDown,
  scoreUp,
  type RfmCustomer,
  type RfmCutPoints,
} from './rfmCutPoints.js'
import {
  defaultRfmSegments,
  segmentOf,
  validateSegmentMap,
  type RfmSegment,
  type RfmSegmentTable,
} from './rfmSegments.js'

/** Options of {@link scoreRfm}. */
export interface RfmOptions {
  /** The reference date, epoch ms. */
  readonly now: number
  /** Scores per dimension. @default 5 */
  readonly bins?: number
  /** Segments on R and F; required when `bins` is not 5. @default defaultRfmSegments */
  readonly segmentMap?: readonly RfmSegment[]
}

/** One customer's scores. */
export interface RfmScore {
  /** Recency score, 1–bins; bins = bought most recently. */
  readonly r: number
  /** Frequency score, 1–bins. */
  readonly f: number
  /** Monetary score, 1–bins. */
  readonly m: number
  /** Segment id from the map, e.g. `champions`. */
  readonly segment: string
  /** Segment label, e.g. `Champions`. */
  readonly label: string
  /** Whole days since the last order at the reference date. */
  readonly recencyDays: number
}

/**
 * Scores customers on recency, frequency and monetary value, 1–5 each (quantiles, see
 * {@link rfmCutPoints} for the method and ties), and puts each in a segment of the R × F map.
 * Customers without an order are left out of the map.
 *
 * @example
 * const scores = scoreRfm(customers, { now: clock.now() })
 * scores.get('c-42') // { r: 5, f: 4, m: 4, segment: 'champions', label: 'Champions', recencyDays: 3 }
 */
export function scoreRfm(customers: readonly RfmCustomer[], options: RfmOptions): Map<string, RfmScore> {
  const bins = checkBins(options.bins ?? 5)
  const table = tableFor(options.segmentMap, bins)
  const cutPoints = rfmCutPoints(customers, { now: options.now, bins })
  const scores = new Map<string, RfmScore>()
  for (const customer of customers) {
    const score = scoreWith(customer, cutPoints, table, options.now)
    if (score !== null) scores.set(customer.id, score)
  }
  return scores
}

/** Options of {@link scoreRfmOne}. */
export interface RfmOneOptions {
  /** The date to score at, epoch ms (recency is counted from it, against the stored edges). */
  readonly now: number
  /** @default defaultRfmSegments */
  readonly segmentMap?: readonly RfmSegment[]
}

/**
 * Scores one customer against stored cut points, e.g. the visitor's own profile in the browser.
 * Returns null for a customer without orders.
 *
 * @example
 * const cuts = rfmCutPoints(allCustomers, { now })   // on the server, shipped to the page
 * scoreRfmOne(rfmInputFromProfile(profile), cuts, { now: Date.now() })
 */
export function scoreRfmOne(customer: RfmCustomer, cutPoints: RfmCutPoints, options: RfmOneOptions): RfmScore | null {
  return scoreWith(customer, cutPoints, tableFor(options.segmentMap, cutPoints.bins), options.now)
}

/** The RFM input of a profile: last order, completed orders and net revenue in its main currency. */
export function rfmInputFromProfile(profile: CustomerProfile): RfmCustomer {
  return {
    id: profile.id,
    lastOrderAt: profile.money.lastOrderAt,
    orderCount: profile.money.orderCount,
    monetary: profile.money.revenue,
  }
}

function scoreWith(
  customer: RfmCustomer,
  cutPoints: RfmCutPoints,
  table: RfmSegmentTable,
  now: number,
): RfmScore | null {
  if (!isScorable(customer)) return null
  const recencyDays = recencyDaysOf(customer.lastOrderAt, now)
  const r = scoreDown(recencyDays, cutPoints.recencyDays)
  const f = scoreUp(customer.orderCount, cutPoints.frequency)
  const m = scoreUp(customer.monetary, cutPoints.monetary)
  const segment = segmentOf(table, r, f)
  return { r, f, m, segment: segment.id, label: segment.label, recencyDays }
}

const tables = new WeakMap<readonly RfmSegment[], RfmSegmentTable>()

function tableFor(map: readonly RfmSegment[] | undefined, bins: number): RfmSegmentTable {
  if (map === undefined && bins !== 5) {
    throw new EcrmError(
      'invalid_options',
      `invalid RFM options: segmentMap (the default map is for 5 bins; pass a segmentMap covering ${bins} × ${bins} cells)`,
    )
  }
  const segments = map ?? defaultRfmSegments
  // Validation is pure; remember it per map so scoring one profile at a time stays cheap.
  const known = tables.get(segments)
  if (known !== undefined && known.bins === bins) return known
  const table = validateSegmentMap(segments, bins)
  tables.set(segments, table)
  return table
}
