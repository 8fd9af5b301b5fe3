import { describe, expect, it } from 'vitest'
import { EcrmValidationError } from '../../src/errors.js'
import { emptyProfile } from '../../src/profile/emptyProfile.js'
import { reduceProfile } from '../../src/profile/reduceProfile.js'
import { rfmCutPoints, type RfmCustomer, type RfmValues } from '../../src/rfm/rfmCutPoints.js'
import { chooseRfmCutPoints, fixedRfmCutPoints } from '../../src/rfm/rfmMethod.js'
import { defaultRfmSegments, validateSegmentMap, type RfmSegment } from '../../src/rfm/rfmSegments.js'
import { rfmInputFromProfile, scoreRfm, scoreRfmOne } from '../../src/rfm/scoreRfm.js'

const DAY = 86_400_000
const now = Date.UTC(2026, 5, 30)

/** Customer i bought `daysAgo[i]` days ago, `counts[i]` times, for `spend[i]`. */
function customers(daysAgo: number[], counts: number[], spend: number[]): RfmCustomer[] {
  return daysAgo.map((days, index) => ({
    id: `c-${index}`,
    lastOrderAt: now - days * DAY - 3_600_000,
    orderCount: counts[index] ?? 1,
    monetary: spend[index] ?? 0,
  }))
}

const pick = (scores: Map<string, { r: number; f: number; m: number }>, key: 'r' | 'f' | 'm'): number[] =>
  [...scores.values()].map((score) => score[key])

describe('scoreRfm', () => {
  it('puts two of ten distinct values in each quintile, recency reversed', () => {
    const ten = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]
    const scores = scoreRfm(
      customers(
        ten,
        ten.map((n) => n + 1),
        ten.map((n) => n * 10),
      ),
      { now },
    )
    // 0–1 days ago score R5, 8–9 days ago R1; 1–2 orders score F1, 9–10 orders F5.
    expect(pick(scores, 'r')).toEqual([5, 5, 4, 4, 3, 3, 2, 2, 1, 1])
    expect(pick(scores, 'f')).toEqual([1, 1, 2, 2, 3, 3, 4, 4, 5, 5])
    expect(pick(scores, 'm')).toEqual([1, 1, 2, 2, 3, 3, 4, 4, 5, 5])
  })

  it('uses ranks ⌈k·n/5⌉ for seven customers', () => {
    // Edges at ranks 2, 3, 5, 6 of 1..7: values 2, 3, 5, 6.
    const scores = scoreRfm(customers([0, 0, 0, 0, 0, 0, 0], [1, 2, 3, 4, 5, 6, 7], [7, 6, 5, 4, 3, 2, 1]), { now })
    expect(pick(scores, 'f')).toEqual([1, 1, 2, 3, 3, 4, 5])
    expect(pick(scores, 'm')).toEqual([5, 4, 3, 3, 2, 1, 1])
    // Everyone bought today: one tie group at the most recent value, which scores R5, never R1.
    expect(pick(scores, 'r')).toEqual([5, 5, 5, 5, 5, 5, 5])
  })

  it('keeps ties in one bin and leaves the quantiles they fill empty', () => {
    const scores = scoreRfm(customers([1, 1, 1, 1, 1, 1, 1, 1, 1, 1], [1, 1, 1, 1, 1, 1, 2, 3, 4, 5], []), { now })
    // Edges: ranks 2, 4, 6, 8 of the sorted counts = 1, 1, 1, 3.
    expect(rfmCutPoints(customers([1], [1], []), { now }).frequency).toEqual([1, 1, 1, 1])
    expect(pick(scores, 'f')).toEqual([1, 1, 1, 1, 1, 1, 4, 4, 5, 5])
  })

  it('assigns segments from the default map and leaves customers without orders out', () => {
    const list: RfmCustomer[] = [
      ...customers([0, 0, 50, 50, 50], [9, 1, 9, 1, 9], [1, 1, 1, 1, 1]),
      { id: 'never', lastOrderAt: null, orderCount: 0, monetary: 0 },
    ]
    const scores = scoreRfm(list, { now })
    expect(scores.has('never')).toBe(false)
    // R edges (days, most recent first 0,0,50,50,50, ranks 1–4): 0, 0, 50, 50 → 0 days is at or
    // below all four (R5), 50 days below two (R3): ties take the more recent bin.
    // F edges (1,1,9,9,9): 1, 1, 9, 9 → 9 orders scores 3, 1 order 1.
    expect(scores.get('c-0')).toMatchObject({
      r: 5,
      f: 3,
      segment: 'potential_loyalist',
      label: 'Potential Loyalist',
      recencyDays: 0,
    })
    expect(scores.get('c-1')).toMatchObject({ r: 5, f: 1, segment: 'new_customers' })
    expect(scores.get('c-2')).toMatchObject({ r: 3, f: 3, segment: 'need_attention' })
    expect(scores.get('c-3')).toMatchObject({ r: 3, f: 1, segment: 'about_to_sleep' })
  })

  it('asks for a segment map when bins is not 5, and accepts one', () => {
    const list = customers([0, 5, 9], [1, 2, 3], [1, 2, 3])
    expect(() => scoreRfm(list, { now, bins: 3 })).toThrow(/segmentMap \(the default map is for 5 bins/)
    const map: RfmSegment[] = [
      { id: 'good', label: 'Good', r: [2, 3], f: [1, 3] },
      { id: 'bad', label: 'Bad', r: [1, 1], f: [1, 3] },
    ]
    expect([...scoreRfm(list, { now, bins: 3, segmentMap: map }).values()].map((s) => s.segment)).toEqual([
      'good',
      'good',
      'bad',
    ])
    expect(() => scoreRfm(list, { now, bins: 11 })).toThrow(/bins \(got 11; use an integer from 2 to 10\)/)
  })

  it('rejects a customer with a non-finite number, naming its index', () => {
    const bad = [{ id: 'x', lastOrderAt: now, orderCount: 1, monetary: Number.NaN }]
    expect(() => scoreRfm(bad, { now })).toThrow('invalid RFM customers: [0].monetary (expected a finite number)')
  })
})

describe('scoreRfmOne', () => {
  it('gives the same score as scoreRfm against the stored cut points', () => {
    const list = customers(
      [3, 40, 200, 7, 90, 365, 1, 14],
      [5, 2, 1, 8, 3, 1, 12, 2],
      [500, 80, 20, 900, 150, 10, 2000, 60],
    )
    const cuts = rfmCutPoints(list, { now })
    const all = scoreRfm(list, { now })
    for (const customer of list) expect(scoreRfmOne(customer, cuts, { now })).toEqual(all.get(customer.id))
  })

  it('scores a profile folded from events', () => {
    const cuts = rfmCutPoints(customers([0, 10, 20, 30, 40], [1, 2, 3, 4, 5], [10, 20, 30, 40, 50]), { now })
    const profile = [1, 2, 3].reduce(
      (p, n) =>
        reduceProfile(p, {
          type: 'track',
          event: 'Order Completed',
          userId: 'u',
          messageId: `m${n}`,
          timestamp: new Date(now - n * DAY).toISOString(),
          properties: { order_id: `o${n}`, total: 15 },
        }),
      emptyProfile('u'),
    )
    expect(rfmInputFromProfile(profile)).toEqual({ id: 'u', lastOrderAt: now - DAY, orderCount: 3, monetary: 45 })
    // Days edges (ranks 1–4 of 0, 10, 20, 30, 40) = 30, 20, 10, 0 → 1 day is at or below three: R4. Count edges 1,2,3,4 → 3 beats 1, 2: F3. 45 beats 10..40: M5.
    expect(scoreRfmOne(rfmInputFromProfile(profile), cuts, { now })).toMatchObject({
      r: 4,
      f: 3,
      m: 5,
      segment: 'potential_loyalist',
    })
    expect(scoreRfmOne(rfmInputFromProfile(emptyProfile('x')), cuts, { now })).toBeNull()
  })
})

describe('validateSegmentMap', () => {
  it('accepts the default map, which covers each of the 25 cells exactly once', () => {
    for (let r = 1; r <= 5; r++) {
      for (let f = 1; f <= 5; f++) {
        const owners = defaultRfmSegments.filter((s) => s.r[0] <= r && r <= s.r[1] && s.f[0] <= f && f <= s.f[1])
        expect(owners, `R${r} F${f}`).toHaveLength(1)
      }
    }
    expect(defaultRfmSegments.map((s) => s.id)).toHaveLength(10)
    expect(defaultRfmSegments.find((s) => s.id === 'cant_lose_them')?.label).toBe("Can't Lose Them")
    expect(validateSegmentMap(defaultRfmSegments).cells).toHaveLength(25)
  })

  it('names every gap cell and every overlapping cell', () => {
    const map = defaultRfmSegments
      .filter((s) => s.id !== 'hibernating')
      .map((s) =>
        s.id === 'at_risk' ? { ...s, f: [2, 4] as const } : s.id === 'champions' ? { ...s, r: [4, 5] as const } : s,
      )
    let error: unknown
    try {
      validateSegmentMap(map)
    } catch (caught) {
      error = caught
    }
    expect(error).toBeInstanceOf(EcrmValidationError)
    const messages = (error as EcrmValidationError).issues.map((issue) => issue.message)
    expect(messages).toEqual([
      'R4 F4 is covered by both "champions" [0] and "loyal" [1]; narrow one of their ranges',
      'R4 F5 is covered by both "champions" [0] and "loyal" [1]; narrow one of their ranges',
      "no segment covers R1 F1; widen a segment's r and f ranges to include it",
      "no segment covers R2 F1; widen a segment's r and f ranges to include it",
    ])
    expect((error as Error).message).toMatch(/^invalid RFM segment map: \[1\] \(R4 F4 is covered by both/)
    expect((error as Error).message).toContain('cells.r1f1 (no segment covers R1 F1;')
  })

  it('rejects malformed ranges and duplicate ids', () => {
    const map = [
      { id: 'a', label: 'A', r: [0, 5], f: [1, 5] },
      { id: 'a', label: 'A', r: [1, 5], f: [3, 2] },
    ] as unknown as RfmSegment[]
    expect(() => validateSegmentMap(map)).toThrow(/\[0\]\.r \(expected \[min, max\].*\[1\]\.id \(.*already.*\[1\]\.f/)
  })
})

describe('chooseRfmCutPoints', () => {
  const values = (days: number[]): RfmValues => ({
    recencyDays: Float64Array.from(days),
    frequency: Float64Array.from(days.map(() => 1)),
    monetary: Float64Array.from(days.map((_, i) => i * 10)),
  })

  it('uses the fixed edges for a young shop where every buyer bought today, scoring them R5', () => {
    const cuts = chooseRfmCutPoints(values(Array.from({ length: 500 }, () => 0)), {}, now)
    expect(cuts).toMatchObject({ method: 'fixed', recencyDays: [180, 90, 30, 7], frequency: [1, 2, 3, 5] })
    const score = scoreRfmOne({ id: 'a', lastOrderAt: now - 5_000, orderCount: 1, monetary: 20 }, cuts, { now })
    expect(score).toMatchObject({ r: 5, f: 1, segment: 'new_customers' })
  })

  it('uses the fixed edges for a base smaller than minCustomers, and quantiles above it', () => {
    const spread = Array.from({ length: 120 }, (_, i) => i)
    expect(chooseRfmCutPoints(values(spread.slice(0, 99)), {}, now).method).toBe('fixed')
    expect(chooseRfmCutPoints(values(spread), {}, now).method).toBe('quantile')
    expect(chooseRfmCutPoints(values(spread.slice(0, 10)), { method: 'quantile' }, now).method).toBe('quantile')
    expect(chooseRfmCutPoints(values(spread), { method: 'fixed' }, now).method).toBe('fixed')
  })

  it('scores 8, 31, 91 and 181 days into R4 … R1 with the default edges', () => {
    const cuts = fixedRfmCutPoints({}, now)
    const r = [7, 8, 31, 91, 181].map(
      (days) => scoreRfmOne({ id: 'x', lastOrderAt: now - days * DAY, orderCount: 1, monetary: 1 }, cuts, { now })?.r,
    )
    expect(r).toEqual([5, 4, 3, 2, 1])
  })

  it('refuses edges that are not 4 increasing numbers, naming the option', () => {
    expect(() => fixedRfmCutPoints({ recencyEdgesDays: [30, 7, 90, 180] }, now)).toThrow(
      /recencyEdgesDays \(got \[30,7,90,180\]; give 4 increasing numbers/,
    )
  })
})
