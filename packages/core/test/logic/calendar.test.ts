import { describe, expect, it } from 'vitest'
import { anniversaryToday, toCalendarDate } from '../../src/logic/calendar.js'
import { applyLogic } from '../../src/logic/engine.js'
import { defineRule } from '../../src/rules/defineRule.js'
import { createRuleEngine } from '../../src/rules/ruleEngine.js'
import { createMemoryRuleStateStore } from '../../src/rules/ruleStateStore.js'
import { createManualClock } from '../fakes/manualClock.js'

const noon = (iso: string): number => Date.parse(`${iso}T12:00:00Z`)
const day = (iso: string): { year: number; month: number; day: number } => {
  const [year, month, date] = iso.split('-').map(Number) as [number, number, number]
  return { year, month, day: date }
}

describe('toCalendarDate: persian', () => {
  it('gives 1 Farvardin on the published Nowruz dates', () => {
    // Nowruz (1 Farvardin): 1402 = 2023-03-21, 1403 = 2024-03-20, 1404 = 2025-03-21, 1405 = 2026-03-21.
    expect(toCalendarDate(day('2023-03-21'), 'persian')).toEqual({ year: 1402, month: 1, day: 1 })
    expect(toCalendarDate(day('2024-03-20'), 'persian')).toEqual({ year: 1403, month: 1, day: 1 })
    expect(toCalendarDate(day('2025-03-21'), 'persian')).toEqual({ year: 1404, month: 1, day: 1 })
    expect(toCalendarDate(day('2026-03-21'), 'persian')).toEqual({ year: 1405, month: 1, day: 1 })
  })

  it('has 30 Esfand in the leap year 1403 and not in 1404', () => {
    expect(toCalendarDate(day('2025-03-20'), 'persian')).toEqual({ year: 1403, month: 12, day: 30 })
    expect(toCalendarDate(day('2026-03-20'), 'persian')).toEqual({ year: 1404, month: 12, day: 29 })
  })
})

describe('anniversaryToday', () => {
  it('celebrates a Persian birthday on its Persian day, which moves on the Gregorian calendar', () => {
    // Born 1 Farvardin 1369 (1990-03-21): Nowruz is the birthday every year.
    expect(anniversaryToday('1990-03-21', noon('2024-03-20'), 'Asia/Tehran', 'persian')).toEqual({
      year: 1403,
      years: 34,
    })
    expect(anniversaryToday('1990-03-21', noon('2024-03-21'), 'Asia/Tehran', 'persian')).toBeNull()
    expect(anniversaryToday('1990-03-21', noon('2025-03-21'), 'Asia/Tehran', 'persian')).toEqual({
      year: 1404,
      years: 35,
    })
    // The Gregorian calendar celebrates it on 21 March instead.
    expect(anniversaryToday('1990-03-21', noon('2024-03-20'), 'Asia/Tehran', 'gregorian')).toBeNull()
    expect(anniversaryToday('1990-03-21', noon('2024-03-21'), 'Asia/Tehran', 'gregorian')).toEqual({
      year: 2024,
      years: 34,
    })
  })

  it('celebrates 30 Esfand on 29 Esfand in common Persian years, and 29 February on 28 February', () => {
    // 2025-03-20 is 30 Esfand 1403 (leap): a birth date on that day.
    expect(anniversaryToday('2025-03-20', noon('2026-03-19'), 'UTC', 'persian')).toBeNull() // 28 Esfand 1404
    expect(anniversaryToday('2025-03-20', noon('2026-03-20'), 'UTC', 'persian')).toEqual({ year: 1404, years: 1 }) // 29 Esfand, the last day
    expect(anniversaryToday('2025-03-19', noon('2026-03-20'), 'UTC', 'persian')).toEqual({ year: 1404, years: 1 }) // 29 Esfand itself
    expect(anniversaryToday('2000-02-29', noon('2026-02-28'), 'UTC', 'gregorian')).toEqual({ year: 2026, years: 26 })
    expect(anniversaryToday('2000-02-29', noon('2028-02-28'), 'UTC', 'gregorian')).toBeNull()
    expect(anniversaryToday('2000-02-29', noon('2028-02-29'), 'UTC', 'gregorian')).toEqual({ year: 2028, years: 28 })
  })

  it('reads the day in the customer zone', () => {
    // 2024-03-19 21:00Z is 00:30 on 20 March (1 Farvardin) in Tehran (+03:30), still 19 March in UTC.
    const at = Date.UTC(2024, 2, 19, 21, 0)
    expect(anniversaryToday('1990-03-21', at, 'Asia/Tehran', 'persian')?.year).toBe(1403)
    expect(anniversaryToday('1990-03-21', at, 'UTC', 'persian')).toBeNull()
  })
})

describe('birthday_today and anniversary with a calendar', () => {
  it('take "persian" as a third argument and refuse an unknown calendar', () => {
    const now = noon('2024-03-20')
    expect(
      applyLogic({ birthday_today: [{ var: 'birthday' }, 'UTC', 'persian'] }, { birthday: '1990-03-21' }, { now }),
    ).toBe(true)
    expect(
      applyLogic({ anniversary: [{ var: 'birthday' }, 'UTC', 'persian'] }, { birthday: '1990-03-21' }, { now }),
    ).toBe(34)
    expect(
      applyLogic({ birthday_today: [{ var: 'birthday' }, 'UTC', 'hebrew'] }, { birthday: '1990-03-21' }, { now }),
    ).toBe(false)
  })
})

describe('schedule.birthday with calendar "persian"', () => {
  it('greets once on the Persian birthday at 09:00 in Tehran', async () => {
    const rule = defineRule({
      id: 'nowruz_birthday',
      schedule: { birthday: 'traits.birthday', at: '09:00', calendar: 'persian' },
    })
    // 2024-03-20 05:00Z is 08:30 in Tehran.
    const time = createManualClock({ startAt: Date.UTC(2024, 2, 20, 5, 0) })
    const engine = createRuleEngine({
      rules: [rule],
      clock: time,
      scheduler: time,
      store: createMemoryRuleStateStore(),
      onFire: () => undefined,
    })
    const profile = { traits: { birthday: '1990-03-21', timezone: 'Asia/Tehran' } }
    expect(await engine.checkSchedules('u-1', profile)).toHaveLength(0)
    await time.advance(60 * 60_000)
    expect((await engine.checkSchedules('u-1', profile)).map((f) => f.at)).toEqual([Date.UTC(2024, 2, 20, 6, 0)])
    expect(await engine.checkSchedules('u-1', profile)).toHaveLength(0)
    expect(() =>
      defineRule({ id: 'x', schedule: { birthday: 'traits.birthday', calendar: 'lunar' as never } }),
    ).toThrow(/schedule/)
  })
})
