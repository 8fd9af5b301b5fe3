import { buildBatchRequest } from '@ecrm/core'
import type { Queue, QueueItem, Transport } from '@ecrm/core'
import { KEEPALIVE_BUDGET_BYTES } from './unloadTransport.js'

/** A queue that remembers which of this page's events are not confirmed yet. */
export interface PageOutbox {
  /** The queue to give core (same behaviour; it only watches enqueue and remove). */
  readonly queue: Queue
  /** Events enqueued by this page and not yet removed (delivered, dropped or purged), oldest first. */
  readonly unconfirmed: () => QueueItem[]
}

/**
 * Watches a queue so that, at page exit, this page's unconfirmed events are at hand in memory:
 * reading them back from IndexedDB is asynchronous, and a page being torn down does not get to
 * finish asynchronous work before its requests must be started.
 */
export function watchPageOutbox(queue: Queue): PageOutbox {
  const mine = new Map<string, QueueItem>()
  return {
    queue: {
      ...queue,
      enqueue: (items) => {
        for (const item of items) if (!mine.has(item.id)) mine.set(item.id, item)
        return queue.enqueue(items)
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
  const maxBody = input.maxBodyBytes ?? KEEPALIVE_BUDGET_BYTES
  // Room for the batch wrapper and each event's sentAt, so the body stays under maxBody.
  const overhead = 120 + input.writeKey.length
  let requests = 0
  let payloads: string[] = []
  let bytes = overhead
  const send = (): void => {
    if (payloads.length === 0) return
    const request = buildBatchRequest({ endpoint: input.endpoint, writeKey: input.writeKey, payloads, sentAt: input.now, keepalive: true })
    void input.transport.send(request).catch(() => undefined)
    requests++
    payloads = []
    bytes = overhead
  }
  for (const item of input.items) {
    const size = item.bytes + 40
    if (size + overhead > maxBody) continue // too big for any unload request: it waits for the next visit
    if (bytes + size > maxBody) send()
    payloads.push(item.payload)
    bytes += size
  }
  send()
  return requests
}
