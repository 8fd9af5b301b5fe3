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
  let pending: QueueItem[] = []
  let chain: Promise<void> = Promise.resolve()
  let known: { count: number; bytes: number } | undefined
  let isDropping = false

  const sum = (items: readonly QueueItem[]): { count: number; bytes: number } => {
    let bytes = 0
    for (const item of items) bytes += item.bytes
    return { count: items.length, bytes }
  }

  const enforceBounds = async (): Promise<number> => {
    if (known === undefined) return 0
    if (known.count <= env.bounds.maxEvents && known.bytes <= env.bounds.maxBytes) {
      isDropping = false
      return 0
    }
    const items = await env.queue.peek()
    const drops = chooseDrops(items, env.bounds)
    const dropped = new Set(drops)
    known = sum(items.filter((item) => !dropped.has(item.id)))
    if (drops.length === 0) {
      isDropping = false
      return 0
    }
    await env.queue.remove(drops)
    if (!isDropping) {
      isDropping = true
      env.report(
        new EcrmError(
          'queue_full',
          `Dropped events: the delivery queue is full (limits.maxEvents ${env.bounds.maxEvents}, limits.maxBytes ${env.bounds.maxBytes}; ` +
            `lowest-priority events go first and every drop is counted in stats().dropped — check why delivery is failing, or raise the limits)`,
        ),
      )
    }
    return drops.length
  }

  const flushPending = async (): Promise<void> => {
    const batch = pending
    pending = []
    if (batch.length === 0) return
    try {
      known ??= sum(await env.queue.peek())
      await env.queue.enqueue(batch)
    } catch (error) {
      const detail = error instanceof Error ? error.message : String(error)
      env.report(new EcrmError('queue_write_failed', `Queueing events failed: ports.queue (${detail}; ${batch.length} events were lost)`, { cause: error }))
      env.onWritten([], { dropped: 0, lost: batch.length, queued: known?.count ?? 0 })
      return
    }
    const added = sum(batch)
    known = { count: known.count + added.count, bytes: known.bytes + added.bytes }
    let dropped = 0
    try {
      dropped = await enforceBounds()
    } catch (error) {
      env.report(new EcrmError('queue_bound_failed', `Keeping the queue within its limits failed: ports.queue (${String(error)})`, { cause: error }))
    }
    env.onWritten(batch, { dropped, lost: 0, queued: known.count })
  }

  const then = (task: () => Promise<void>): Promise<void> => {
    chain = chain.then(task).catch((error: unknown) => {
      env.report(new EcrmError('queue_task_failed', `A queue task failed: ports.queue (${String(error)})`, { cause: error }))
    })
    return chain
  }

  return {
    write(item) {
      pending.push(item)
      if (pending.length === 1) void then(flushPending)
    },
    then,
    settled: () => chain,
    setKnown(items) {
      known = sum(items)
    },
    forget(items) {
      if (known === undefined) return
      const gone = sum(items)
      known = { count: Math.max(0, known.count - gone.count), bytes: Math.max(0, known.bytes - gone.bytes) }
    },
    known: () => known ?? { count: 0, bytes: 0 },
  }
}
