import { describe, expect, it } from 'vitest'
import { applyLogic } from '../../src/logic/engine.js'
import { parseDuration, toEpochMs } from '../../src/logic/duration.js'
import { fromLocalTime, toLocalTime } from '../../src/logic/timeZone.js'

const now = Date.UTC(2026, 2, 31, 12, 0) // 2026-03-31T12:00Z

describe('parseDuration and toEpochMs', () => {
  it('reads the documented units', () => {
    expect(parseDuration('30d')).toBe(30 * 86_400_000)
    expect(parseDuration('2h')).toBe(7_200_000)
    expect(parseDuration('1w')).toBe(604_800_000)
    expect(parseDuration('15m')).toBe(900_000)
    expect(parseDuration('-1.5h')).toBe(-5_400_000)
    expect(parseDuration('soon')).toBeNull()
  })

  it('resolves relative times against now: unsigned and - are in the past, + in the future', () => {
    expect(toEpochMs('30d', now)).toBe(now - 30 * 86_400_000)
    expect(toEpochMs('-30d', now)).toBe(now - 30 * 86_400_000)
    expect(toEpochMs('+2h', now)).toBe(now + 7_200_000)
    expect(toEpochMs('30d', undefined)).toBeNull()
    expect(toEpochMs('2026-03-01', now)).toBe(Date.UTC(2026, 2, 1))
    expect(toEpochMs('2026-03-01T10:00:00+02:00', now)).toBe(Date.UTC(2026, 2, 1, 8))
    expect(toEpochMs('March 1', now)).toBeNull()
  })
})

describe('time zones', () => {
  it('shows the wall clock of a zone, across a DST change', () => {
    // Paris: UTC+1 in winter, UTC+2 from 2026-03-29 01:00Z (EU rule: last Sunday of March).
    expect(toLocalTime(Date.UTC(2026, 0, 1, 23, 30), 'Europe/Paris')).toMatchObject({
      year: 2026,
      month: 1,
      day: 2,
      hour: 0,
      minute: 30,
    })
    expect(toLocalTime(Date.UTC(2026, 2, 29, 1, 0), 'Europe/Paris')).toMatchObject({ day: 29, hour: 3 })
    expect(toLocalTime(0, 'Not/AZone')).toBeNull()
  })

  it('finds the instant of a local time, in winter and summer', () => {
    expect(fromLocalTime({ year: 2026, month: 1, day: 15, hour: 9, minute: 0 }, 'Europe/Paris')).toBe(
      Date.UTC(2026, 0, 15, 8),
    )
    expect(fromLocalTime({ year: 2026, month: 7, day: 15, hour: 9, minute: 0 }, 'Europe/Paris')).toBe(
      Date.UTC(2026, 6, 15, 7),
    )
    expect(fromLocalTime({ year: 2026, month: 7, day: 15, hour: 9, minute: 0 }, 'America/New_York')).toBe(
      Date.UTC(2026, 6, 15, 13),
    )
  })
})

describe('CRM operators', () => {
  it('computes days_since and hours_since from the context time, or null without it', () => {
    expect(
      applyLogic({ days_since: { var: 'last_order_at' } }, { last_order_at: '2026-03-01T12:00:00Z' }, { now }),
    ).toBe(30)
    expect(
      applyLogic({ days_since: { var: 'last_order_at' } }, { last_order_at: '2026-03-01T12:00:01Z' }, { now }),
    ).toBe(29)
    expect(applyLogic({ hours_since: { var: 'seen' } }, { seen: now - 5.5 * 3_600_000 }, { now })).toBe(5)
    expect(applyLogic({ days_since: { var: 'last_order_at' } }, { last_order_at: '2026-03-01' })).toBeNull()
    expect(applyLogic({ days_since: { var: 'missing' } }, {}, { now })).toBeNull()
    expect(applyLogic({ now: [] }, {}, { now })).toBe(now)
  })

  it('compares times with before and after, relative times included', () => {
    const data = { last_order_at: '2026-02-01T00:00:00Z' }
    expect(applyLogic({ before: [{ var: 'last_order_at' }, '30d'] }, data, { now })).toBe(true)
    expect(applyLogic({ after: [{ var: 'last_order_at' }, '90d'] }, data, { now })).toBe(true)
    expect(applyLogic({ after: [{ var: 'last_order_at' }, '2026-02-01'] }, data, { now })).toBe(false)
    expect(applyLogic({ before: [{ var: 'nothing' }, '30d'] }, data, { now })).toBe(false)
  })

  it('matches birthdays in the customer time zone', () => {
    // 2026-03-31T23:30Z is already 1 April in Paris, still 31 March in New York.
    const late = Date.UTC(2026, 2, 31, 23, 30)
    const data = { traits: { birthday: '1990-04-01' } }
    expect(applyLogic({ birthday_today: [{ var: 'traits.birthday' }, 'Europe/Paris'] }, data, { now: late })).toBe(true)
    expect(applyLogic({ birthday_today: [{ var: 'traits.birthday' }, 'America/New_York'] }, data, { now: late })).toBe(
      false,
    )
    expect(
      applyLogic({ birthday_today: { var: 'traits.birthday' } }, data, { now: late, timeZone: 'Europe/Paris' }),
    ).toBe(true)
    expect(applyLogic({ birthday_today: { var: 'traits.birthday' } }, data, { now: late })).toBe(false) // UTC by default
  })

  it('celebrates 29 February on 28 February in common years', () => {
    const feb28 = Date.UTC(2027, 1, 28, 12)
    expect(applyLogic({ birthday_today: '2000-02-29' }, {}, { now: feb28 })).toBe(true)
    expect(applyLogic({ birthday_today: '2000-02-29' }, {}, { now: Date.UTC(2028, 1, 28, 12) })).toBe(false)
    expect(applyLogic({ birthday_today: '2000-02-29' }, {}, { now: Date.UTC(2028, 1, 29, 12) })).toBe(true)
  })

  it('gives the years on an anniversary and 0 on other days', () => {
    expect(applyLogic({ anniversary: '2023-03-31T09:00:00Z' }, {}, { now })).toBe(3)
    expect(applyLogic({ anniversary: '2023-03-30' }, {}, { now })).toBe(0)
    expect(applyLogic({ anniversary: '2026-03-31' }, {}, { now })).toBe(0)
  })

  it('checks segment membership on the RFM segment, segments and any named field', () => {
    const profile = { rfm: { segment: 'at_risk' }, segments: ['newsletter'], lead: { grade: 'A' } }
    expect(applyLogic({ in_segment: 'at_risk' }, profile)).toBe(true)
    expect(applyLogic({ in_segment: [['champions', 'loyal']] }, profile)).toBe(false)
    expect(applyLogic({ in_segment: 'newsletter' }, { profile })).toBe(true)
    expect(applyLogic({ in_segment: [['A', 'B'], 'lead.grade'] }, profile)).toBe(true)
    expect(applyLogic({ in_segment: ['C', 'lead.grade'] }, profile)).toBe(false)
    expect(applyLogic({ in_segment: 'at_risk' }, null)).toBe(false)
  })

  it('counts and sums events in a window of UTC days ending today', () => {
    const profile = {
      eventDays: { 'Order Completed': { '2025-12-31': 1, '2026-01-01': 1, '2026-03-02': 2, '2026-03-31': 1 } },
      eventTotals: { 'Order Completed': { '2025-12-31': 10, '2026-01-01': 20, '2026-03-02': 50.5, '2026-03-31': 5 } },
    }
    // 90 days ending 2026-03-31 start on 2026-01-01 (31 + 28 + 31 days).
    expect(applyLogic({ count_events: ['Order Completed', '90d'] }, profile, { now })).toBe(4)
    expect(applyLogic({ count_events: ['Order Completed', 90] }, profile, { now })).toBe(4)
    expect(applyLogic({ count_events: ['Order Completed', '30d'] }, profile, { now })).toBe(3)
    expect(applyLogic({ count_events: ['Order Completed', '1d'] }, profile, { now })).toBe(1)
    expect(applyLogic({ count_events: ['Order Completed'] }, profile, { now })).toBe(5)
    expect(applyLogic({ count_events: ['Order Completed', '2026-03-01'] }, profile, { now })).toBe(3)
    expect(applyLogic({ sum_events: ['Order Completed', '30d'] }, { profile }, { now })).toBe(55.5)
    expect(applyLogic({ count_events: ['Signed Up', '30d'] }, profile, { now })).toBe(0)
    expect(applyLogic({ '>=': [{ count_events: ['Order Completed', '90d'] }, 3] }, profile, { now })).toBe(true)
  })
})

describe('CRM operators over the ecrm profile buckets', () => {
  it('reads events.days keyed by UTC day number with { c, s }', () => {
    const dayNumber = (iso: string): number => Date.parse(iso) / 86_400_000
    const profile = {
      events: {
        days: {
          'Order Completed': {
            [dayNumber('2026-01-01')]: { c: 1, s: { total: 20 } },
            [dayNumber('2026-03-31')]: { c: 2, s: { total: 30, items: 3 } },
            [dayNumber('2025-12-31')]: { c: 1, s: { total: 10 } },
          },
        },
      },
    }
    expect(applyLogic({ count_events: ['Order Completed', '90d'] }, { profile }, { now })).toBe(3)
    expect(applyLogic({ sum_events: ['Order Completed', '90d'] }, profile, { now })).toBe(50)
    expect(applyLogic({ sum_events: ['Order Completed', null, 'items'] }, profile, { now })).toBe(3)
  })
})
