import type { Cancel, QueueItem, Scheduler } from '../ports.js'
import type { EcrmEvent } from '../model/envelope.js'
import type { FlushResult } from './clientTypes.js'
import { bytesOf, chooseDrops } from './boundQueue.js'
import { createDelivery } from './deliver.js'
import type { DeliveryEnv } from './deliver.js'

/** What the outbox needs: what its delivery needs, plus a scheduler and the client's callbacks. */
export interface OutboxEnv extends DeliveryEnv {
  readonly scheduler: Scheduler
  /** False before start() and after close(): no timers, and no flush on a write, then. */
  readonly isActive: () => boolean
  /** Says the counters changed (the client state's `publish`). */
  readonly publish: () => void
  /**
   * Items are in the queue (bounded), and the state is published. Called once per coalesced
   * write, so once per burst of calls, not once per call.
   */
  readonly onWritten: (written: readonly QueueItem[]) => void
}

/**
 * The client's side of the queue: accepted events go in (write-ahead, within the caps) and
 * flushes take them out. `counters.queued` is its count of the queue.
 */
export interface Outbox {
  /**
   * Queues a serialised event. The write starts once the calls of the current synchronous run are
   * done (a microtask), so a burst of calls becomes one `enqueue`; it does not wait for earlier
   * queue tasks to finish (the queue runs its calls in order), only what follows it does. The item
   * is kept as given, payload included: nothing else holds a copy.
   */
  readonly write: (item: QueueItem) => void
  /**
   * Removes the queued events that match `isWithdrawn` (consent withdrawn), after every write
   * accepted so far. Items leased for a send already under way cannot be recalled; an unreadable
   * payload stays.
   */
  readonly withdraw: (isWithdrawn: (event: EcrmEvent) => boolean) => void
  /**
   * Sends what is due, after the writes so far. While a flush runs, the next call waits and runs
   * once after it; the result counts what this flush sent, retried and dead-lettered.
   */
  readonly flush: (keepalive: boolean) => Promise<FlushResult>
  /** Cancels the timer of the next flush. */
  readonly cancel: () => void
  readonly isFlushing: () => boolean
}

/**
 * Creates the outbox. Writes are coalesced and kept within the queue's caps (dropping lowest
 * priority first, reported once per burst of drops). One flush runs at a time: at once when a
 * batch is full, else from a single timer set to the next due item (the batch interval, a
 * retry's backoff or a Retry-After pause). The queue's size is tracked from what this client
 * wrote and sent, and read back in full (`peek`) after each flush and when a cap seems crossed,
 * so the common write costs no extra read.
 */
export function createOutbox(env: OutboxEnv): Outbox {
  const { queue, clock, counters, publish } = env
  const { limits, batch } = env.options
  const delivery = createDelivery({
    ...env,
    onDelivered(items) {
      count(items, -1)
      publish()
      env.onDelivered(items)
    },
  })
  let pending: QueueItem[] = []
  let chain: Promise<void> = Promise.resolve()
  // The queue's bytes as far as this client knows (counters.queued has its count); undefined
  // until the first full look (`peek`).
  let knownBytes: number | undefined
  let isDropping = false
  // Written since the last delivery pass began: a full batch is flushed at once.
  let unsentCount = 0
  let unsentBytes = 0
  let timer: { at: number; cancel: Cancel } | undefined
  let inFlight: Promise<FlushResult> | undefined
  let followUp: Promise<FlushResult> | undefined

  // Writes are numbered as their enqueue starts, so a full look (`peek`) knows which writes it
  // includes: every one started before it (a queue runs its calls in order). A write is counted
  // when the queue confirms it, unless a look that includes it came first (the file queue shows
  // an item before its disk write is confirmed): the size stays exact with writes under way.
  let started = 0
  let looked = 0
  /** Reads the whole queue and takes its size from what it answers. */
  const peek = (): Promise<QueueItem[]> => {
    const seen = started
    return queue.peek().then((items) => {
      looked = seen
      counters.queued = items.length
      knownBytes = bytesOf(items)
      return items
    })
  }
  /** Adds items to the known size (`sign` 1) or takes them off it (-1, never below 0). */
  const count = (items: readonly QueueItem[], sign: 1 | -1): void => {
    if (knownBytes === undefined) return
    counters.queued = Math.max(0, counters.queued + sign * items.length)
    knownBytes = Math.max(0, knownBytes + sign * bytesOf(items))
  }

  /** Reports a failed queue call: `<what> failed: ports.queue (<error><detail>)`. */
  const reportFailure = (code: string, what: string, error: unknown, detail = ''): void =>
    env.report(code, `${what} failed: ports.queue (${String(error)}${detail})`, error)

  /** Runs `task` after every write and task accepted so far. */
  const then = (task: () => Promise<void>): void => {
    chain = chain.then(task).catch((error: unknown) => reportFailure('queue_task_failed', 'A queue task', error))
  }

  /** Removes `ids` of the queue's `items` (as just read by {@link peek}). */
  const removeFrom = async (items: readonly QueueItem[], ids: readonly string[]): Promise<void> => {
    const removed = new Set(ids)
    count(
      items.filter((item) => removed.has(item.id)),
      -1,
    )
    if (ids.length > 0) await queue.remove(ids)
  }

  /** Drops lowest-priority items while the queue seems over its caps, or may be (its size unknown). */
  const enforceBounds = async (): Promise<void> => {
    let drops: string[] = []
    // The first write reads the queue in full: an earlier session may have left a backlog.
    if (knownBytes === undefined || counters.queued > limits.maxEvents || knownBytes > limits.maxBytes) {
      const items = await peek()
      drops = chooseDrops(items, limits)
      await removeFrom(items, drops)
    }
    if (drops.length > 0) {
      counters.dropped += drops.length
      if (!isDropping) {
        env.report(
          'queue_full',
          `Dropped events, queue full: limits.maxEvents ${limits.maxEvents}, limits.maxBytes ${limits.maxBytes} ` +
            '(lowest priority first, counted in stats().dropped; fix delivery or raise the limits)',
        )
      }
    }
    // One report per burst of drops: the next burst is the first drop after a write that fit.
    isDropping = drops.length > 0
  }

  /**
   * What follows the write of `items` (`written`, counted once it resolves), in order with the
   * other queue tasks: caps, listeners, flushes.
   */
  const writePending = async (items: readonly QueueItem[], written: Promise<void>): Promise<void> => {
    try {
      await written
    } catch (error) {
      counters.dropped += items.length
      // The report publishes the state, drop count included.
      reportFailure('queue_write_failed', 'Queueing events', error, `; ${items.length} events lost`)
      return
    }
    try {
      await enforceBounds()
    } catch (error) {
      reportFailure('queue_bound_failed', 'Enforcing the queue limits', error)
    }
    publish()
    env.onWritten(items)
    if (!env.isActive()) return
    unsentCount += items.length
    unsentBytes += bytesOf(items)
    if (unsentCount >= batch.maxEvents || unsentBytes >= batch.maxBytes) void flush(false)
    else wakeAt(clock.now() + batch.flushIntervalMs)
  }

  /** Makes sure a flush happens by `at` (epoch ms); an earlier timer is kept. */
  const wakeAt = (at: number): void => {
    if (!env.isActive() || (timer !== undefined && timer.at <= at)) return
    timer?.cancel()
    timer = {
      at,
      cancel: env.scheduler.schedule(
        () => {
          timer = undefined
          void flush(false)
        },
        Math.max(0, at - clock.now()),
      ),
    }
  }

  /** Sets the timer to the next due item, if any. */
  const scheduleNext = (items: readonly QueueItem[]): void => {
    if (items.length === 0) return
    let at = Infinity
    for (const item of items) at = Math.min(at, item.availableAt)
    at = Math.max(at, delivery.pausedUntil())
    const now = clock.now()
    // Due yet not sent: leased by another tab or worker, or offline. Look again after a while.
    wakeAt(at > now ? at : now + batch.flushIntervalMs)
  }

  const flushOnce = async (keepalive: boolean): Promise<FlushResult> => {
    await chain
    const before = { ...counters }
    let items: QueueItem[] | undefined
    try {
      unsentCount = 0
      unsentBytes = 0
      await delivery.pass(keepalive)
      items = await peek()
    } catch (error) {
      reportFailure('queue_failed', 'Delivering queued events', error, '; retrying later')
      wakeAt(clock.now() + batch.flushIntervalMs)
    }
    if (items !== undefined) scheduleNext(items)
    publish()
    return {
      sent: counters.sent - before.sent,
      retried: counters.retried - before.retried,
      deadLettered: counters.deadLettered - before.deadLettered,
      remaining: items?.length ?? 0,
    }
  }

  function flush(keepalive: boolean): Promise<FlushResult> {
    if (inFlight === undefined) {
      inFlight = flushOnce(keepalive).finally(() => {
        inFlight = undefined
      })
      return inFlight
    }
    followUp ??= inFlight.then(() => {
      followUp = undefined
      return flush(keepalive)
    })
    return followUp
  }

  return {
    write(item) {
      // The first call of a run starts its write; the others of the run join the same array.
      if (pending.push(item) > 1) return
      const items = pending
      // The enqueue starts in a microtask, once the run is done, without waiting for earlier queue
      // tasks (the queue runs its calls in order): a page about to close, a process about to be
      // killed, must not find its events still waiting behind an earlier write or a purge.
      const written = Promise.resolve().then(() => {
        pending = []
        const number = ++started
        return queue.enqueue(items).then(() => {
          if (number > looked) count(items, 1)
        })
      })
      // Awaited, and its failure reported, by writePending: not an unhandled rejection meanwhile.
      written.catch(() => undefined)
      then(() => writePending(items, written))
    },
    withdraw(isWithdrawn) {
      then(async () => {
        const items = await peek()
        const withdrawn = items.filter((item) => {
          try {
            return isWithdrawn(JSON.parse(item.payload) as EcrmEvent)
          } catch {
            return false
          }
        })
        await removeFrom(
          items,
          withdrawn.map((item) => item.id),
        )
        publish()
      })
    },
    flush,
    cancel() {
      timer?.cancel()
      timer = undefined
    },
    isFlushing: () => inFlight !== undefined,
  }
}
