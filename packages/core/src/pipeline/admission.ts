import { EcrmError } from '../errors.js'
import type { MeasuredQueue, Queue, QueueItem } from '../ports.js'
import type { Counters } from './clientState.js'
import { bytesOf } from './boundQueue.js'
import type { DroppedResult } from './clientTypes.js'

/**
 * The share of the queue's bounds an event may fill, by its drop priority (`PRIORITY`): page
 * views stop at half, other events at three quarters, conversions at seven eighths, and
 * Order Completed may fill it all. So under pressure views are dropped first and orders last,
 * always at the call, and nothing already queued is ever dropped to make room.
 */
export const ADMISSION_SHARES: readonly number[] = [0.5, 0.75, 0.875, 1]

/** The bounds {@link createAdmission} keeps the queue within. */
export interface AdmissionBounds {
  /** Most events in the queue (`Infinity`: no count bound). */
  readonly maxEvents: number
  /** Most payload bytes (UTF-8) in the queue. */
  readonly maxBytes: number
  /** `ready()` waits while the queue holds more payload bytes than this. */
  readonly highWaterBytes: number
}

/** Bounding at the call; see {@link createAdmission}. */
export interface Admission {
  /** The queue to hand the pipeline: the given one, seen on its way in and out. */
  readonly queue: MeasuredQueue
  /**
   * Decides at the call whether `item` fits. Admitted: counted as on its way to the queue, and
   * `undefined` returned. Dropped: counted in `counters.dropped`, and what the call returns
   * (with the `queue_full` error, reported once per run of drops, until an event fits again).
   */
  readonly admit: (item: QueueItem, counters: Counters, report: (error: EcrmError) => void) => DroppedResult | undefined
  /**
   * Resolves once every admitted event is written to the queue (on disk, for a durable queue) and
   * the queue holds at most `highWaterBytes`; calls `onFull` when it must wait for room (the
   * client flushes then, instead of waiting for a full batch or its timer). Never rejects; waits
   * as long as delivery is stuck.
   */
  readonly ready: (onFull: () => void) => Promise<void>
}

/**
 * Bounds a queue at the call instead of after the write: what an event's call returns is then
 * the truth about it (queued, or dropped with why), never a success later undone by an eviction.
 * The size is the queue's own ({@link MeasuredQueue}'s `usage()`), plus the events admitted but
 * not yet handed to `enqueue` (the pipeline coalesces a run of calls into one write). Any other
 * queue is counted from what passes through here, so a backlog an earlier process left is not seen.
 *
 * @example
 * const admission = createAdmission(createMemoryQueue(), { maxEvents: Infinity, maxBytes: 2 ** 27, highWaterBytes: 2 ** 23 })
 */
export function createAdmission(queue: Queue, bounds: AdmissionBounds): Admission {
  const counted = withUsage(queue)
  const { usage } = counted
  let pendingEvents = 0
  let pendingBytes = 0
  let isDropping = false
  let lastWrite: Promise<void> = Promise.resolve()
  // Settles with the next enqueue's write: what ready() waits for while events are pending.
  let nextWrite: Promise<void> | undefined
  let signalWrite: ((write: Promise<void>) => void) | undefined
  let roomWaiters: (() => void)[] = []
  const hasRoom = (): boolean => usage().bytes + pendingBytes <= bounds.highWaterBytes

  const wrapped: MeasuredQueue = {
    ...counted,
    enqueue(items) {
      // The pipeline hands over every admitted event in one call: none is pending after it.
      pendingEvents = Math.max(0, pendingEvents - items.length)
      pendingBytes = Math.max(0, pendingBytes - bytesOf(items))
      let write: Promise<void>
      try {
        write = counted.enqueue(items)
      } catch (error) {
        write = Promise.reject(error)
      }
      lastWrite = write.then(noop, noop)
      signalWrite?.(lastWrite)
      nextWrite = signalWrite = undefined
      return write
    },
    remove(ids) {
      const removed = counted.remove(ids)
      if (roomWaiters.length > 0 && hasRoom()) {
        const waiters = roomWaiters
        roomWaiters = []
        for (const wake of waiters) wake()
      }
      return removed
    },
    usage: () => {
      const { events, bytes } = usage()
      return { events: events + pendingEvents, bytes: bytes + pendingBytes }
    },
  }

  return {
    queue: wrapped,
    admit(item, counters, report) {
      const share = ADMISSION_SHARES[item.priority] ?? 1
      const { events, bytes } = usage()
      if (
        events + pendingEvents + 1 <= bounds.maxEvents * share &&
        bytes + pendingBytes + item.bytes <= bounds.maxBytes * share
      ) {
        pendingEvents += 1
        pendingBytes += item.bytes
        isDropping = false
        return undefined
      }
      counters.dropped += 1
      const error = new EcrmError(
        'queue_full',
        `Dropped the event, queue full: limits (maxEvents ${bounds.maxEvents}, maxBytes ${bounds.maxBytes}; ` +
          `an event of priority ${item.priority} may fill ${share * 100} % of them; counted in stats().dropped; ` +
          'await ready() to wait for room, fix delivery or raise the limits)',
      )
      if (!isDropping) report(error)
      isDropping = true
      return { ok: false, dropped: true, messageId: item.id, error }
    },
    async ready(onFull) {
      await (pendingEvents > 0 ? (nextWrite ??= new Promise<void>((resolve) => (signalWrite = resolve))) : lastWrite)
      while (!hasRoom()) {
        const room = new Promise<void>((resolve) => roomWaiters.push(resolve))
        onFull()
        await room
      }
    },
  }
}

/**
 * The queue with a {@link Queue.usage}: its own, or, for a queue that keeps none, a count of what
 * is enqueued through it less what is removed through it (a failed enqueue is taken back off).
 */
function withUsage(queue: Queue | MeasuredQueue): MeasuredQueue {
  if ('usage' in queue) return queue
  const sizes = new Map<string, number>()
  let bytes = 0
  const forget = (ids: readonly string[]): void => {
    for (const id of ids) {
      bytes -= sizes.get(id) ?? 0
      sizes.delete(id)
    }
  }
  return {
    ...queue,
    async enqueue(items) {
      const added = items.filter((item) => !sizes.has(item.id))
      for (const item of added) {
        sizes.set(item.id, item.bytes)
        bytes += item.bytes
      }
      try {
        await queue.enqueue(items)
      } catch (error) {
        forget(added.map((item) => item.id))
        throw error
      }
    },
    remove(ids) {
      forget(ids)
      return queue.remove(ids)
    },
    usage: () => ({ events: sizes.size, bytes }),
  }
}

function noop(): void {}
