import { EcrmError } from '../errors.js'
import type { Queue, QueueItem } from '../ports.js'
import { chooseDrops } from './boundQueue.js'
import type { QueueBounds } from './boundQueue.js'

/** What the writer reports back to the client. */
export interface WriterEnv {
  readonly queue: Queue
  readonly bounds: QueueBounds
  readonly report: (error: EcrmError) => void
  /**
   * Items are in the queue (bounded); `dropped` were removed to make room, `lost` could not be
   * written. Called once per coalesced write, so once per burst of calls, not once per call.
   */
  readonly onWritten: (written: readonly QueueItem[], change: { dropped: number; lost: number; queued: number }) => void
}

/** The write-ahead path: every accepted event goes through here before any send. */
export interface Writer {
  /**
   * Queues a serialised event. The write starts once the calls of the current synchronous run are
   * done (a microtask, after any earlier queue task), so a burst of calls becomes one `enqueue`.
   * The item is kept as given, payload included: nothing else holds a copy.
   */
  readonly write: (item: QueueItem) => void
  /** Runs `task` after every write accepted so far (keeps order with writes). */
  readonly then: (task: () => Promise<void>) => Promise<void>
  /** Resolves when every write accepted so far is in the queue. */
  readonly settled: () => Promise<void>
  /** Replaces the known queue size after a full look (`peek`). */
  readonly setKnown: (items: readonly QueueItem[]) => void
  /**
   * Takes items this client removed (delivered, dead-lettered) off the known size, so the size
   * stays right during a long delivery pass without reading the queue.
   */
  readonly forget: (items: readonly QueueItem[]) => void
  readonly known: () => { readonly count: number; readonly bytes: number }
}

/**
 * Creates the write-ahead path: coalesces writes, enqueues them, and keeps the queue within
 * its caps (dropping lowest priority first, reported once per burst of drops). The queue's size
 * is tracked from what this client wrote and refreshed from `peek` when a cap seems crossed, so
 * the common case costs no extra read.
 */
export function createWriter(env: WriterEnv): Writer {
  const { queue, bounds } = env
  let pending: QueueItem[] = []
  let chain: Promise<void> = Promise.resolve()
  // The queue's size as far as this client knows; undefined until the first full look (`peek`).
  let known: { count: number; bytes: number } | undefined
  let isDropping = false

  /** Adds `items` to the known size (`sign` 1) or takes them off it (-1, never below 0). */
  const adjust = (items: readonly QueueItem[], sign: 1 | -1): void => {
    if (known === undefined) return
    let bytes = known.bytes
    for (const item of items) bytes += sign * item.bytes
    known = { count: Math.max(0, known.count + sign * items.length), bytes: Math.max(0, bytes) }
  }

  const setKnown = (items: readonly QueueItem[]): void => {
    known = { count: 0, bytes: 0 }
    adjust(items, 1)
  }

  const knownSize = (): { readonly count: number; readonly bytes: number } => known ?? { count: 0, bytes: 0 }

  /** Reports a failed queue call: `<what> failed: ports.queue (<error><detail>)`. */
  const reportFailure = (code: string, what: string, error: unknown, detail = ''): void =>
    env.report(new EcrmError(code, `${what} failed: ports.queue (${String(error)}${detail})`, { cause: error }))

  /** Drops lowest-priority items while the queue seems over its caps; returns how many. */
  const enforceBounds = async (): Promise<number> => {
    const { maxEvents, maxBytes } = bounds
    const { count, bytes } = knownSize()
    let drops: string[] = []
    if (count > maxEvents || bytes > maxBytes) {
      const items = await queue.peek()
      drops = chooseDrops(items, bounds)
      const dropped = new Set(drops)
      setKnown(items.filter((item) => !dropped.has(item.id)))
    }
    if (drops.length > 0) {
      await queue.remove(drops)
      if (!isDropping) {
        env.report(
          new EcrmError(
            'queue_full',
            `Dropped events, queue full: limits.maxEvents ${maxEvents}, limits.maxBytes ${maxBytes} ` +
              '(lowest priority first, counted in stats().dropped; fix delivery or raise the limits)',
          ),
        )
      }
    }
    // One report per burst of drops: the next burst is the first drop after a write that fit.
    isDropping = drops.length > 0
    return drops.length
  }

  const flushPending = async (): Promise<void> => {
    const batch = pending
    pending = []
    if (batch.length === 0) return
    try {
      if (known === undefined) setKnown(await queue.peek())
      await queue.enqueue(batch)
    } catch (error) {
      reportFailure('queue_write_failed', 'Queueing events', error, `; ${batch.length} events lost`)
      env.onWritten([], { dropped: 0, lost: batch.length, queued: knownSize().count })
      return
    }
    adjust(batch, 1)
    let dropped = 0
    try {
      dropped = await enforceBounds()
    } catch (error) {
      reportFailure('queue_bound_failed', 'Enforcing the queue limits', error)
    }
    env.onWritten(batch, { dropped, lost: 0, queued: knownSize().count })
  }

  const then = (task: () => Promise<void>): Promise<void> => {
    chain = chain.then(task).catch((error: unknown) => reportFailure('queue_task_failed', 'A queue task', error))
    return chain
  }

  return {
    write(item) {
      pending.push(item)
      if (pending.length === 1) void then(flushPending)
    },
    then,
    settled: () => chain,
    setKnown,
    forget: (items) => adjust(items, -1),
    known: knownSize,
  }
}
