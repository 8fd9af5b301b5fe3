import { anniversaryToday } from './calendar.js'
import { isRelativeTime, parseDuration, toEpochMs } from './duration.js'
import { isPlainObject, readPath, splitPath } from './semantics.js'
import { formatLocalDate } from './timeZone.js'
import type { LogicOperationDefinition, LogicScope } from './types.js'
import { DAY_MS } from '../time/units.js'

/**
 * The profile fields the CRM operators read. Any object with these (optional) fields works; the
 * rule's data may be the profile itself or `{ profile, ... }`. The ecrm profile's own
 * `events.days` buckets (UTC day number → `{ c, s }`) are read too when `eventDays` is absent.
 */
export interface RuleProfile {
  /** Count of each event per UTC day: `{ 'Order Completed': { '2026-03-01': 2 } }`. */
  readonly eventDays?: Readonly<Record<string, Readonly<Record<string, number>>>>
  /** Sum of each event's value per UTC day (e.g. order revenue in the profile's currency). */
  readonly eventTotals?: Readonly<Record<string, Readonly<Record<string, number>>>>
  /** RFM scores; `segment` is the RFM segment id (`champions`, `at_risk`, ...). */
  readonly rfm?: { readonly segment?: string }
  /** Any other segment ids the customer belongs to. */
  readonly segments?: readonly string[]
  /** Lead score: `letter` is its grade letter (`A`...`D`), `grade` letter and level (`A1`). */
  readonly lead?: { readonly letter?: string; readonly grade?: string }
  readonly [key: string]: unknown
}

/** The profile in the rule's data: the data itself when it has history, else `data.profile`. */
function profileOf(data: unknown): RuleProfile | null {
  if (!isPlainObject(data)) return null
  if ('eventDays' in data || 'eventTotals' in data || 'events' in data || 'rfm' in data) return data as RuleProfile
  const profile = data['profile']
  return isPlainObject(profile) ? (profile as RuleProfile) : (data as RuleProfile)
}

function elapsed(unit: number) {
  return (args: readonly unknown[], { context }: LogicScope): number | null => {
    const at = toEpochMs(args[0], context.now)
    if (at === null || context.now === undefined) return null
    return Math.floor((context.now - at) / unit)
  }
}

function compareTimes(after: boolean) {
  return (args: readonly unknown[], { context }: LogicScope): boolean => {
    const a = toEpochMs(args[0], context.now)
    const b = toEpochMs(args[1], context.now)
    if (a === null || b === null) return false
    return after ? a > b : a < b
  }
}

/**
 * Whole years since `date` when today (in the zone) is its anniversary in the calendar (third
 * argument, `"gregorian"` by default, or `"persian"`), else 0. See {@link anniversaryToday}.
 */
function yearsOnAnniversary(args: readonly unknown[], { context }: LogicScope): number {
  if (context.now === undefined) return 0
  const zone = typeof args[1] === 'string' && args[1] !== '' ? args[1] : (context.timeZone ?? 'UTC')
  const calendar = args[2] ?? 'gregorian'
  if (calendar !== 'gregorian' && calendar !== 'persian') return 0
  return anniversaryToday(args[0], context.now, zone, calendar)?.years ?? 0
}

function inSegment(args: readonly unknown[], { data }: LogicScope): boolean {
  const wanted = Array.isArray(args[0]) ? args[0] : [args[0]]
  const profile = profileOf(data)
  if (profile === null) return false
  if (typeof args[1] === 'string') {
    const value = readPath(profile, splitPath(args[1]), null)
    return Array.isArray(value) ? value.some((item) => wanted.includes(item)) : wanted.includes(value)
  }
  if (wanted.includes(profile.rfm?.segment)) return true
  return Array.isArray(profile.segments) && profile.segments.some((segment) => wanted.includes(segment))
}

/**
 * The day buckets of one event as `[YYYY-MM-DD, amount]`: from `eventDays`/`eventTotals`, else from
 * the ecrm profile's `events.days` (keys are UTC day numbers, buckets `{ c: count, s: sums }`).
 */
function bucketsOf(profile: RuleProfile | null, name: string, sum: boolean, property: string): [string, unknown][] {
  if (profile === null) return []
  const flat = profile[sum ? 'eventTotals' : 'eventDays']
  if (isPlainObject(flat)) {
    const days = Object.hasOwn(flat, name) ? flat[name] : undefined
    return isPlainObject(days) ? Object.entries(days) : []
  }
  const days = readPath(profile, ['events', 'days', name], null)
  if (!isPlainObject(days)) return []
  return Object.entries(days).map(([day, bucket]) => [
    utcDate(Number(day) * DAY_MS),
    sum ? readPath(bucket, ['s', property], 0) : readPath(bucket, ['c'], 0),
  ])
}

/**
 * Sums the day buckets of `event` from the window's first UTC day through today (see
 * {@link windowStart}); without a window, every bucket. `sum_events` takes the summed property
 * as a third argument for ecrm profiles (default `"total"`).
 */
function sumBuckets(sum: boolean) {
  return (args: readonly unknown[], { data, context }: LogicScope): number => {
    const name = typeof args[0] === 'string' ? args[0] : null
    if (name === null) return 0
    let since = ''
    if (args.length > 1 && args[1] !== null) {
      const from = windowStart(args[1], context.now)
      if (from === null) return 0
      since = from
    }
    const property = typeof args[2] === 'string' ? args[2] : 'total'
    let total = 0
    for (const [day, amount] of bucketsOf(profileOf(data), name, sum, property)) {
      if (day >= since && typeof amount === 'number' && Number.isFinite(amount)) total += amount
    }
    return total
  }
}

function utcDate(epochMs: number): string {
  const date = new Date(epochMs)
  return formatLocalDate({ year: date.getUTCFullYear(), month: date.getUTCMonth() + 1, day: date.getUTCDate() })
}

/**
 * The first UTC day (`YYYY-MM-DD`) of a window: a number or a relative time (`"90d"`) is that many
 * days ending today, today included (a part day counts as a day); an ISO date starts there. The
 * SQL compiler calls it too, so a window means the same day in memory and in the database.
 */
export function windowStart(window: unknown, now: number | undefined): string | null {
  if (now === undefined) return null
  let days: number | null = null
  if (typeof window === 'number') days = window
  else if (isRelativeTime(window)) days = Math.abs(parseDuration(window) as number) / DAY_MS
  if (days !== null) return Number.isFinite(days) ? utcDate(now - (Math.max(Math.ceil(days), 1) - 1) * DAY_MS) : null
  const start = toEpochMs(window, now)
  return start === null ? null : utcDate(start)
}

/**
 * Builds the CRM operators: time (`now`, `days_since`, `hours_since`, `before`, `after`),
 * calendar (`birthday_today`, `anniversary`), membership (`in_segment`) and history
 * (`count_events`, `sum_events`). All read the evaluation time from the context, never a clock.
 */
export function createCrmOperations(): Map<string, LogicOperationDefinition> {
  return new Map<string, LogicOperationDefinition>([
    ['now', { evaluate: (_args, { context }) => context.now ?? null, maxArgs: 0 }],
    ['days_since', { evaluate: elapsed(DAY_MS), minArgs: 1, maxArgs: 1 }],
    ['hours_since', { evaluate: elapsed(3_600_000), minArgs: 1, maxArgs: 1 }],
    ['before', { evaluate: compareTimes(false), minArgs: 2, maxArgs: 2 }],
    ['after', { evaluate: compareTimes(true), minArgs: 2, maxArgs: 2 }],
    ['birthday_today', { evaluate: (args, scope) => yearsOnAnniversary(args, scope) > 0, minArgs: 1, maxArgs: 3 }],
    ['anniversary', { evaluate: yearsOnAnniversary, minArgs: 1, maxArgs: 3 }],
    ['in_segment', { evaluate: inSegment, minArgs: 1, maxArgs: 2 }],
    ['count_events', { evaluate: sumBuckets(false), minArgs: 1, maxArgs: 2 }],
    ['sum_events', { evaluate: sumBuckets(true), minArgs: 1, maxArgs: 3 }],
  ])
}
