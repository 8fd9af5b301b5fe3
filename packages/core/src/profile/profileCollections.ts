import type { JsonValue } from '../model/envelope.js'

/**
 * Small immutable helpers over the profile's bounded lists and count maps. Each returns a new
 * value and never mutates its input, so a stored profile can be reduced without a deep copy.
 */

/** Appends `value` unless present; past `cap` the oldest entries are dropped. */
export function addUnique(list: readonly string[], value: string, cap: number): string[] {
  if (list.includes(value)) return list as string[]
  const next = [...list, value]
  return next.length > cap ? next.slice(next.length - cap) : next
}

/** Union of two lists, `a`'s entries first; past `cap` the oldest are dropped. */
export function unionUnique(a: readonly string[], b: readonly string[], cap: number): string[] {
  let next = [...a]
  for (const value of b) next = addUnique(next, value, cap)
  return next
}

/** Adds `by` to `key`; a new key past `cap` evicts the smallest count (ties: the greatest key). */
export function addCount(
  counts: Readonly<Record<string, number>>,
  key: string,
  by: number,
  cap: number,
): Record<string, number> {
  const next = { ...counts, [key]: (counts[key] ?? 0) + by }
  if (counts[key] === undefined) evictSmallest(next, cap, key)
  return next
}

/** Sums two count maps key by key, keeping at most `cap` keys (the largest counts). */
export function mergeCounts(
  a: Readonly<Record<string, number>>,
  b: Readonly<Record<string, number>>,
  cap: number,
): Record<string, number> {
  const next: Record<string, number> = { ...a }
  for (const [key, value] of Object.entries(b)) next[key] = (next[key] ?? 0) + value
  while (Object.keys(next).length > cap) evictSmallest(next, cap)
  return next
}

function evictSmallest(counts: Record<string, number>, cap: number, keep?: string): void {
  const keys = Object.keys(counts)
  if (keys.length <= cap) return
  let victim: string | undefined
  for (const key of keys) {
    if (key === keep) continue
    if (victim === undefined) victim = key
    else {
      const byCount = (counts[key] ?? 0) - (counts[victim] ?? 0)
      if (byCount < 0 || (byCount === 0 && key > victim)) victim = key
    }
  }
  if (victim !== undefined) delete counts[victim]
}

/** Orders two timed values: later time first, then a stable comparison of the values. */
export function isNewer(at: number, value: JsonValue, otherAt: number, other: JsonValue): boolean {
  if (at !== otherAt) return at > otherAt
  // Same instant, different values: the JSON text decides, so the winner never depends on
  // which event was folded first.
  return JSON.stringify(value) > JSON.stringify(other)
}

/** The string, trimmed and cut at `max` characters; null when empty or not a string. */
export function cleanString(value: unknown, max: number): string | null {
  if (typeof value !== 'string') return null
  const trimmed = value.trim()
  return trimmed === '' ? null : trimmed.slice(0, max)
}

/** The number when `value` is a finite number or a numeric string; otherwise null. */
export function toFiniteNumber(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null
  if (typeof value === 'string' && value.trim() !== '') {
    const parsed = Number(value)
    return Number.isFinite(parsed) ? parsed : null
  }
  return null
}

/** True for a plain JSON object (not an array, not null). */
export function isJsonObject(value: unknown): value is { [key: string]: JsonValue } {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
