import { KEEPALIVE_MAX_BYTES, batchOverheadBytes, buildBatchRequest, eventBytesInBatch, planBatches } from '@ecrm/core'
import type { Queue, QueueItem, Transport } from '@ecrm/core'

/** The queue core is given, plus this page's events that are not confirmed yet. */
export interface PageOutbox {
  /** The queue to give core (same behaviour, minus the dropped items; it watches enqueue and remove). */
  readonly queue: Queue
  /** Events enqueued by this page and not yet removed (delivered, dropped or purged), oldest first. */
  readonly unconfirmed: () => QueueItem[]
}

/**
 * Wraps the queue core is given, the one wrapper around it. Items for which `isDropped` is true
 * (erased visitors' events: `createErasedIds().isErasedItem`) reach neither the queue nor the
 * page's list. This page's unconfirmed events are kept in memory for the page exit: reading them
 * back from IndexedDB is asynchronous, and a page being torn down does not get to finish
 * asynchronous work before its requests must be started. `onEnqueue` (the on-site fold) is told
 * of the kept items as their write starts, before the queue has them; it must not throw.
 */
export function watchPageOutbox(
  queue: Queue,
  isDropped: (item: QueueItem) => boolean = () => false,
  onEnqueue?: (items: readonly QueueItem[]) => void,
): PageOutbox {
  const mine = new Map<string, QueueItem>()
  return {
    queue: {
      ...queue,
      enqueue: (items) => {
        const kept = items.filter((item) => !isDropped(item))
        // An id enqueued again (a replay) keeps its place, as in the queue; its payload is the same.
        for (const item of kept) mine.set(item.id, item)
        onEnqueue?.(kept)
        return queue.enqueue(kept)
      },
      remove: (ids) => {
        for (const id of ids) mine.delete(id)
        return queue.remove(ids)
      },
    },
    unconfirmed: () => [...mine.values()],
  }
}

/** What {@link sendOnPageExit} needs. */
export interface PageExitSend {
  readonly items: readonly QueueItem[]
  readonly endpoint: string
  readonly writeKey: string
  /** Epoch ms; becomes `sentAt`. */
  readonly now: number
  /** The unload-aware transport (keepalive within the budget, then sendBeacon). */
  readonly transport: Transport
  /** Largest body of one request, in bytes. @default 65_536 */
  readonly maxBodyBytes?: number
}

/**
 * Starts, synchronously, the requests that carry `items` as the page goes away: batches of at most
 * 64 KiB, marked keepalive (the transport falls back to sendBeacon past the page-wide budget).
 * Nothing here is confirmed: the events stay in the durable queue and are sent again, with the
 * same messageId, on the next visit (the backend dedupes). Returns the number of requests started.
 */
export function sendOnPageExit(input: PageExitSend): number {
  const maxBytes = input.maxBodyBytes ?? KEEPALIVE_MAX_BYTES
  // Core's exact body sizes: the batch wrapper, and for each event its sentAt and comma.
  const overhead = batchOverheadBytes(input.writeKey)
  // An event too big for any unload request waits for the next visit.
  const fitting = input.items.filter((item) => overhead + eventBytesInBatch(item.bytes) <= maxBytes)
  const batches = planBatches(fitting, { maxEvents: Infinity, maxBytes }, overhead, eventBytesInBatch)
  for (const batch of batches) {
    // `input` gives the endpoint and the writeKey.
    const request = buildBatchRequest({
      ...input,
      payloads: batch.map((item) => item.payload),
      sentAt: input.now,
      keepalive: true,
    })
    void input.transport.send(request).catch(() => undefined)
  }
  return batches.length
}
