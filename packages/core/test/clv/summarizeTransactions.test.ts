import { describe, expect, it } from 'vitest'
import { summarizeDailySpend, summarizeTransactions } from '../../src/clv/index.js'
import { isEcrmError } from '../../src/errors.js'
import { cdnowCalibrationEnd, hasCdnow, readCdnowSample, readPublishedSummary, skipReason } from './cdnowData.js'

const day = (d: number, hour = 12): number => Date.UTC(2024, 0, d, hour)

describe('summarizeTransactions', () => {
  it('merges same-day purchases and counts only repeat days in x and zbar', () => {
    const [summary] = summarizeTransactions(
      [
        { customerId: 'c', at: day(1, 9), amount: 10 },
        { customerId: 'c', at: day(1, 18), amount: 5 }, // same day as the first: merged into it
        { customerId: 'c', at: day(8), amount: 30 },
        { customerId: 'c', at: day(15, 1), amount: 20 },
        { customerId: 'c', at: day(15, 23), amount: 40 }, // same day: one purchase of 60
        { customerId: 'c', at: day(30), amount: 999 }, // after calibration: ignored
      ],
      { calibrationEnd: day(22), unit: 'weeks' },
    )
    // x = 2 repeat days (8th, 15th); t_x = 14 days = 2 weeks; T = 21 days = 3 weeks; zbar = (30 + 60)/2.
    expect(summary).toEqual({
      customerId: 'c',
      frequency: 2,
      recency: 2,
      age: 3,
      meanRepeatSpend: 45,
      totalSpend: 105,
      firstPurchaseAt: Date.UTC(2024, 0, 1),
      lastPurchaseAt: Date.UTC(2024, 0, 15),
    })
  })

  it('gives x = 0, t_x = 0, zbar = 0 to a one-day buyer and drops customers who start after the end', () => {
    const summaries = summarizeTransactions(
      [
        { customerId: 'once', at: day(3), amount: 12 },
        { customerId: 'once', at: day(3, 20), amount: 8 },
        { customerId: 'late', at: day(25), amount: 1 },
      ],
      { calibrationEnd: day(10), unit: 'days' },
    )
    expect(summaries).toHaveLength(1)
    expect(summaries[0]).toMatchObject({
      customerId: 'once',
      frequency: 0,
      recency: 0,
      age: 7,
      meanRepeatSpend: 0,
      totalSpend: 20,
    })
  })

  it('cuts days in the shop time zone when given an offset', () => {
    // 23:30 UTC on the 1st is 00:30 on the 2nd at UTC+1: then the two purchases fall on different days.
    const orders = [
      { customerId: 'c', at: Date.UTC(2024, 0, 1, 10), amount: 1 },
      { customerId: 'c', at: Date.UTC(2024, 0, 1, 23, 30), amount: 1 },
    ]
    const options = { calibrationEnd: Date.UTC(2024, 0, 5), unit: 'days' } as const
    expect(summarizeTransactions(orders, options)[0]?.frequency).toBe(0)
    expect(summarizeTransactions(orders, { ...options, timeZoneOffsetMs: 3_600_000 })[0]?.frequency).toBe(1)
  })

  it('throws an EcrmError naming the option for a bad unit or end', () => {
    const call = (options: object) => () => summarizeTransactions([], options as never)
    expect(call({ calibrationEnd: Number.NaN, unit: 'weeks' })).toThrow(/options\.calibrationEnd/)
    expect(call({ calibrationEnd: 0, unit: 'months' })).toThrow(
      /options\.unit \(expected 'days' or 'weeks', got months\)/,
    )
    let thrown: unknown
    try {
      call({ calibrationEnd: 0, unit: 'months' })()
    } catch (error) {
      thrown = error
    }
    expect(isEcrmError(thrown)).toBe(true)
  })

  it.skipIf(!hasCdnow)(`reproduces all 2,357 rows of the published CDNOW summary${skipReason}`, () => {
    const summaries = summarizeTransactions(readCdnowSample(), { calibrationEnd: cdnowCalibrationEnd, unit: 'weeks' })
    const published = readPublishedSummary()
    expect(published).toHaveLength(2357)
    expect(summaries).toHaveLength(2357)
    const byId = new Map(summaries.map((summary) => [summary.customerId, summary]))
    const mismatches: string[] = []
    for (const { id, values, decimals } of published) {
      const ours = byId.get(id)
      if (ours === undefined) {
        mismatches.push(`${id}: missing`)
        continue
      }
      const computed = [ours.frequency, ours.recency, ours.age, ours.meanRepeatSpend]
      computed.forEach((value, index) => {
        // A number printed with d decimals stands for the interval ±0.5·10^−d around it.
        const allowed = 0.5 * 10 ** -(decimals[index] ?? 0) + 1e-9
        if (Math.abs(value - (values[index] ?? Number.NaN)) > allowed)
          mismatches.push(`${id}[${index}]: ${value} vs ${values[index]}`)
      })
    }
    expect(mismatches).toEqual([])
  })
})

describe('summarizeDailySpend', () => {
  it('summarises pre-aggregated days like summarizeTransactions does', () => {
    const dayNumber = (d: number): number => Math.floor(Date.UTC(2024, 0, d) / 86_400_000)
    const daily = new Map([
      [
        'c',
        new Map([
          [dayNumber(1), 15],
          [dayNumber(8), 30],
          [dayNumber(15), 60],
        ]),
      ],
    ])
    expect(summarizeDailySpend(daily, { calibrationEnd: day(22), unit: 'weeks' })[0]).toMatchObject({
      frequency: 2,
      recency: 2,
      age: 3,
      meanRepeatSpend: 45,
    })
  })

  it('merges a day listed twice, as a streaming reader may pass it', () => {
    const dayNumber = (d: number): number => Math.floor(Date.UTC(2024, 0, d) / 86_400_000)
    const daily = [
      [
        'c',
        [
          [dayNumber(1), 5],
          [dayNumber(1), 10],
          [dayNumber(8), 30],
          [dayNumber(8), 6],
        ],
      ],
    ] as const
    expect(summarizeDailySpend(daily, { calibrationEnd: day(8), unit: 'days' })[0]).toMatchObject({
      frequency: 1,
      recency: 7,
      meanRepeatSpend: 36,
      totalSpend: 51,
    })
  })
})
