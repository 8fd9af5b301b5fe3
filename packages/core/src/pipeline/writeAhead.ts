import { EcrmError } from '../errors.js'
import type { Queue, QueueItem } from '../ports.js'
import type { EcrmEvent } from '../model/envelope.js'
import { chooseDrops } from './boundQueue.js'
import type { QueueBounds } from './boundQueue.js'

/** An event on its way into the queue. */
export interface PendingWrite {
  readonly item: QueueItem
  readonly event: EcrmEvent
}

/** What the writer reports back to the client. */
export interface WriterEnv {
  readonly queue: Queue
  readonly bounds: QueueBounds
  readonly report: (error: EcrmError) => void
  /** Events are in the queue (bounded); `dropped` were removed to make room, `lost` could not be written. */
  readonly onWritten: (written: readonly PendingWrite[], change: { dropped: number; lost: number; queued: number }) => void
}

/** The write-ahead path: every accepted event goes through here before any send. */
export interface Writer {
  /** Queues an event; the write starts in a microtask so a burst of calls becomes one `enqueue`. */
  readonly write: (pending: PendingWrite) => void
  /** Runs `task` after every write accepted so far (keeps order with writes). */
  readonly then: (task: () => Promise<void>) => Promise<void>
  /** Resolves when every write accepted so far is in the queue. */
  readonly settled: () => Promise<void>
  /** Replaces the known queue size after a full look (`peek`). */
  readonly setKnown: (items: readonly QueueItem[]) => void
  readonly known: () => { readonly count: number; readonly bytes: number }
}

/**
 * Creates the write-ahead path: coalesces writes, enqueues them, and keeps the queue within
 * its caps (dropping lowest priority first, reported once per burst of drops). The queue's size
 * is tracked from what this client wrote and refreshed from `peek` when a cap seems crossed, so
 * the common case costs no extra read.
 */
export function createWriter(env: WriterEnv): Writer {
  let pending: PendingWrite[] = []
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
      await env.queue.enqueue(batch.map((entry) => entry.item))
    } catch (error) {
      const detail = error instanceof Error ? error.message : String(error)
      env.report(new EcrmError('queue_write_failed', `Queueing events failed: ports.queue (${detail}; ${batch.length} events were lost)`, { cause: error }))
      env.onWritten([], { dropped: 0, lost: batch.length, queued: known?.count ?? 0 })
      return
    }
    const added = sum(batch.map((entry) => entry.item))
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
    write(entry) {
      pending.push(entry)
      if (pending.length === 1) void then(flushPending)
    },
    then,
    settled: () => chain,
    setKnown(items) {
      known = sum(items)
    },
    known: () => known ?? { count: 0, bytes: 0 },
  }
}
