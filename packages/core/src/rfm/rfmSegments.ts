import { EcrmError, EcrmValidationError, type ValidationIssue } from '../errors.js'

/** A named block of the R × F grid: every cell with `r` and `f` within the inclusive ranges. */
export interface RfmSegment {
  /** snake_case id, e.g. `cant_lose_them`. */
  readonly id: string
  /** Human label, e.g. `Can't Lose Them`. */
  readonly label: string
  /** Recency scores covered, `[min, max]` inclusive (5 = bought most recently). */
  readonly r: readonly [number, number]
  /** Frequency scores covered, `[min, max]` inclusive (5 = buys most often). */
  readonly f: readonly [number, number]
}

/**
 * The default 10-segment map on recency and frequency quintiles. It is the widely used RFM grid
 * (Champions ... Hibernating); every one of the 25 cells belongs to exactly one segment:
 *
 * ```
 *        F=1          F=2          F=3           F=4        F=5
 * R=5  new_customers potential    potential     champions  champions
 * R=4  promising     potential    potential     loyal      loyal
 * R=3  about_to_sleep about_to_sleep need_attention loyal  loyal
 * R=2  hibernating   hibernating  at_risk       at_risk    cant_lose_them
 * R=1  hibernating   hibernating  at_risk       at_risk    cant_lose_them
 * ```
 */
export const defaultRfmSegments: readonly RfmSegment[] = [
  { id: 'champions', label: 'Champions', r: [5, 5], f: [4, 5] },
  { id: 'loyal', label: 'Loyal', r: [3, 4], f: [4, 5] },
  { id: 'potential_loyalist', label: 'Potential Loyalist', r: [4, 5], f: [2, 3] },
  { id: 'new_customers', label: 'New Customers', r: [5, 5], f: [1, 1] },
  { id: 'promising', label: 'Promising', r: [4, 4], f: [1, 1] },
  { id: 'need_attention', label: 'Need Attention', r: [3, 3], f: [3, 3] },
  { id: 'about_to_sleep', label: 'About To Sleep', r: [3, 3], f: [1, 2] },
  { id: 'at_risk', label: 'At Risk', r: [1, 2], f: [3, 4] },
  { id: 'cant_lose_them', label: "Can't Lose Them", r: [1, 2], f: [5, 5] },
  { id: 'hibernating', label: 'Hibernating', r: [1, 2], f: [1, 2] },
]

/** A validated map as a lookup table: `cells[(r - 1) * bins + (f - 1)]` is the segment. */
export interface RfmSegmentTable {
  readonly bins: number
  readonly cells: readonly RfmSegment[]
}

/**
 * Checks that a segment map covers every R × F cell of a `bins × bins` grid exactly once, and
 * returns it as a lookup table.
 *
 * @throws EcrmValidationError naming each malformed segment, each gap cell and each cell
 *   covered twice.
 * @example
 * validateSegmentMap(mySegments) // throws "... cells.r1f5 (no segment covers R1 F5; ...)"
 */
export function validateSegmentMap(map: readonly RfmSegment[], bins = 5): RfmSegmentTable {
  if (!Number.isInteger(bins) || bins < 2 || bins > 10) {
    throw new EcrmError(
      'invalid_options',
      `invalid RFM bins: validateSegmentMap (got ${bins}; use an integer from 2 to 10)`,
    )
  }
  const issues: ValidationIssue[] = []
  const ids = new Map<string, number>()
  map.forEach((segment, index) => {
    if (typeof segment.id !== 'string' || segment.id === '')
      issues.push({ path: [index, 'id'], message: 'a segment needs a non-empty id', code: 'invalid_type' })
    else if (ids.has(segment.id))
      issues.push({
        path: [index, 'id'],
        message: `"${segment.id}" is already the id of segment [${ids.get(segment.id)}]`,
        code: 'duplicate_id',
      })
    else ids.set(segment.id, index)
    for (const axis of ['r', 'f'] as const) {
      const range = segment[axis]
      const ok =
        Array.isArray(range) &&
        range.length === 2 &&
        range.every((n) => Number.isInteger(n) && n >= 1 && n <= bins) &&
        range[0] <= range[1]
      if (!ok)
        issues.push({
          path: [index, axis],
          message: `expected [min, max] with integers 1 ≤ min ≤ max ≤ ${bins}`,
          code: 'invalid_range',
        })
    }
  })
  if (issues.length > 0) throw new EcrmValidationError('invalid RFM segment map', issues)

  const cells: (RfmSegment | undefined)[] = new Array<RfmSegment | undefined>(bins * bins).fill(undefined)
  const owners: number[] = new Array<number>(bins * bins).fill(-1)
  map.forEach((segment, index) => {
    for (let r = segment.r[0]; r <= segment.r[1]; r++) {
      for (let f = segment.f[0]; f <= segment.f[1]; f++) {
        const cell = (r - 1) * bins + (f - 1)
        const owner = owners[cell] ?? -1
        if (owner >= 0) {
          issues.push({
            path: [index],
            message: `R${r} F${f} is covered by both "${map[owner]?.id}" [${owner}] and "${segment.id}" [${index}]; narrow one of their ranges`,
            code: 'overlap',
          })
        } else {
          owners[cell] = index
          cells[cell] = segment
        }
      }
    }
  })
  for (let r = 1; r <= bins; r++) {
    for (let f = 1; f <= bins; f++) {
      if ((owners[(r - 1) * bins + (f - 1)] ?? -1) < 0) {
        issues.push({
          path: ['cells', `r${r}f${f}`],
          message: `no segment covers R${r} F${f}; widen a segment's r and f ranges to include it`,
          code: 'gap',
        })
      }
    }
  }
  if (issues.length > 0) throw new EcrmValidationError('invalid RFM segment map', issues)
  return { bins, cells: cells as RfmSegment[] }
}

/** The segment of a cell in a validated table. */
export function segmentOf(table: RfmSegmentTable, r: number, f: number): RfmSegment {
  const segment = table.cells[(r - 1) * table.bins + (f - 1)]
  if (segment === undefined)
    throw new EcrmError('invalid_state', `RFM cell out of range: R${r} F${f} (bins is ${table.bins})`)
  return segment
}
