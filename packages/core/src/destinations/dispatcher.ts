import { EcrmError } from '../errors.js'
import type { Cancel, Clock, Queue, QueueItem, Scheduler } from '../ports.js'
import type { EcrmEvent } from '../model/envelope.js'
import { backoffDelay } from '../pipeline/retryPolicy.js'
import { utf8Length } from '../pipeline/utf8.js'
import type { RetryOptions } from '../pipeline/clientTypes.js'
import type { Destination, DestinationSender, DestinationStats } from './destinationTypes.js'
import { ERASURE_EVENT_NAME, isConsentDenied } from './eventFields.js'
import { createBatchSender } from './sendBatch.js'
import type { EventFate } from './sendBatch.js'
import { createTokenSource } from './tokenSource.js'

/** Options of {@link createDestinationDispatcher}. */
export interface DestinationDispatcherOptions {
  readonly destination: Destination
  /** This destination's own outbox: one per destination, so one CRM down delays no other. */
  readonly queue: Queue
  readonly sender: DestinationSender
  readonly clock: Clock
  /** Wakes the dispatcher after enqueue and when retries fall due; without it, call `flush`. */
  readonly scheduler?: Scheduler
  /** Uniform in [0, 1), for backoff jitter. @default () => 0.5 */
  readonly random?: () => number
  /** The same settings and defaults as the client's (10 attempts, 1 s base, 300 s ceiling, 7 days). */
  readonly retry?: RetryOptions
  /** Each request gives up after this long, in ms. @default 15_000 */
  readonly requestTimeoutMs?: number
  /** A leased batch stays hidden from other passes this long, in ms. @default 120_000 */
  readonly leaseMs?: number
  /** Events given up on, with why. */
  readonly onDeadLetter?: (events: EcrmEvent[], reason: string) => void
  /** Failures that were not thrown (first of a streak), for logs and alerts. */
  readonly onError?: (error: EcrmError) => void
}

/** Mutable tally of a flush. */
type Counts = { delivered: number; retried: number; deadLettered: number }

/** What one flush did. */
export interface DispatchResult {
  readonly delivered: number
  readonly retried: number
  readonly deadLettered: number
}

/** Feeds one destination from its own queue. */
export interface DestinationDispatcher {
  readonly name: string
  /** Queues the events this destination wants (consent and mapping checked); resolves with how many. */
  readonly enqueue: (events: readonly EcrmEvent[]) => Promise<number>
  /** Sends everything due now, batch after batch; stops at the first retry. Never rejects for delivery failures. */
  readonly flush: () => Promise<DispatchResult>
  /** Counters of this destination since the dispatcher was created. */
  readonly stats: () => DestinationStats
  /** Stops the wake-up timer. Queued events stay in the queue. */
  readonly close: () => void
}

/**
 * Creates the delivery loop of one destination: write-ahead into its queue, then lease a batch
 * (up to `destination.batchSize`), map and send it, and apply core's one retry policy per event
 * (`classifyOutcome`: 2xx done, 413 split, 408/429/5xx/network retried with backoff and
 * Retry-After, other statuses dead-lettered), with the vendor's own reading of its answers first.
 *
 * @example
 * const dispatcher = createDestinationDispatcher({ destination: hubspotDestination({ accessToken }), queue, sender, clock, scheduler })
 * await dispatcher.enqueue(events)
 */
export function createDestinationDispatcher(options: DestinationDispatcherOptions): DestinationDispatcher {
  const { destination, queue, clock } = options
  const retry = {
    maxAttempts: options.retry?.maxAttempts ?? 10,
    baseDelayMs: options.retry?.baseDelayMs ?? 1_000,
    maxDelayMs: options.retry?.maxDelayMs ?? 300_000,
    maxAgeMs: options.retry?.maxAgeMs ?? 604_800_000,
  }
  const random = options.random ?? (() => 0.5)
  const leaseMs = options.leaseMs ?? 120_000
  const tokens = destination.auth.kind === 'oauth2'
    ? createTokenSource({ auth: destination.auth, sender: options.sender, clock })
    : undefined
  const counters = { queued: 0, delivered: 0, requests: 0, retried: 0, deadLettered: 0, skipped: 0 }
  let pausedUntil = 0
  let lastError: { message: string; at: number } | undefined
  let failing = false
  let closed = false
  let wake: { at: number; cancel: Cancel } | undefined
  let running: Promise<DispatchResult> | undefined
  let again = false

  const sendEvents = createBatchSender({
    destination,
    sender: options.sender,
    clock,
    tokens,
    timeoutMs: options.requestTimeoutMs ?? 15_000,
    onRequest: () => (counters.requests += 1),
    onPause: (until) => (pausedUntil = Math.max(pausedUntil, until)),
  })

  const report = (message: string): void => {
    lastError = { message, at: clock.now() }
    if (failing) return
    failing = true
    options.onError?.(new EcrmError('destination_delivery_failed', message))
  }

  const scheduleWake = (at: number): void => {
    if (closed || options.scheduler === undefined) return
    if (wake !== undefined && wake.at <= at) return
    wake?.cancel()
    const cancel = options.scheduler.schedule(() => {
      wake = undefined
      void flush()
    }, Math.max(0, at - clock.now()))
    wake = { at, cancel }
  }

  const deadLetter = async (items: readonly QueueItem[], reason: string, result: Counts): Promise<void> => {
    if (items.length === 0) return
    await queue.remove(items.map((item) => item.id))
    counters.deadLettered += items.length
    result.deadLettered += items.length
    report(`Giving up on ${items.length} event(s) for ${destination.name}: ${reason}`)
    options.onDeadLetter?.(items.map((item) => JSON.parse(item.payload) as EcrmEvent), reason)
  }

  /** One lease-send-settle round; returns whether to go on. */
  const round = async (result: Counts): Promise<boolean> => {
    const now = clock.now()
    if (now < pausedUntil) {
      scheduleWake(pausedUntil)
      return false
    }
    const leased = await queue.lease({ now, limit: destination.batchSize, leaseMs })
    if (leased.length === 0) return false
    const expired = leased.filter((item) => now - item.createdAt >= retry.maxAgeMs)
    await deadLetter(expired, `older than retry.maxAgeMs (${retry.maxAgeMs} ms)`, result)
    const fresh = leased.filter((item) => now - item.createdAt < retry.maxAgeMs)
    const fates = await sendEvents(fresh.map((item) => JSON.parse(item.payload) as EcrmEvent))
    const byKind = { delivered: [] as QueueItem[], retry: [] as QueueItem[], dead: new Map<string, QueueItem[]>() }
    let retryAfterMs: number | undefined
    let retryReason = ''
    for (const item of fresh) {
      const fate: EventFate = fates.get(item.id) ?? { kind: 'delivered' }
      if (fate.kind === 'delivered') byKind.delivered.push(item)
      else if (fate.kind === 'dead_letter') byKind.dead.set(fate.reason, [...(byKind.dead.get(fate.reason) ?? []), item])
      else {
        byKind.retry.push(item)
        retryReason = fate.reason
        if (fate.retryAfterMs !== undefined) retryAfterMs = Math.max(retryAfterMs ?? 0, fate.retryAfterMs)
      }
    }
    if (byKind.delivered.length > 0) {
      await queue.remove(byKind.delivered.map((item) => item.id))
      counters.delivered += byKind.delivered.length
      result.delivered += byKind.delivered.length
      if (byKind.retry.length === 0) failing = false
    }
    for (const [reason, items] of byKind.dead) await deadLetter(items, reason, result)
    if (byKind.retry.length === 0) return fresh.length >= destination.batchSize
    report(`Delivering to ${destination.name} failed: ${retryReason} (it will be retried)`)
    const after = clock.now()
    if (retryAfterMs !== undefined) {
      // The vendor pacing us is not the events' fault: no attempt counted.
      const availableAt = after + Math.min(retryAfterMs, retry.maxDelayMs)
      await queue.defer(byKind.retry.map((item) => item.id), availableAt)
      scheduleWake(availableAt)
    } else {
      const exhausted = byKind.retry.filter((item) => item.attempts + 1 >= retry.maxAttempts)
      const again = byKind.retry.filter((item) => item.attempts + 1 < retry.maxAttempts)
      await deadLetter(exhausted, `gave up after ${retry.maxAttempts} attempts (last: ${retryReason})`, result)
      const attempt = Math.max(0, ...again.map((item) => item.attempts)) + 1
      const availableAt = after + backoffDelay(attempt, retry, random)
      if (again.length > 0) await queue.release(again.map((item) => item.id), availableAt)
      scheduleWake(availableAt)
    }
    counters.retried += byKind.retry.length
    result.retried += byKind.retry.length
    return false
  }

  const flush = (): Promise<DispatchResult> => {
    if (running !== undefined) {
      // Events queued while a pass runs may have missed its lease: go round once more after it.
      again = true
      return running
    }
    running = (async () => {
      const result = { delivered: 0, retried: 0, deadLettered: 0 }
      try {
        do {
          again = false
          while (await round(result));
        } while (again)
      } catch (cause) {
        // A queue failure (disk full...) must not kill the process; the events stay queued.
        report(`Dispatching to ${destination.name} failed: ${cause instanceof Error ? cause.message : String(cause)}`)
      } finally {
        counters.queued = await queue.size().catch(() => counters.queued)
        running = undefined
      }
      return result
    })()
    return running
  }

  return {
    name: destination.name,
    async enqueue(events) {
      if (closed) throw new EcrmError('destination_closed', `Queueing events failed: destination ${destination.name} (its dispatcher is closed; create a new fan-out)`)
      const now = clock.now()
      const items: QueueItem[] = []
      for (const event of events) {
        const isErasure = event.type === 'track' && event.event === ERASURE_EVENT_NAME
        const wanted = (isErasure || !isConsentDenied(event, destination.category)) && (destination.map(event, { now })?.length ?? 0) > 0
        if (!wanted) {
          counters.skipped += 1
          continue
        }
        const payload = JSON.stringify(event)
        items.push({ id: event.messageId, payload, bytes: utf8Length(payload), priority: 0, createdAt: now, attempts: 0, availableAt: now })
      }
      if (items.length > 0) {
        await queue.enqueue(items)
        counters.queued = await queue.size()
        scheduleWake(now)
      }
      return items.length
    },
    flush,
    stats: () => ({
      name: destination.name,
      ...counters,
      tokenRequests: tokens?.requests() ?? 0,
      pausedUntil: clock.now() < pausedUntil ? pausedUntil : 0,
      ...(lastError === undefined ? {} : { lastError }),
    }),
    close() {
      closed = true
      wake?.cancel()
      wake = undefined
    },
  }
}
