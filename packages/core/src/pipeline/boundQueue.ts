import type { QueueItem } from '../ports.js'

/** Caps of the queue. */
export interface QueueBounds {
  readonly maxEvents: number
  /** Sum of payload bytes (UTF-8). */
  readonly maxBytes: number
}

/**
 * Chooses which items to drop so the queue fits its caps: lowest priority first, oldest first
 * within a priority (so page views go before conversions, and Order Completed goes last of all).
 * Pure; returns the ids to remove, in drop order.
 *
 * @example
 * chooseDrops(await queue.peek(), { maxEvents: 10_000, maxBytes: 5_000_000 })
 */
export function chooseDrops(items: readonly QueueItem[], bounds: QueueBounds): string[] {
  let count = items.length
  let bytes = bytesOf(items)
  const fits = (): boolean => count <= bounds.maxEvents && bytes <= bounds.maxBytes
  const drops: string[] = []
  if (fits()) return drops
  // Array sort is stable (ES2019), so items of equal priority and age keep their queue order.
  for (const item of [...items].sort((a, b) => a.priority - b.priority || a.createdAt - b.createdAt)) {
    if (fits()) break
    drops.push(item.id)
    count -= 1
    bytes -= item.bytes
  }
  return drops
}

/** The summed payload bytes of items. */
export function bytesOf(items: readonly QueueItem[]): number {
  let bytes = 0
  for (const item of items) bytes += item.bytes
  return bytes
}

/**
 * Groups leased items into request batches of at most `maxEvents` events and `maxBytes` body
 * bytes (computed exactly, with the `sentAt` each event gets and the body's own fields), keeping
 * queue order. An item too big for any batch travels alone; the server's 413 then decides.
 */
export function planBatches(
  items: readonly QueueItem[],
  limits: { readonly maxEvents: number; readonly maxBytes: number },
  overheadBytes: number,
  eventBytes: (payloadBytes: number) => number,
): QueueItem[][] {
  const batches: QueueItem[][] = []
  let current: QueueItem[] | undefined
  let bytes = 0
  for (const item of items) {
    const size = eventBytes(item.bytes)
    if (current !== undefined && current.length < limits.maxEvents && bytes + size <= limits.maxBytes) {
      current.push(item)
      bytes += size
    } else {
      // A new batch; its first item always goes in, even one too big for any batch.
      current = [item]
      batches.push(current)
      bytes = overheadBytes + size
    }
  }
  return batches
}
