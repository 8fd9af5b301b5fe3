import type { JsonObject } from '../model/envelope.js'
import { profileLimits } from './emptyProfile.js'
import type { ActivityEntry, CustomerProfile, DayBucket } from './profileSchema.js'
import { cleanString, mergeCounts } from './profileCollections.js'
import { DAY_MS } from '../time/units.js'

type Events = CustomerProfile['events']
type Days = Record<string, DayBucket>

/** The UTC day number of an epoch-ms time (`floor(ms / 86400000)`). */
export function dayOf(at: number): number {
  return Math.floor(at / DAY_MS)
}

/**
 * Counts one event under its name: the all-time total and the bucket of its UTC day, with the
 * sums of its numeric top-level properties. Buckets older than the name's newest day minus
 * `retentionDays` are dropped; the threshold only rises, so a late event lands where it would
 * have had it come in order.
 */
export function recordEvent(events: Events, name: string, at: number, properties: JsonObject): Events {
  if (events.totals[name] === undefined && Object.keys(events.totals).length >= profileLimits.eventNames) {
    return events
  }
  const day = String(dayOf(at))
  const old = events.days[name] ?? {}
  const bucket = old[day] ?? { c: 0, s: {} }
  const sums: Record<string, number> = { ...bucket.s }
  for (const [key, value] of Object.entries(properties)) {
    if (typeof value !== 'number' || !Number.isFinite(value)) continue
    if (sums[key] === undefined && Object.keys(sums).length >= profileLimits.summedProperties) continue
    sums[key] = (sums[key] ?? 0) + value
  }
  const days = pruneDays({ ...old, [day]: { c: bucket.c + 1, s: sums } })
  return {
    totals: { ...events.totals, [name]: (events.totals[name] ?? 0) + 1 },
    days: { ...events.days, [name]: days },
  }
}

/** Sums two profiles' event counts and buckets (identity merge). */
export function mergeEvents(a: Events, b: Events): Events {
  const days: Record<string, Days> = { ...a.days }
  for (const [name, bDays] of Object.entries(b.days)) {
    const merged: Days = { ...(days[name] ?? {}) }
    for (const [day, bucket] of Object.entries(bDays)) {
      const mine = merged[day]
      merged[day] = mine
        ? { c: mine.c + bucket.c, s: mergeCounts(mine.s, bucket.s, profileLimits.summedProperties) }
        : bucket
    }
    days[name] = pruneDays(merged)
  }
  return { totals: mergeCounts(a.totals, b.totals, Number.MAX_SAFE_INTEGER), days }
}

function pruneDays(days: Days): Days {
  const numbers = Object.keys(days).map(Number)
  const oldest = Math.max(...numbers) - profileLimits.retentionDays
  if (Math.min(...numbers) >= oldest) return days
  const kept: Days = {}
  for (const [day, bucket] of Object.entries(days)) if (Number(day) >= oldest) kept[day] = bucket
  return kept
}

/**
 * Adds an event to the recent activity list (newest first), keeping its primitive top-level
 * properties. The list is sorted by time then id, so it does not depend on arrival order.
 */
export function addActivity(
  activity: readonly ActivityEntry[],
  id: string,
  name: string,
  at: number,
  properties: JsonObject,
): ActivityEntry[] {
  const props: ActivityEntry['props'] = {}
  let kept = 0
  for (const [key, value] of Object.entries(properties)) {
    if (kept >= profileLimits.activityProperties) break
    if (typeof value === 'string') props[key] = cleanString(value, profileLimits.stringLength) ?? ''
    else if (typeof value === 'number' || typeof value === 'boolean') props[key] = value
    else continue
    kept += 1
  }
  const entry: ActivityEntry = { id, name, at, props }
  // The list is already sorted: insert in place rather than re-sort (this runs on every event).
  let index = 0
  while (index < activity.length && isBefore(activity[index], entry)) index += 1
  if (index >= profileLimits.activity) return activity as ActivityEntry[]
  const next = [...activity.slice(0, index), entry, ...activity.slice(index)]
  return next.length > profileLimits.activity ? next.slice(0, profileLimits.activity) : next
}

function isBefore(a: ActivityEntry | undefined, b: ActivityEntry): boolean {
  return a !== undefined && (a.at > b.at || (a.at === b.at && a.id < b.id))
}

/** Unites two activity lists, newest first, capped. */
export function mergeActivity(a: readonly ActivityEntry[], b: readonly ActivityEntry[]): ActivityEntry[] {
  const seen = new Set<string>()
  const all = [...a, ...b].filter((entry) => (seen.has(entry.id) ? false : (seen.add(entry.id), true)))
  all.sort((x, y) => (x.at !== y.at ? y.at - x.at : x.id < y.id ? -1 : x.id > y.id ? 1 : 0))
  return all.slice(0, profileLimits.activity)
}
