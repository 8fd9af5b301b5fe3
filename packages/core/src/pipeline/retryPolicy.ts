import type { TransportOutcome } from '../ports.js'

/** What to do with a batch after a send: the one policy every adapter shares. */
export type Verdict =
  | { readonly kind: 'delivered' }
  /** Try again later; `retryAfterMs` when the server said when (not counted as an attempt). */
  | { readonly kind: 'retry'; readonly retryAfterMs?: number }
  /** The batch is too large for the server: send each half separately. */
  | { readonly kind: 'split' }
  /** Never retry as it is; hand the events to the dead-letter callback. */
  | { readonly kind: 'dead_letter'; readonly reason: string }

/** Backoff settings of {@link backoffDelay}. */
export interface BackoffOptions {
  /** Ceiling of the first retry's delay, in ms. */
  readonly baseDelayMs: number
  /** Largest delay ever, in ms. */
  readonly maxDelayMs: number
}

/**
 * Decides what happens to a batch from what the transport saw. 2xx delivered; 413 split;
 * 408, 429, 5xx, network errors and timeouts retried (honouring `Retry-After`); every other
 * status (400, 401, 403, 404, 422, ...) dead-lettered, since sending the same bytes again
 * cannot succeed. A status below 200 (e.g. 0 from an opaque response) is retried: nothing
 * proves it arrived, and backends dedupe by `messageId`.
 *
 * @example
 * classifyOutcome({ type: 'response', status: 429, retryAfter: '30' }, now) // { kind: 'retry', retryAfterMs: 30_000 }
 */
export function classifyOutcome(outcome: TransportOutcome, now: number): Verdict {
  if (outcome.type !== 'response') return { kind: 'retry' }
  const { status } = outcome
  if (status >= 200 && status < 300) return { kind: 'delivered' }
  if (status === 413) return { kind: 'split' }
  if (status < 200 || status === 408 || status === 429 || status >= 500) {
    const retryAfterMs = parseRetryAfter(outcome.retryAfter, now)
    return retryAfterMs === undefined ? { kind: 'retry' } : { kind: 'retry', retryAfterMs }
  }
  return { kind: 'dead_letter', reason: `backend rejected the batch with status ${status}` }
}

/**
 * Reads a `Retry-After` header (RFC 9110 §10.2.3): delay-seconds or an HTTP-date. Returns the
 * wait in ms from `now` (0 for a date in the past), or `undefined` when absent or unreadable.
 *
 * @example
 * parseRetryAfter('30', now) // 30_000
 * parseRetryAfter('Wed, 21 Oct 2015 07:28:00 GMT', Date.parse('Wed, 21 Oct 2015 07:27:00 GMT')) // 60_000
 */
export function parseRetryAfter(value: string | null | undefined, now: number): number | undefined {
  const text = value?.trim()
  if (!text) return undefined
  if (/^\d+$/.test(text)) return Number(text) * 1000
  // Only the date forms; `Date.parse` would otherwise accept things like "1.5" as a year.
  if (!/[a-z]/i.test(text)) return undefined
  // HTTP dates are always GMT; the asctime form does not say so, and would parse as local time.
  const at = Date.parse(/\b(GMT|UTC)\b/i.test(text) ? text : `${text} GMT`)
  return Number.isNaN(at) ? undefined : Math.max(0, at - now)
}

/**
 * The wait before retry number `attempt` (1 = first retry): exponential backoff with full
 * jitter, a uniform draw in [0, min(maxDelayMs, baseDelayMs · 2^(attempt−1))). Full jitter
 * spreads clients that failed together (Brooker, "Exponential Backoff And Jitter", AWS
 * Architecture Blog, 2015).
 *
 * @example
 * backoffDelay(3, { baseDelayMs: 1_000, maxDelayMs: 300_000 }, () => 0.5) // 2_000
 */
export function backoffDelay(attempt: number, options: BackoffOptions, random: () => number): number {
  const exponent = Math.max(0, Math.min(attempt - 1, 52))
  const ceiling = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** exponent)
  const draw = Math.min(Math.max(random(), 0), 1)
  return Math.floor(draw * ceiling)
}
