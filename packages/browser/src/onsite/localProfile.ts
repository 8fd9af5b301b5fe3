import { emptyProfile, reduceProfile } from '@ecrm/core'
import type { CustomerProfile, EcrmEvent, KeyValueStore } from '@ecrm/core'

/** Options of {@link createLocalProfile}. */
export interface LocalProfileOptions {
  readonly storage: KeyValueStore
  /** The storage key. @default 'ecrm.profile' */
  readonly key?: string
  /**
   * Largest stored profile, in UTF-16 characters of its JSON (localStorage counts characters; most
   * browsers allow about 5 million per origin). Past it the recent-history lists are shortened.
   * @default 100_000
   */
  readonly maxChars?: number
}

/** The visitor's own profile, folded from each accepted event and kept in the KeyValueStore. */
export interface LocalProfile {
  /** The current profile; a new object only when it changed (safe as a React snapshot). */
  readonly get: () => CustomerProfile
  /** Folds one event in and persists; returns true when the profile changed. */
  readonly fold: (event: EcrmEvent, now: number) => boolean
  /** Picks up a version another tab stored; returns true when it differs from ours. */
  readonly refresh: () => boolean
  /** Deletes the stored profile and starts an empty one with `id`. */
  readonly clear: (id: string) => void
}

/**
 * Shortens the recent-history lists of a profile until its JSON fits `maxChars`: messageIds seen,
 * the activity list (lead scoring reads the newest entries), recent sessions and survey answers,
 * then the oldest daily buckets. Totals (`money`, `events.totals`, `sessions.count`) stay exact.
 * Returns the JSON text.
 */
export function compactProfile(profile: CustomerProfile, maxChars: number): { profile: CustomerProfile; text: string } {
  let current = profile
  let text = JSON.stringify(current)
  for (let keep = 256; text.length > maxChars && keep >= 1; keep = Math.floor(keep / 2)) {
    // Only lists the aggregates do not depend on are cut, so counts and money stay exact.
    current = {
      ...current,
      seenMessageIds: current.seenMessageIds.slice(-keep),
      activity: current.activity.slice(-keep),
      sessions: { ...current.sessions, recent: current.sessions.recent.slice(-keep) },
      surveys: { ...current.surveys, recent: current.surveys.recent.slice(-Math.min(keep, 50)) },
      events: { ...current.events, days: keepNewestDays(current.events.days, keep) },
    }
    text = JSON.stringify(current)
  }
  return { profile: current, text }
}

/** Keeps the newest `keep` daily buckets per event name. */
function keepNewestDays(days: CustomerProfile['events']['days'], keep: number): CustomerProfile['events']['days'] {
  const result: Record<string, CustomerProfile['events']['days'][string]> = {}
  for (const [name, buckets] of Object.entries(days)) {
    const newest = Object.keys(buckets)
      .sort((a, b) => Number(b) - Number(a))
      .slice(0, keep)
    result[name] = Object.fromEntries(newest.map((day) => [day, buckets[day] as NonNullable<(typeof buckets)[string]>]))
  }
  return result
}

const parse = (text: string | undefined): CustomerProfile | undefined => {
  if (text === undefined) return undefined
  try {
    const value = JSON.parse(text) as CustomerProfile
    // A profile of another version or a damaged entry is ignored rather than trusted.
    return typeof value === 'object' && value !== null && value.version === 1 && Array.isArray(value.seenMessageIds)
      ? value
      : undefined
  } catch {
    return undefined
  }
}

/**
 * Creates the local profile: read from `storage` on creation, folded with core's `reduceProfile`
 * on each event, compacted to `maxChars`, and written back. Before each fold it re-reads the
 * stored text, so two tabs of one visitor add to the same profile instead of overwriting each
 * other (not guaranteed for two events in the same instant). Never throws.
 */
export function createLocalProfile(id: string, options: LocalProfileOptions): LocalProfile {
  const key = options.key ?? 'ecrm.profile'
  const maxChars = options.maxChars ?? 100_000
  let lastText = options.storage.get(key)
  let profile = parse(lastText) ?? emptyProfile(id)

  const refresh = (): boolean => {
    const text = options.storage.get(key)
    if (text === lastText) return false
    lastText = text
    const stored = parse(text)
    if (stored === undefined) return false
    profile = stored
    return true
  }

  return {
    get: () => profile,
    refresh,
    fold(event, now) {
      const changedElsewhere = refresh()
      const next = reduceProfile(profile, event, { now })
      if (next === profile) return changedElsewhere
      const compact = compactProfile(next, maxChars)
      profile = compact.profile
      lastText = compact.text
      options.storage.set(key, compact.text)
      return true
    },
    clear(nextId) {
      options.storage.remove(key)
      lastText = undefined
      profile = emptyProfile(nextId)
    },
  }
}
