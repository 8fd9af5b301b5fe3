import { join } from 'node:path'
import { EcrmError } from '@ecrm/core'
import type { Clock, EcrmEvent, Queue, RetryOptions, Scheduler } from '@ecrm/core'
import { createMemoryQueue } from '../coreImports.js'
import { systemClock, unrefScheduler } from '../nodePorts.js'
import { createFileQueue } from '../queue/fileQueue.js'
import type { FileQueue } from '../queue/fileQueue.js'
import { createDestinationDispatcher } from '@ecrm/core'
import type {
  Destination,
  DestinationDispatcher,
  DestinationSender,
  DestinationStats,
  DispatchResult,
} from '@ecrm/core'
import { createDestinationHttpSender } from './httpSender.js'
import { createSqlDestinationQueue } from './sqlDestinationQueue.js'
import type { SqlDestinationQueue } from './sqlDestinationQueue.js'
import type { SqlExecutor } from '../store/storeTypes.js'

/** Options of {@link createDestinationFanout}. */
export interface DestinationFanoutOptions {
  readonly destinations: readonly Destination[]
  /**
   * A directory for durable queues: each destination gets `<queueDir>/<name>`, so events wait
   * on disk through outages and restarts. @default in memory (lost if the process dies)
   */
  readonly queueDir?: string
  /**
   * The store to keep the queues in (`ecrm_destination_items`), instead of `queueDir`: shared by
   * every process over one database, an item id queued once per destination ever (so a repeated
   * enqueue never sends twice), dead letters kept with the vendor's reason.
   */
  readonly store?: Pick<SqlExecutor, 'query'>
  /** With `store`: how often to look for items other processes queued or left leased, in ms (0: never). @default 30_000 */
  readonly pollMs?: number
  /** Sends the vendor requests. @default createDestinationHttpSender() */
  readonly sender?: DestinationSender
  /** @default Date.now */
  readonly clock?: Clock
  /** @default unref'd setTimeout */
  readonly scheduler?: Scheduler
  /** Jitter source. @default Math.random */
  readonly random?: () => number
  /** Retry settings shared by every destination (core defaults). */
  readonly retry?: RetryOptions
  /** Per-request timeout, in ms. @default 15_000 */
  readonly requestTimeoutMs?: number
  /** `fdatasync` the file queues. @default true */
  readonly fsync?: boolean
  /** Events a destination gave up on, with why. */
  readonly onDeadLetter?: (destination: string, events: EcrmEvent[], reason: string) => void
  /** Failures that were not thrown (first of a streak per destination). */
  readonly onError?: (error: EcrmError, destination: string) => void
}

/** Delivers accepted events to every destination, each through its own queue. */
export interface DestinationFanout {
  /**
   * Queues the events for every destination that wants them (consent category, mapping) and
   * wakes their senders; resolves once they are queued (on disk with `queueDir`), with the count
   * per destination. Delivery itself happens in the background.
   */
  readonly deliver: (events: readonly EcrmEvent[]) => Promise<Record<string, number>>
  /** Sends what is due now at every destination, side by side. */
  readonly flush: () => Promise<Record<string, DispatchResult>>
  /** Each destination's counters, by destination name. */
  readonly stats: () => Record<string, DestinationStats>
  /** Stops timers and closes the queues; queued events wait for the next start. Idempotent. */
  readonly close: () => Promise<void>
}

/**
 * Fans events out to CRM destinations (HubSpot, Salesforce, Zoho, Dynamics, webhooks): one
 * durable queue and one dispatcher per destination, so a CRM that is down or rate-limiting holds
 * only its own queue. Call `deliver` where events are accepted: after the ingest handler stored
 * them, or from the node client's `'accepted'` hook.
 *
 * @example
 * const fanout = createDestinationFanout({ destinations: [hubspotDestination({ accessToken })], queueDir: '.ecrm-destinations' })
 * await fanout.deliver(events)
 * await fanout.close()
 */
export function createDestinationFanout(options: DestinationFanoutOptions): DestinationFanout {
  const names = new Set<string>()
  for (const destination of options.destinations) {
    if (!/^[a-z0-9_-]{1,64}$/.test(destination.name)) {
      throw new EcrmError(
        'invalid_options',
        `createDestinationFanout() failed: destinations name ${JSON.stringify(destination.name)} (use 1-64 of a-z, 0-9, _ and -; it names the queue directory)`,
      )
    }
    if (names.has(destination.name)) {
      throw new EcrmError(
        'invalid_options',
        `createDestinationFanout() failed: destinations name ${destination.name} is used twice (give each destination its own name option)`,
      )
    }
    names.add(destination.name)
  }
  const sender = options.sender ?? createDestinationHttpSender()
  const clock = options.clock ?? systemClock
  const scheduler = options.scheduler ?? unrefScheduler
  const fileQueues: FileQueue[] = []
  const dispatchers: DestinationDispatcher[] = options.destinations.map((destination) => {
    let queue: Queue
    let sqlQueue: SqlDestinationQueue | undefined
    if (options.store !== undefined)
      queue = sqlQueue = createSqlDestinationQueue(options.store, destination.name, clock)
    else if (options.queueDir === undefined) queue = createMemoryQueue()
    else {
      const fileQueue = createFileQueue({ dir: join(options.queueDir, destination.name), fsync: options.fsync ?? true })
      fileQueues.push(fileQueue)
      queue = fileQueue
    }
    return createDestinationDispatcher({
      destination,
      queue,
      sender,
      clock,
      scheduler,
      random: options.random ?? Math.random,
      ...(options.retry === undefined ? {} : { retry: options.retry }),
      requestTimeoutMs: options.requestTimeoutMs ?? 15_000,
      onDeadLetter: (events, reason) => {
        sqlQueue
          ?.markDead(
            events.map((event) => event.messageId),
            reason,
          )
          .catch((error: unknown) =>
            options.onError?.(
              new EcrmError(
                'destination_queue_failed',
                `Recording dead letters failed: destination ${destination.name} (${String(error)})`,
                { cause: error },
              ),
              destination.name,
            ),
          )
        options.onDeadLetter?.(destination.name, events, reason)
      },
      onError: (error) => options.onError?.(error, destination.name),
    })
  })
  let closed: Promise<void> | undefined

  // Events left in a durable queue by the last run go out without waiting for new ones.
  if (options.queueDir !== undefined || options.store !== undefined)
    for (const dispatcher of dispatchers) scheduler.schedule(() => void dispatcher.flush(), 0)
  const pollMs = options.store === undefined ? 0 : (options.pollMs ?? 30_000)
  let cancelPoll: (() => void) | undefined
  const poll = (): void => {
    cancelPoll = scheduler.schedule(() => {
      for (const dispatcher of dispatchers) void dispatcher.flush()
      poll()
    }, pollMs)
  }
  if (pollMs > 0) poll()

  const byName = async <T>(run: (dispatcher: DestinationDispatcher) => Promise<T>): Promise<Record<string, T>> => {
    // allSettled: one destination's failure must not hide or block the others'.
    const results = await Promise.allSettled(dispatchers.map(run))
    const record: Record<string, T> = {}
    results.forEach((result, index) => {
      const name = (dispatchers[index] as DestinationDispatcher).name
      if (result.status === 'fulfilled') record[name] = result.value
      else
        options.onError?.(
          new EcrmError(
            'destination_queue_failed',
            `Queueing events failed: destination ${name} (${String(result.reason)})`,
            { cause: result.reason },
          ),
          name,
        )
    })
    return record
  }

  return {
    deliver: (events) => byName((dispatcher) => dispatcher.enqueue(events)),
    flush: () => byName((dispatcher) => dispatcher.flush()),
    stats: () => Object.fromEntries(dispatchers.map((dispatcher) => [dispatcher.name, dispatcher.stats()])),
    close: () =>
      (closed ??= (async () => {
        cancelPoll?.()
        for (const dispatcher of dispatchers) dispatcher.close()
        await Promise.allSettled(fileQueues.map((queue) => queue.close()))
      })()),
  }
}
