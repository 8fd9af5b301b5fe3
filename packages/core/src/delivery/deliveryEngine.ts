import type { Clock, Queue, QueueItem } from '../ports.js'
import type { RetryOptions } from '../pipeline/clientTypes.js'
import { backoffDelay } from '../pipeline/retryPolicy.js'
import { idsOf, partition } from '../pipeline/queueItems.js'

/** What became of one queued item in a send. */
export type ItemFate =
  | { readonly kind: 'delivered' }
  /** Send again later; `retryAfterMs` when the receiver said when (a pause, not counted as an attempt). */
  | { readonly kind: 'retry'; readonly reason: string; readonly retryAfterMs?: number }
  /** Never send again as it is: removed and handed to `onDeadLetter`. */
  | { readonly kind: 'dead_letter'; readonly reason: string }

/**
 * Applies fates at once, before the send goes on: a delivered item's removal is awaited, so a
 * crash after it re-sends only what was still in flight. Given to {@link SendItems}.
 */
export type SettleFates = (fates: ReadonlyMap<string, ItemFate>) => Promise<void>

/**
 * Sends leased items and tells each one's fate by item id. A sender that makes several requests
 * may `settle` the fates of each as it goes. An item in neither the map nor a `settle` call was
 * not tried: it waits, no attempt counted, until the retry time of the items that were (or is due
 * again at once when none failed). Must not reject for delivery failures: report them as fates.
 */
export type SendItems = (items: QueueItem[], settle: SettleFates) => Promise<ReadonlyMap<string, ItemFate>>

/** Counters the engine adds to; pass the caller's own object to count into it. */
export interface DeliveryCounters {
  /** Items delivered. */
  sent: number
  /** Items put back for a later attempt (backoff or Retry-After; offline waits excluded). */
  retried: number
  /** Items given up on (too old, refused, out of attempts). */
  deadLettered: number
}

/** Options of {@link createDeliveryEngine}. */
export interface DeliveryEngineOptions {
  /** Where the items wait; leased, removed, released and deferred by the engine only. */
  readonly queue: Queue
  readonly clock: Clock
  readonly send: SendItems
  /** Most items leased (and handed to `send`) at once. */
  readonly batchSize: number
  /** How long leased items stay hidden from other leases, in ms. Longer than a send can take. @default 30_000 */
  readonly leaseMs?: number
  /** Fields left out take {@link RETRY_DEFAULTS}'s (leave a field out rather than set it to `undefined`). */
  readonly retry?: RetryOptions
  /** Uniform in [0, 1), for backoff jitter. @default Math.random (jitter needs no cryptographic quality) */
  readonly random?: () => number
  /**
   * Whether the runtime is online. While it is not, no pass starts, and a failure is put back
   * with no attempt counted (being offline is nobody's fault). @default always online
   */
  readonly isOnline?: () => boolean
  /** @default a new object; read it through `stats()` */
  readonly counters?: DeliveryCounters
  /** Items removed after delivery (counted in `sent`). */
  readonly onDelivered?: (items: readonly QueueItem[]) => void
  /** Items given up on, with why; they are already removed from the queue. */
  readonly onDeadLetter?: (items: readonly QueueItem[], reason: string) => void
}

/** What one {@link DeliveryEngine.pass} did. */
export interface DeliveryPassResult {
  readonly sent: number
  readonly retried: number
  readonly deadLettered: number
  /** Epoch ms the pass stopped to wait for (a retry falls due, a pause ends); absent when it ran dry. */
  readonly wakeAt?: number
}

/** Counters and state of a {@link DeliveryEngine} since it was created. */
export interface DeliveryStats extends DeliveryCounters {
  /** Epoch ms before which the receiver asked not to be called (Retry-After); 0 when not paused. */
  readonly pausedUntil: number
  /** Items leased by the send under way (0 between sends). */
  readonly inFlight: number
}

/** Drives a {@link Queue}: see {@link createDeliveryEngine}. */
export interface DeliveryEngine {
  /**
   * Leases due items and sends them, batch after batch, until the queue runs dry, a retry or a
   * pause stops it, or the runtime is offline. One pass at a time per engine: the caller
   * serialises. Rejects only when the queue itself fails (the items stay queued).
   */
  readonly pass: () => Promise<DeliveryPassResult>
  /** Holds every pass until `until` (epoch ms), e.g. a receiver's pacing header on a success. */
  readonly pause: (until: number) => void
  readonly stats: () => DeliveryStats
}

/** The retry settings every queue shares unless told otherwise: 10 attempts, 1 s base, 300 s ceiling, 7 days. */
export const RETRY_DEFAULTS = {
  maxAttempts: 10,
  baseDelayMs: 1_000,
  maxDelayMs: 300_000,
  maxAgeMs: 604_800_000,
} as const

/**
 * Creates the one delivery loop of ecrm, for the event outbox, the CRM destinations and the
 * message sender alike. A pass leases up to `batchSize` due items; dead-letters those older than
 * `retry.maxAgeMs`; hands the rest to `send`; removes the delivered and dead-lettered; and for the
 * items to retry, either defers them (Retry-After, capped at `retry.maxDelayMs`: the receiver
 * pacing us, no attempt counted, every pass held until then), or defers them uncounted when
 * offline, or dead-letters those out of attempts and releases the others with full-jitter backoff
 * ({@link backoffDelay}). The pass stops at the first retry. At least once: a crash re-sends the
 * items in flight, so receivers dedupe by item id.
 *
 * @example
 * const engine = createDeliveryEngine({
 *   queue: createMemoryQueue(),
 *   clock: { now: Date.now },
 *   batchSize: 50,
 *   async send(items) {
 *     const fates = new Map<string, ItemFate>()
 *     for (const item of items) fates.set(item.id, (await post(item.payload)) ? { kind: 'delivered' } : { kind: 'retry', reason: 'HTTP 503' })
 *     return fates
 *   },
 *   onDeadLetter: (items, reason) => console.warn(`gave up on ${items.length}: ${reason}`),
 * })
 * const { wakeAt } = await engine.pass() // call again at wakeAt, and after each enqueue
 */
export function createDeliveryEngine(options: DeliveryEngineOptions): DeliveryEngine {
  const { queue, clock, batchSize } = options
  const retry = { ...RETRY_DEFAULTS, ...options.retry }
  const random = options.random ?? Math.random
  const isOnline = options.isOnline ?? (() => true)
  const counters = options.counters ?? { sent: 0, retried: 0, deadLettered: 0 }
  let pausedUntil = 0
  let inFlight = 0

  const deadLetter = async (items: readonly QueueItem[], reason: string): Promise<void> => {
    if (items.length === 0) return
    await queue.remove(idsOf(items))
    counters.deadLettered += items.length
    options.onDeadLetter?.(items, reason)
  }

  /** Sends `items` and applies their fates; returns when the pass must wait until, if it must. */
  const sendAndSettle = async (items: QueueItem[]): Promise<number | undefined> => {
    const untried = new Map(items.map((item) => [item.id, item]))
    const retrying: QueueItem[] = []
    let retryAfterMs: number | undefined
    let reason = ''
    const settle: SettleFates = async (fates) => {
      const delivered: QueueItem[] = []
      const refused = new Map<string, QueueItem[]>()
      for (const [id, fate] of fates) {
        const item = untried.get(id)
        if (item === undefined) continue
        untried.delete(id)
        if (fate.kind === 'delivered') delivered.push(item)
        else if (fate.kind === 'dead_letter') refused.set(fate.reason, [...(refused.get(fate.reason) ?? []), item])
        else {
          retrying.push(item)
          reason = fate.reason
          if (fate.retryAfterMs !== undefined) retryAfterMs = Math.max(retryAfterMs ?? 0, fate.retryAfterMs)
        }
      }
      if (delivered.length > 0) {
        await queue.remove(idsOf(delivered))
        counters.sent += delivered.length
        options.onDelivered?.(delivered)
      }
      for (const [why, refusedItems] of refused) await deadLetter(refusedItems, why)
    }
    await settle(await options.send(items, settle))
    const rest = idsOf([...untried.values()])
    const now = clock.now()
    if (retrying.length === 0) {
      if (rest.length === 0) return undefined
      // Left out with nothing failing: due again at once, but after this pass (no busy loop).
      await queue.defer(rest, now)
      return now
    }
    if (retryAfterMs !== undefined) {
      const at = now + Math.min(retryAfterMs, retry.maxDelayMs)
      pausedUntil = Math.max(pausedUntil, at)
      await queue.defer([...idsOf(retrying), ...rest], at)
      counters.retried += retrying.length
      return at
    }
    if (!isOnline()) {
      await queue.defer([...idsOf(retrying), ...rest], now)
      return now
    }
    const [exhausted, again] = partition(retrying, (item) => item.attempts + 1 >= retry.maxAttempts)
    await deadLetter(exhausted, `gave up after ${retry.maxAttempts} attempts (last: ${reason})`)
    const at = now + backoffDelay(Math.max(...retrying.map((item) => item.attempts)) + 1, retry, random)
    if (again.length > 0) await queue.release(idsOf(again), at)
    if (rest.length > 0) await queue.defer(rest, at)
    counters.retried += again.length
    return again.length + rest.length > 0 ? at : undefined
  }

  const pass = async (): Promise<DeliveryPassResult> => {
    const { sent, retried, deadLettered } = counters
    let wakeAt: number | undefined
    for (;;) {
      const now = clock.now()
      if (now < pausedUntil) wakeAt = pausedUntil
      if (wakeAt !== undefined || !isOnline()) break
      const leased = await queue.lease({ now, limit: batchSize, leaseMs: options.leaseMs ?? 30_000 })
      if (leased.length === 0) break
      const [expired, fresh] = partition(leased, (item) => now - item.createdAt >= retry.maxAgeMs)
      await deadLetter(expired, `older than retry.maxAgeMs (${retry.maxAgeMs} ms)`)
      inFlight += fresh.length
      try {
        wakeAt = await sendAndSettle(fresh)
      } finally {
        inFlight = 0
      }
      if (leased.length < batchSize) break
    }
    // Items not due yet (retries of an earlier run, another worker's leases) have no timer in this
    // process; the queue says when the first falls due.
    if (wakeAt === undefined && isOnline() && queue.nextDueAt !== undefined) {
      const next = await queue.nextDueAt()
      if (next !== undefined) wakeAt = Math.max(next, clock.now() + 1)
    }
    const result = {
      sent: counters.sent - sent,
      retried: counters.retried - retried,
      deadLettered: counters.deadLettered - deadLettered,
    }
    return wakeAt === undefined ? result : { ...result, wakeAt }
  }

  return {
    pass,
    pause(until) {
      pausedUntil = Math.max(pausedUntil, until)
    },
    stats: () => ({
      sent: counters.sent,
      retried: counters.retried,
      deadLettered: counters.deadLettered,
      pausedUntil: clock.now() < pausedUntil ? pausedUntil : 0,
      inFlight,
    }),
  }
}
