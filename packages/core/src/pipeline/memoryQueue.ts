import type { Queue, QueueItem } from '../ports.js'

/**
 * A {@link Queue} in memory: the default for tests and for runtimes without storage. Nothing
 * survives the process, so it gives at-least-once delivery only while the process lives.
 *
 * Items keep their enqueue order for their whole life (a released item goes back to its place).
 *
 * @example
 * const client = createCoreClient(options, { clock, scheduler, transport, queue: createMemoryQueue() })
 */
export function createMemoryQueue(): Queue {
  interface Entry {
    item: QueueItem
    /** Epoch ms until which the item is leased; 0 when not leased. */
    leasedUntil: number
  }
  // A Map keeps insertion order, which is the queue order.
  const entries = new Map<string, Entry>()

  const putBack = (ids: readonly string[], availableAt: number, countAttempt: boolean): void => {
    for (const id of ids) {
      const entry = entries.get(id)
      if (entry === undefined) continue
      entry.item = { ...entry.item, availableAt, attempts: entry.item.attempts + (countAttempt ? 1 : 0) }
      entry.leasedUntil = 0
    }
  }

  return {
    async enqueue(items) {
      for (const item of items) {
        if (!entries.has(item.id)) entries.set(item.id, { item: { ...item }, leasedUntil: 0 })
      }
    },
    async lease({ now, limit, leaseMs }) {
      // Synchronous from start to end, so two concurrent leases can never share an item.
      const taken: QueueItem[] = []
      for (const entry of entries.values()) {
        if (taken.length >= limit) break
        if (entry.item.availableAt > now || entry.leasedUntil > now) continue
        entry.leasedUntil = now + leaseMs
        taken.push(entry.item)
      }
      return taken
    },
    async remove(ids) {
      for (const id of ids) entries.delete(id)
    },
    async release(ids, availableAt) {
      putBack(ids, availableAt, true)
    },
    async defer(ids, availableAt) {
      putBack(ids, availableAt, false)
    },
    async peek() {
      return [...entries.values()].map((entry) => entry.item)
    },
    async size() {
      return entries.size
    },
  }
}
