import { toLocalTime } from './timeZone.js'

/**
 * The calendars a birthday or an anniversary can follow: the Gregorian calendar, or the Persian
 * (Solar Hijri, Jalali) calendar of Iran and Afghanistan, read through ECMA-402's `persian`
 * calendar (`Intl.DateTimeFormat`), so no calendar table ships with ecrm.
 */
export type CalendarName = 'gregorian' | 'persian'

/** A calendar date; `month` is 1–12 (Farvardin is 1, Esfand 12). */
export interface CalendarDate {
  readonly year: number
  readonly month: number
  readonly day: number
}

/** The day of an anniversary today: the calendar's year, and the whole years since the date. */
export interface AnniversaryToday {
  readonly year: number
  readonly years: number
}

let persianFormat: Intl.DateTimeFormat | undefined

/** The date in `calendar` of a Gregorian day (proleptic), read at UTC noon of that day. */
export function toCalendarDate(gregorian: CalendarDate, calendar: CalendarName): CalendarDate {
  if (calendar === 'gregorian') return gregorian
  persianFormat ??= new Intl.DateTimeFormat('en-u-ca-persian', {
    timeZone: 'UTC',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
  })
  const fields: Record<string, number> = {}
  for (const part of persianFormat.formatToParts(Date.UTC(gregorian.year, gregorian.month - 1, gregorian.day, 12))) {
    fields[part.type] = Number(part.value)
  }
  return { year: fields['year'] ?? 0, month: fields['month'] ?? 1, day: fields['day'] ?? 1 }
}

/** Year, month and day of a date value: `YYYY-MM-DD...` as written (Gregorian), or the UTC date of epoch ms. */
export function gregorianDateOf(value: unknown): CalendarDate | null {
  if (typeof value === 'string') {
    const match = /^(\d{4})-(\d{2})-(\d{2})/.exec(value.trim())
    return match === null ? null : { year: Number(match[1]), month: Number(match[2]), day: Number(match[3]) }
  }
  if (typeof value === 'number' && Number.isFinite(value)) {
    const date = new Date(value)
    return { year: date.getUTCFullYear(), month: date.getUTCMonth() + 1, day: date.getUTCDate() }
  }
  return null
}

/**
 * Whether `now` (in `timeZone`) is the anniversary of `date` in `calendar`, and how many years
 * it is; `null` when it is not (or the date, zone or calendar is unusable). The date is a
 * Gregorian date (as profiles store birthdays); with `'persian'` its Persian month and day are
 * what recurs. A day the current year lacks is celebrated on the last day of its month: 29
 * February on 28 February in common years, 30 Esfand on 29 Esfand in common Persian years.
 *
 * @example
 * anniversaryToday('1990-03-21', Date.UTC(2024, 2, 20, 9), 'Asia/Tehran', 'persian') // { year: 1403, years: 34 } (1 Farvardin)
 */
export function anniversaryToday(
  date: unknown,
  now: number,
  timeZone: string,
  calendar: CalendarName,
): AnniversaryToday | null {
  const born = gregorianDateOf(date)
  const local = toLocalTime(now, timeZone)
  if (born === null || local === null) return null
  const since = toCalendarDate(born, calendar)
  const today = toCalendarDate(local, calendar)
  if (today.month !== since.month || today.day > since.day) return null
  if (today.day < since.day) {
    // Today stands in only when it is the last day of the month this year (the date is missing).
    const next = new Date(Date.UTC(local.year, local.month - 1, local.day + 1))
    const tomorrow = toCalendarDate(
      { year: next.getUTCFullYear(), month: next.getUTCMonth() + 1, day: next.getUTCDate() },
      calendar,
    )
    if (tomorrow.month === today.month) return null
  }
  return { year: today.year, years: Math.max(today.year - since.year, 0) }
}
