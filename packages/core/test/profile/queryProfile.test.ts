import { describe, expect, it } from 'vitest'
import { emptyProfile } from '../../src/profile/emptyProfile.js'
import { countEvents, sumProperty } from '../../src/profile/queryProfile.js'
import { reduceProfile } from '../../src/profile/reduceProfile.js'
import { isEcrmError } from '../../src/errors.js'
import { DAY, T0, track } from './events.js'

// Orders 200, 95, 60, 10 and 1 days before `now`, totals 1, 2, 4, 8, 16.
const now = T0 + 400 * DAY
const profile = [200, 95, 60, 10, 1].reduce(
  (current, daysAgo, index) =>
    reduceProfile(
      current,
      track('Order Completed', now - daysAgo * DAY, { order_id: `o-${index}`, total: 2 ** index }),
    ),
  emptyProfile('p'),
)

describe('countEvents', () => {
  it('answers "3 orders in 90 days"', () => {
    expect(countEvents(profile, 'Order Completed', { sinceMs: 90 * DAY, now })).toBe(3)
    expect(countEvents(profile, 'Order Completed', { sinceMs: 100 * DAY, now })).toBe(4)
  })

  it('counts all time without a window, and 0 for unknown names', () => {
    expect(countEvents(profile, 'Order Completed')).toBe(5)
    expect(countEvents(profile, 'Nope', { sinceMs: DAY, now })).toBe(0)
  })

  it('throws an ecrm error when a window has no now', () => {
    expect(() => countEvents(profile, 'Order Completed', { sinceMs: DAY })).toThrow(/sinceMs needs now/)
    try {
      countEvents(profile, 'X', { sinceMs: 1 })
    } catch (error) {
      expect(isEcrmError(error)).toBe(true)
    }
  })

  it('drops daily buckets older than the retention, counted back from the newest day', () => {
    const late = reduceProfile(profile, track('Order Completed', now + 300 * DAY, { order_id: 'o-late', total: 0 }))
    // The newest day is now+300; retention 400 days keeps now-100 onwards: 95, 60, 10, 1 days ago + the new one.
    expect(countEvents(late, 'Order Completed', { sinceMs: 10_000 * DAY, now: now + 300 * DAY })).toBe(5)
    expect(countEvents(late, 'Order Completed')).toBe(6)
  })
})

describe('sumProperty', () => {
  it('sums a numeric property in a window', () => {
    expect(sumProperty(profile, 'Order Completed', 'total', { sinceMs: 90 * DAY, now })).toBe(4 + 8 + 16)
    expect(sumProperty(profile, 'Order Completed', 'total')).toBe(31)
    expect(sumProperty(profile, 'Order Completed', 'missing')).toBe(0)
  })
})
