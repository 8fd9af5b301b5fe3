import { toEpochMs } from '../logic/duration.js'
import { anniversaryToday } from '../logic/calendar.js'
import { readPath, splitPath } from '../logic/semantics.js'
import { formatLocalDate, fromLocalTime, toLocalTime } from '../logic/timeZone.js'
import { parseLocalTime } from './compileRule.js'
import type { RuleSchedule } from './ruleSchema.js'
import { DAY_MS } from '../time/units.js'

/** Where a stored profile keeps the last order's time: the default `field` of `inactiveDays`. */
export const DEFAULT_INACTIVITY_FIELD = 'money.lastOrderAt'

/** Quiet hours as local minutes of the day; `end` before `start` spans midnight. */
export interface QuietWindow {
  readonly start: number
  readonly end: number
}

function minuteOfDay(at: number, timeZone: string): number | null {
  const local = toLocalTime(at, timeZone)
  return local === null ? null : local.hour * 60 + local.minute
}

/** Tells whether `at` falls in the quiet hours of `timeZone` (start included, end excluded). */
export function isInQuietHours(at: number, quiet: QuietWindow, timeZone: string): boolean {
  const minute = minuteOfDay(at, timeZone)
  if (minute === null || quiet.start === quiet.end) return false
  return quiet.start < quiet.end
    ? minute >= quiet.start && minute < quiet.end
    : minute >= quiet.start || minute < quiet.end
}

/** The first instant after `at` when the local clock of `timeZone` reads `minute` (0–1439). */
export function nextLocalTime(at: number, minute: number, timeZone: string): number {
  const local = toLocalTime(at, timeZone)
  if (local === null) return at
  for (let offset = 0; offset < 3; offset += 1) {
    // Walk whole local days through UTC dates, which never have DST gaps.
    const day = new Date(Date.UTC(local.year, local.month - 1, local.day + offset))
    const candidate = fromLocalTime(
      {
        year: day.getUTCFullYear(),
        month: day.getUTCMonth() + 1,
        day: day.getUTCDate(),
        hour: Math.floor(minute / 60),
        minute: minute % 60,
      },
      timeZone,
    )
    if (candidate !== null && candidate > at) return candidate
  }
  return at + DAY_MS
}

/**
 * The occurrence a schedule is due for at `at`, as a key that changes once per occurrence (the
 * local date for `daily`, the birthday's year in its calendar, the last activity for `inactiveDays`),
 * or `null` when nothing is due. A rule fires at most once per occurrence.
 */
export function dueOccurrence(schedule: RuleSchedule, at: number, timeZone: string, profile: unknown): string | null {
  const local = toLocalTime(at, timeZone)
  if (local === null) return null
  const minute = local.hour * 60 + local.minute
  if ('daily' in schedule) {
    return minute >= parseLocalTime(schedule.daily) ? `daily:${formatLocalDate(local)}` : null
  }
  if ('birthday' in schedule) {
    if (minute < parseLocalTime(schedule.at ?? '09:00')) return null
    const calendar = schedule.calendar ?? 'gregorian'
    const today = anniversaryToday(readPath(profile, splitPath(schedule.birthday), null), at, timeZone, calendar)
    // The key holds the year of the birthday's own calendar: one greeting per Persian year too.
    return today === null || today.years === 0
      ? null
      : `birthday:${calendar === 'gregorian' ? '' : `${calendar}:`}${today.year}`
  }
  if (schedule.at !== undefined && minute < parseLocalTime(schedule.at)) return null
  const last = readPath(profile, splitPath(schedule.field ?? DEFAULT_INACTIVITY_FIELD), null)
  const lastAt = toEpochMs(last, at)
  if (lastAt === null || at - lastAt < schedule.inactiveDays * DAY_MS) return null
  return `inactive:${lastAt}`
}
