/**
 * Wall-clock time in a customer's IANA time zone, through `Intl.DateTimeFormat` (ECMA-402, part
 * of ES2022), so no time zone database ships with ecrm.
 */

/** A local calendar date and time. `month` is 1–12. */
export interface LocalTime {
  readonly year: number
  readonly month: number
  readonly day: number
  readonly hour: number
  readonly minute: number
  readonly second: number
}

// Formatters are costly to build and immutable: keep one per zone.
const formatters = new Map<string, Intl.DateTimeFormat | null>()

function formatterFor(timeZone: string): Intl.DateTimeFormat | null {
  let formatter = formatters.get(timeZone)
  if (formatter === undefined) {
    try {
      formatter = new Intl.DateTimeFormat('en-US', {
        timeZone,
        hourCycle: 'h23',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
      })
    } catch {
      formatter = null // an unknown zone name: callers fall back or give null
    }
    formatters.set(timeZone, formatter)
  }
  return formatter
}

/** Tells whether `timeZone` is an IANA zone name this runtime knows. */
export function isValidTimeZone(timeZone: string): boolean {
  return formatterFor(timeZone) !== null
}

/**
 * The wall-clock time at `epochMs` in `timeZone`; `null` when the zone is unknown.
 *
 * @example
 * toLocalTime(Date.UTC(2026, 0, 1, 23, 30), 'Europe/Paris') // { year: 2026, month: 1, day: 2, hour: 0, minute: 30, ... }
 */
export function toLocalTime(epochMs: number, timeZone = 'UTC'): LocalTime | null {
  const formatter = formatterFor(timeZone)
  if (formatter === null || !Number.isFinite(epochMs)) return null
  const fields: Record<string, number> = {}
  for (const part of formatter.formatToParts(epochMs)) {
    if (part.type !== 'literal') fields[part.type] = Number(part.value)
  }
  return {
    year: fields['year'] ?? 0,
    month: fields['month'] ?? 1,
    day: fields['day'] ?? 1,
    hour: (fields['hour'] ?? 0) % 24,
    minute: fields['minute'] ?? 0,
    second: fields['second'] ?? 0,
  }
}

/**
 * The epoch ms at which the wall clock in `timeZone` shows the given local time; `null` for an
 * unknown zone. Not guaranteed around DST changes: in a gap (a local time that does not exist) or
 * an overlap (one that exists twice) it returns an instant within an hour of the intended one.
 */
export function fromLocalTime(local: Omit<LocalTime, 'second'> & { second?: number }, timeZone = 'UTC'): number | null {
  const wanted = Date.UTC(local.year, local.month - 1, local.day, local.hour, local.minute, local.second ?? 0)
  // The offset at a guess, refined twice: enough for every real-world zone transition.
  let guess = wanted
  for (let step = 0; step < 3; step += 1) {
    const shown = toLocalTime(guess, timeZone)
    if (shown === null) return null
    const shownMs = Date.UTC(shown.year, shown.month - 1, shown.day, shown.hour, shown.minute, shown.second)
    const drift = shownMs - wanted
    if (drift === 0) return guess
    guess -= drift
  }
  return guess
}

/** `YYYY-MM-DD` of a local time. */
export function formatLocalDate(local: Pick<LocalTime, 'year' | 'month' | 'day'>): string {
  const pad = (value: number): string => String(value).padStart(2, '0')
  return `${String(local.year).padStart(4, '0')}-${pad(local.month)}-${pad(local.day)}`
}
