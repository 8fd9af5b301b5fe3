import { EcrmError } from '../errors.js'
import type { Cancel, Clock, Queue, QueueItem, Scheduler } from '../ports.js'
import type { FlushResult } from './clientTypes.js'
import type { PassResult } from './deliver.js'

/** What the flush scheduler drives and reports to. */
export interface FlushSchedulerEnv {
  readonly clock: Clock
  readonly scheduler: Scheduler
  readonly queue: Queue
  readonly flushIntervalMs: number
  /** Resolves when every accepted event is in the queue (write-ahead). */
  readonly writesSettled: () => Promise<void>
  readonly pass: (keepalive: boolean) => Promise<PassResult>
  /** Epoch ms before which the server asked not to be called. */
  readonly pausedUntil: () => number
  /** False before start() and after close(): no timers then. */
  readonly isActive: () => boolean
  readonly report: (error: EcrmError) => void
  /** After each flush: the pass result and the queue as seen afterwards (undefined if unreadable). */
  readonly onFlushed: (result: PassResult, items: readonly QueueItem[] | undefined) => void
}

/** Runs flushes one at a time and keeps one timer for the next one. */
export interface FlushScheduler {
  /** Flushes now; while a flush runs, the next call waits and runs once after it. */
  readonly run: (keepalive: boolean) => Promise<FlushResult>
  /** Makes sure a flush happens by `at` (epoch ms); an earlier timer is kept. */
  readonly wakeAt: (at: number) => void
  readonly cancel: () => void
  readonly isFlushing: () => boolean
}

/**
 * Creates the flush scheduler: one send in flight per client, and a single timer set to the
 * next due item (a retry's backoff, a Retry-After pause, or the batch interval).
 */
export function createFlushScheduler(env: FlushSchedulerEnv): FlushScheduler {
  let timer: { at: number; cancel: Cancel } | undefined
  let inFlight: Promise<FlushResult> | undefined
  let followUp: Promise<FlushResult> | undefined

  const wakeAt = (at: number): void => {
    if (!env.isActive() || (timer !== undefined && timer.at <= at)) return
    timer?.cancel()
    timer = {
      at,
      cancel: env.scheduler.schedule(() => {
        timer = undefined
        void run(false)
      }, Math.max(0, at - env.clock.now())),
    }
  }

  const scheduleNext = (items: readonly QueueItem[]): void => {
    if (items.length === 0) return
    let at = Infinity
    for (const item of items) at = Math.min(at, item.availableAt)
    at = Math.max(at, env.pausedUntil())
    const now = env.clock.now()
    // Due yet not sent: leased by another tab or worker, or offline. Look again after a while.
    wakeAt(at > now ? at : now + env.flushIntervalMs)
  }

  const flushOnce = async (keepalive: boolean): Promise<FlushResult> => {
    await env.writesSettled()
    let result: PassResult = { sent: 0, retried: 0, deadLettered: 0 }
    let items: QueueItem[] | undefined
    try {
      result = await env.pass(keepalive)
      items = await env.queue.peek()
    } catch (error) {
      env.report(new EcrmError('queue_failed', `Delivering queued events failed: ports.queue (${String(error)}; retrying later)`, { cause: error }))
      wakeAt(env.clock.now() + env.flushIntervalMs)
    }
    env.onFlushed(result, items)
    if (items !== undefined) scheduleNext(items)
    return { ...result, remaining: items?.length ?? 0 }
  }

  function run(keepalive: boolean): Promise<FlushResult> {
    if (inFlight === undefined) {
      inFlight = flushOnce(keepalive).finally(() => {
        inFlight = undefined
      })
      return inFlight
    }
    followUp ??= inFlight.then(() => {
      followUp = undefined
      return run(keepalive)
    })
    return followUp
  }

  return {
    run,
    wakeAt,
    cancel() {
      timer?.cancel()
      timer = undefined
    },
    isFlushing: () => inFlight !== undefined,
  }
}
