import { EcrmError } from '../errors.js'
import { dayOf } from './profileEvents.js'
import type { CustomerProfile, DayBucket } from './profileSchema.js'

/**
 * A time window ending at `now`. Without `sinceMs` the whole history counts. Windows are whole
 * UTC days: "the last 90 days" covers the day of `now - sinceMs` through the day of `now`, so it
 * can reach up to a day further back than `sinceMs`. Days older than
 * `profileLimits.retentionDays` before the event's newest day are no longer kept.
 */
export interface EventWindow {
  /** Length of the window in ms, e.g. `90 * 86_400_000`. */
  readonly sinceMs?: number
  /** End of the window, epoch ms. Required with `sinceMs`. */
  readonly now?: number
}

/**
 * Counts events of one name (`'Order Completed'`; `'$page'`, `'$screen'`, `'$identify'`,
 * `'$group'`, `'$alias'` for the other calls) in a window.
 *
 * @example
 * countEvents(profile, 'Order Completed', { sinceMs: 90 * 86_400_000, now }) >= 3
 */
export function countEvents(profile: CustomerProfile, name: string, window: EventWindow = {}): number {
  if (window.sinceMs === undefined) return profile.events.totals[name] ?? 0
  let count = 0
  for (const bucket of bucketsIn(profile, name, window)) count += bucket.c
  return count
}

/**
 * Sums a numeric top-level property of one event name in a window, e.g. the `total` of
 * Order Completed in the last 30 days. Without `sinceMs`, sums every kept day.
 */
export function sumProperty(
  profile: CustomerProfile,
  name: string,
  property: string,
  window: EventWindow = {},
): number {
  let sum = 0
  for (const bucket of bucketsIn(profile, name, window)) sum += bucket.s[property] ?? 0
  return sum
}

function bucketsIn(profile: CustomerProfile, name: string, window: EventWindow): DayBucket[] {
  const days = profile.events.days[name] ?? {}
  if (window.sinceMs === undefined) return Object.values(days)
  if (window.now === undefined) {
    throw new EcrmError(
      'invalid_options',
      `invalid event window: countEvents/sumProperty for "${name}" (sinceMs needs now; pass { sinceMs, now: clock.now() })`,
    )
  }
  const first = dayOf(window.now - window.sinceMs)
  const last = dayOf(window.now)
  return Object.entries(days)
    .filter(([day]) => Number(day) >= first && Number(day) <= last)
    .map(([, bucket]) => bucket)
}
