import { DAY_MS, HOUR_MS } from '../time/units.js'
/**
 * Durations and points in time as rules write them: `"30d"`, `"2h"`, `"1w"`, `"15m"`, `"45s"`,
 * epoch ms numbers, and ISO-8601 strings.
 */

const unitMs: Readonly<Record<string, number>> = {
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: HOUR_MS,
  d: DAY_MS,
  w: 604_800_000,
}

const durationPattern = /^([+-]?)(\d+(?:\.\d+)?)(ms|s|m|h|d|w)$/

/**
 * Parses a duration (`"30d"`, `"2h"`, `"1w"`, `"90m"`, `"500ms"`, or a number of ms) into ms; a
 * leading `-` or `+` is kept as the sign. Returns `null` when the text is not a duration.
 *
 * @example
 * parseDuration('1h') // 3_600_000
 */
export function parseDuration(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null
  if (typeof value !== 'string') return null
  const match = durationPattern.exec(value.trim())
  if (match === null) return null
  const [, sign, amount, unit] = match
  const ms = Number(amount) * (unitMs[unit as string] as number)
  return sign === '-' ? -ms : ms
}

/** Tells whether a string is a relative time (`"30d"`, `"-2h"`, `"+1w"`). */
export function isRelativeTime(value: unknown): value is string {
  return typeof value === 'string' && durationPattern.test(value.trim())
}

/**
 * Turns a rule's time value into epoch ms: a number is epoch ms; an ISO-8601 date or date-time is
 * parsed (a bare date is midnight UTC); a relative time is resolved against `now` — `"30d"` and
 * `"-30d"` mean 30 days before `now`, `"+30d"` 30 days after. Returns `null` for anything else, or
 * for a relative time without `now`.
 */
export function toEpochMs(value: unknown, now: number | undefined): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null
  if (typeof value !== 'string') return null
  const text = value.trim()
  if (isRelativeTime(text)) {
    if (now === undefined) return null
    const ms = parseDuration(text) as number
    return text.startsWith('+') ? now + ms : now - Math.abs(ms)
  }
  // Date.parse accepts many odd formats; only ISO-8601 is a documented input.
  if (!/^\d{4}-\d{2}-\d{2}/.test(text)) return null
  const parsed = Date.parse(text)
  return Number.isNaN(parsed) ? null : parsed
}
