/**
 * Whether a message goes out now, waits, or is never sent: the message policy applied to one
 * customer at one instant, purely (the store supplies what it knows: send times, suppression).
 */
import { parseDuration } from '../logic/duration.js'
import { fromLocalTime, toLocalTime } from '../logic/timeZone.js'
import type { CustomerProfile } from '../profile/profileSchema.js'
import { parseLocalTime } from '../rules/compileRule.js'
import { customerTimeZone } from '../rules/customerTimeZone.js'
import { isInQuietHours, nextLocalTime } from '../rules/localCalendar.js'
import type { FrequencyCap, MessagePolicy } from './messagePolicy.js'
import type { Message } from './messageTypes.js'

/** Why a message is never sent. */
export type SuppressReason = 'no_consent' | 'opted_out' | 'gpc' | 'suppressed_recipient' | 'no_recipient'

/** What {@link decideSend} decided. */
export type SendDecision =
  | { readonly action: 'send' }
  /** Try again at `until` (epoch ms): a deferral, never a drop. */
  | { readonly action: 'defer'; readonly until: number; readonly reason: 'quiet_hours' | 'frequency_cap' }
  | { readonly action: 'suppress'; readonly reason: SuppressReason }

/** What the store knows at decision time. */
export interface SendContext {
  /** Epoch ms. */
  readonly now: number
  /**
   * Epoch ms at which the customer's marketing messages of this message's channel kind were sent,
   * at least since {@link capLookback} (older ones are ignored). Times, not counts, so the policy
   * alone says what a window is and when a full one frees.
   */
  readonly sentAt: readonly number[]
  /** The recipient is on the suppression list (hard bounce, complaint). */
  readonly isSuppressed: boolean
}

/** The parts of a profile the policy reads. */
export type PolicyProfile = Pick<CustomerProfile, 'consent' | 'traits'> & { readonly timezone?: unknown }

/**
 * Decides one send. In order: no recipient or a suppressed one → suppress (every category: a
 * bounced address is not mailed again, even a receipt); a transactional message → send (it skips
 * consent, caps and quiet hours); `marketing` or `marketing.<kind>` denied → suppress `opted_out`
 * (an opt-out wins over any grant); GPC on (with `respectGpc`) → `gpc`; opt-in without a grant →
 * `no_consent`; inside quiet hours in the customer's zone → defer to their end; a full cap →
 * defer until the window frees (moved past quiet hours if it would end inside them).
 *
 * @example
 * decideSend(message, profile, messagePolicySchema.parse({ caps: [{ per: 'day', max: 1 }] }), { now: Date.now(), sentAt: [], isSuppressed: false })
 */
export function decideSend(
  message: Pick<Message, 'kind' | 'category' | 'recipient'>,
  profile: PolicyProfile,
  policy: MessagePolicy,
  context: SendContext,
): SendDecision {
  if (message.recipient.trim() === '') return { action: 'suppress', reason: 'no_recipient' }
  if (context.isSuppressed) return { action: 'suppress', reason: 'suppressed_recipient' }
  if (message.category === 'transactional') return { action: 'send' }
  const general = profile.consent.categories['marketing']?.granted
  const specific = profile.consent.categories[`marketing.${message.kind}`]?.granted
  if (general === false || specific === false) return { action: 'suppress', reason: 'opted_out' }
  if (policy.respectGpc && profile.consent.gpc?.value === true) return { action: 'suppress', reason: 'gpc' }
  if (policy.consent === 'opt-in' && general !== true && specific !== true)
    return { action: 'suppress', reason: 'no_consent' }

  const { now } = context
  const timeZone = customerTimeZone(profile, null, policy.timeZone)
  const quiet =
    policy.quietHours === undefined
      ? null
      : { start: parseLocalTime(policy.quietHours.start), end: parseLocalTime(policy.quietHours.end) }
  if (quiet !== null && isInQuietHours(now, quiet, timeZone))
    return { action: 'defer', until: nextLocalTime(now, quiet.end, timeZone), reason: 'quiet_hours' }

  let until: number | null = null
  for (const cap of policy.caps) {
    if (cap.kind !== undefined && cap.kind !== message.kind) continue
    const frees = capFreesAt(cap, context.sentAt, now, timeZone)
    if (frees !== null && (until === null || frees > until)) until = frees
  }
  if (until === null) return { action: 'send' }
  if (quiet !== null && isInQuietHours(until, quiet, timeZone)) until = nextLocalTime(until, quiet.end, timeZone)
  return { action: 'defer', until, reason: 'frequency_cap' }
}

/**
 * The earliest send time a policy's caps look at for a customer at `now`: the store passes the
 * send times since then as `sentAt`.
 */
export function capLookback(policy: MessagePolicy, profile: PolicyProfile, now: number): number {
  const timeZone = customerTimeZone(profile, null, policy.timeZone)
  return Math.min(now, ...policy.caps.map((cap) => windowOf(cap, now, timeZone).start))
}

/** When a full cap lets the next message through, or `null` when it has room now. */
function capFreesAt(cap: FrequencyCap, sentAt: readonly number[], now: number, timeZone: string): number | null {
  const window = windowOf(cap, now, timeZone)
  const inWindow = sentAt.filter((at) => at >= window.start && at <= now).sort((a, b) => a - b)
  if (inWindow.length < cap.max) return null
  if (window.end !== null) return window.end
  // A rolling window frees when enough of its oldest sends have aged out.
  return (inWindow[inWindow.length - cap.max] as number) + (now - window.start)
}

/** The cap's window around `now`: a local calendar period [start, end), or a rolling one (end null). */
function windowOf(
  cap: FrequencyCap,
  now: number,
  timeZone: string,
): { readonly start: number; readonly end: number | null } {
  if (cap.per !== 'day' && cap.per !== 'week' && cap.per !== 'month')
    return { start: now - (parseDuration(cap.per) as number), end: null }
  const local = toLocalTime(now, timeZone) ?? toLocalTime(now, 'UTC')!
  if (cap.per === 'day')
    return { start: localMidnight(local.year, local.month, local.day, timeZone), end: nextLocalTime(now, 0, timeZone) }
  if (cap.per === 'month')
    return {
      start: localMidnight(local.year, local.month, 1, timeZone),
      end: localMidnight(local.year, local.month + 1, 1, timeZone),
    }
  const sinceMonday = (new Date(Date.UTC(local.year, local.month - 1, local.day)).getUTCDay() + 6) % 7
  return {
    start: localMidnight(local.year, local.month, local.day - sinceMonday, timeZone),
    end: localMidnight(local.year, local.month, local.day - sinceMonday + 7, timeZone),
  }
}

/** Epoch ms of 00:00 local on a date; out-of-range days and months roll over (day 0, month 13). */
function localMidnight(year: number, month: number, day: number, timeZone: string): number {
  const date = new Date(Date.UTC(year, month - 1, day))
  return (
    fromLocalTime(
      { year: date.getUTCFullYear(), month: date.getUTCMonth() + 1, day: date.getUTCDate(), hour: 0, minute: 0 },
      timeZone,
    ) ?? date.getTime()
  )
}
