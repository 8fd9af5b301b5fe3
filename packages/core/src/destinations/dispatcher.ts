import { EcrmError } from '../errors.js'
import type { Cancel, Clock, Connectivity, Queue, QueueItem, Scheduler } from '../ports.js'
import { createDeliveryEngine } from '../delivery/deliveryEngine.js'
import type { EcrmEvent } from '../model/envelope.js'
import { utf8Length } from '../pipeline/utf8.js'
import type { RetryOptions } from '../pipeline/clientTypes.js'
import type { Destination, DestinationSender, DestinationStats } from './destinationTypes.js'
import { ERASURE_EVENT_NAME } from '../model/erasure.js'
import { isConsentDenied } from './eventFields.js'
import { createBatchSender } from './sendBatch.js'
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
  /** Uniform in [0, 1), for backoff jitter. @default Math.random */
  readonly random?: () => number
  /** The same settings and defaults as the client's (`RETRY_DEFAULTS`: 10 attempts, 1 s base, 300 s ceiling, 7 days). */
  readonly retry?: RetryOptions
  /** While offline, failures are put back with no attempt counted; going online flushes. @default always online */
  readonly connectivity?: Connectivity
  /** Each request gives up after this long, in ms. @default 15_000 */
  readonly requestTimeoutMs?: number
  /** A leased batch stays hidden from other passes this long, in ms. @default 120_000 */
  readonly leaseMs?: number
  /** Events given up on, with why. */
  readonly onDeadLetter?: (events: EcrmEvent[], reason: string) => void
  /** Failures that were not thrown (first of a streak), for logs and alerts. */
  readonly onError?: (error: EcrmError) => void
}

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
  /**
   * Stops the wake-up timer and waits for a pass in flight (bounded by `requestTimeoutMs`), so no
   * lease of this process outlives it and hides items from the next start. Queued events stay queued.
   */
  readonly close: () => Promise<void>
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
  const tokens =
    destination.auth.kind === 'oauth2'
      ? createTokenSource({ auth: destination.auth, sender: options.sender, clock })
      : undefined
  const counters = { queued: 0, requests: 0, skipped: 0 }
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
    onPause: (until) => engine.pause(until),
  })

  const report = (message: string): void => {
    lastError = { message, at: clock.now() }
    if (failing) return
    failing = true
    options.onError?.(new EcrmError('destination_delivery_failed', message))
  }

  const engine = createDeliveryEngine({
    queue,
    clock,
    batchSize: destination.batchSize,
    leaseMs: options.leaseMs ?? 120_000,
    ...(options.retry === undefined ? {} : { retry: options.retry }),
    ...(options.random === undefined ? {} : { random: options.random }),
    ...(options.connectivity === undefined ? {} : { isOnline: options.connectivity.isOnline }),
    async send(items) {
      const fates = await sendEvents(items.map((item) => JSON.parse(item.payload) as EcrmEvent))
      const retry = [...fates.values()].find((fate) => fate.kind === 'retry')
      if (retry !== undefined) report(`Delivering to ${destination.name} failed: ${retry.reason} (it will be retried)`)
      return fates
    },
    onDelivered: () => (failing = false),
    onDeadLetter(items, reason) {
      report(`Giving up on ${items.length} event(s) for ${destination.name}: ${reason}`)
      options.onDeadLetter?.(
        items.map((item) => JSON.parse(item.payload) as EcrmEvent),
        reason,
      )
    },
  })
  const stopListening = options.connectivity?.subscribe((online) => {
    if (online) void flush()
  })

  const scheduleWake = (at: number): void => {
    if (closed || options.scheduler === undefined) return
    if (wake !== undefined && wake.at <= at) return
    wake?.cancel()
    const scheduler = options.scheduler
    const arm = (): void => {
      const cancel = scheduler.schedule(
        () => {
          // A timer may fire a millisecond before the clock reads `at`; a pass then would lease
          // nothing, schedule nothing, and leave the due items for the next poll.
          if (clock.now() < at) {
            arm()
            return
          }
          wake = undefined
          void flush()
        },
        Math.max(0, at - clock.now()),
      )
      wake = { at, cancel }
    }
    arm()
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
          const pass = await engine.pass()
          result.delivered += pass.sent
          result.retried += pass.retried
          result.deadLettered += pass.deadLettered
          if (pass.wakeAt !== undefined) scheduleWake(pass.wakeAt)
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
      if (closed)
        throw new EcrmError(
          'destination_closed',
          `Queueing events failed: destination ${destination.name} (its dispatcher is closed; create a new fan-out)`,
        )
      const now = clock.now()
      const items: QueueItem[] = []
      for (const event of events) {
        const isErasure = event.type === 'track' && event.event === ERASURE_EVENT_NAME
        const wanted =
          (isErasure || !isConsentDenied(event, destination.category)) &&
          (destination.map(event, { now })?.length ?? 0) > 0
        if (!wanted) {
          counters.skipped += 1
          continue
        }
        const payload = JSON.stringify(event)
        items.push({
          id: event.messageId,
          payload,
          bytes: utf8Length(payload),
          priority: 0,
          createdAt: now,
          attempts: 0,
          availableAt: now,
        })
      }
      if (items.length > 0) {
        await queue.enqueue(items)
        counters.queued = await queue.size()
        scheduleWake(now)
      }
      return items.length
    },
    flush,
    stats() {
      const { sent, retried, deadLettered, pausedUntil } = engine.stats()
      return {
        name: destination.name,
        ...counters,
        delivered: sent,
        retried,
        deadLettered,
        tokenRequests: tokens?.requests() ?? 0,
        pausedUntil,
        ...(lastError === undefined ? {} : { lastError }),
      }
    },
    async close() {
      closed = true
      stopListening?.()
      wake?.cancel()
      wake = undefined
      await running
    },
  }
}
