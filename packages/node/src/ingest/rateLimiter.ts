/** Options of the ingest rate limit: a token bucket per write key and client IP. */
export interface RateLimitOptions {
  /** Sustained requests a second, per write key + IP. */
  readonly requestsPerSecond: number
  /** Requests allowed at once after a quiet spell (the bucket size). @default 2 × requestsPerSecond */
  readonly burst?: number
  /** Callers tracked at most; the least recently seen are forgotten first. @default 10_000 */
  readonly maxCallers?: number
}

/** Whether a request may go ahead, or how long to wait. */
export type RateDecision = { readonly ok: true } | { readonly ok: false; readonly retryAfterSeconds: number }

/** Token buckets by caller. */
export interface RateLimiter {
  /** Takes one token from the caller's bucket, or says how long until one is there. */
  readonly take: (caller: string) => RateDecision
  /** Whether the caller has a token left, taking none (for a cost known only afterwards). */
  readonly check: (caller: string) => RateDecision
  /** Takes `cost` tokens after the fact, whatever is left: the bucket may go into debt, refused until it refills. */
  readonly charge: (caller: string, cost: number) => void
}

/**
 * A token bucket per caller: `burst` tokens, refilled at `requestsPerSecond`. The buckets live in
 * this process only, so with N processes behind a load balancer a caller gets up to N times the
 * rate; that is the price of a handler with no shared state besides the store.
 */
export function createRateLimiter(
  { requestsPerSecond, burst = requestsPerSecond * 2, maxCallers = 10_000 }: RateLimitOptions,
  now: () => number,
): RateLimiter {
  const buckets = new Map<string, { tokens: number; at: number }>()
  const refilled = (caller: string): { tokens: number; at: number } => {
    const time = now()
    let bucket = buckets.get(caller)
    if (bucket === undefined) {
      bucket = { tokens: burst, at: time }
      if (buckets.size >= maxCallers) {
        const oldest = buckets.keys().next()
        if (oldest.done !== true) buckets.delete(oldest.value)
      }
    } else {
      buckets.delete(caller)
      bucket.tokens = Math.min(burst, bucket.tokens + ((time - bucket.at) / 1_000) * requestsPerSecond)
      bucket.at = time
    }
    // Re-inserting keeps the Map in least-recently-seen order for the eviction above.
    buckets.set(caller, bucket)
    return bucket
  }
  const decide = (bucket: { tokens: number }, cost: number): RateDecision => {
    if (bucket.tokens >= 1) {
      bucket.tokens -= cost
      return { ok: true }
    }
    return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - bucket.tokens) / requestsPerSecond)) }
  }
  return {
    take: (caller) => decide(refilled(caller), 1),
    check: (caller) => decide(refilled(caller), 0),
    charge(caller, cost) {
      refilled(caller).tokens -= cost
    },
  }
}
