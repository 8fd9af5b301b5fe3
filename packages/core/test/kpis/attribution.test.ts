import { describe, expect, it } from 'vitest'
import { EcrmError } from '../../src/errors.js'
import { attributeConversion, attributeConversions } from '../../src/kpis/index.js'
import type { AttributionModel } from '../../src/kpis/index.js'

const day = 86_400_000
// A path of four touches before a 100-unit order on day 10, given out of order on purpose.
const path = [
  { channel: 'email', at: 7 * day },
  { channel: 'paid_search', at: 0 },
  { channel: 'social', at: 3 * day },
  { channel: 'email', at: 10 * day },
]
const conversionAt = 10 * day
const credit = (model: AttributionModel, extra: Partial<{ halfLifeMs: number; lookbackMs: number }> = {}) =>
  Object.fromEntries(attributeConversion(path, { model, conversionAt, value: 100, ...extra }))

describe('attributeConversion', () => {
  it('gives everything to the first touch or to the last touch', () => {
    expect(credit('first_touch')).toEqual({ paid_search: 100, social: 0, email: 0 })
    expect(credit('last_touch')).toEqual({ paid_search: 0, social: 0, email: 100 })
  })

  it('shares linearly: 25 per touch, email twice', () => {
    expect(credit('linear')).toEqual({ paid_search: 25, social: 25, email: 50 })
  })

  it('shares 40/20/40 by position', () => {
    // first (paid_search) 40, last (email) 40, the two middle touches (social, email) 10 each
    expect(credit('position_based')).toEqual({ paid_search: 40, social: 10, email: 50 })
    // two touches share 50/50, one takes all
    expect(
      Object.fromEntries(attributeConversion(path.slice(0, 2), { model: 'position_based', conversionAt })),
    ).toEqual({ email: 0.5, paid_search: 0.5 })
    expect(
      Object.fromEntries(attributeConversion(path.slice(0, 1), { model: 'position_based', conversionAt })),
    ).toEqual({ email: 1 })
  })

  it('halves the weight per half-life of age with time decay', () => {
    // Half-life 7 days; ages: paid_search 10 d, social 7 d, email 3 d and 0 d.
    // Weights: 2^(−10/7), 2^(−1) = 0.5, c = 2^(−3/7), 1. Since 2^(−10/7) = c/2, the sum is
    // c/2 + 1/2 + c + 1 = 1.5 (c + 1), so email gets (c + 1) / 1.5 (c + 1) = 2/3 of the value exactly.
    const c = 2 ** (-3 / 7)
    const sum = 1.5 * (c + 1)
    const result = credit('time_decay', { halfLifeMs: 7 * day })
    expect(result['email']).toBeCloseTo(200 / 3, 10)
    expect(result['social']).toBeCloseTo(50 / sum, 10) // 19.124…
    expect(result['paid_search']).toBeCloseTo((100 * c) / 2 / sum, 10) // 14.209…
    expect(result['social']).toBeCloseTo(19.124, 3)
  })

  it('ignores touches after the conversion or older than the lookback', () => {
    const late = [...path, { channel: 'affiliate', at: 11 * day }]
    expect(Object.fromEntries(attributeConversion(late, { model: 'last_touch', conversionAt }))).not.toHaveProperty(
      'affiliate',
    )
    // 5-day lookback keeps the touches of days 7 and 10 (both email)
    expect(credit('linear', { lookbackMs: 5 * day })).toEqual({ email: 100 })
  })

  it('credits sum to the value for every model', () => {
    for (const model of ['first_touch', 'last_touch', 'linear', 'time_decay', 'position_based'] as const) {
      const total = Object.values(credit(model)).reduce((sum, value) => sum + value, 0)
      expect(total).toBeCloseTo(100, 10)
    }
  })

  it('gives an empty map for no touchpoints, and throws for a bad model or half-life', () => {
    expect(attributeConversion([], { model: 'linear', conversionAt }).size).toBe(0)
    expect(() => attributeConversion(path, { model: 'nope' as AttributionModel, conversionAt })).toThrow(EcrmError)
    expect(() => attributeConversion(path, { model: 'time_decay', conversionAt, halfLifeMs: 0 })).toThrow(/halfLifeMs/)
  })
})

describe('attributeConversions', () => {
  it('sums the credits of several conversions, each with its own value', () => {
    // conversion 1: last touch email gets 100; conversion 2 (value defaults to 1): last touch social gets 1
    const totals = attributeConversions(
      [
        { touchpoints: path, at: conversionAt, value: 100 },
        { touchpoints: [{ channel: 'social', at: 0 }], at: day },
      ],
      { model: 'last_touch' },
    )
    expect(Object.fromEntries(totals)).toEqual({ paid_search: 0, social: 1, email: 100 })
  })
})
