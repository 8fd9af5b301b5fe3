import type { Queue, QueueItem } from '../ports.js'

/**
 * A {@link Queue} in memory: the default for tests and for runtimes without storage. Nothing
 * survives the process, so it gives at-least-once delivery only while the process lives.
 *
 * Items keep their enqueue order for their whole life (a released item goes back to its place).
 * An item is kept as given, not copied, so a payload lives in memory once: the queue never
 * changes an item it holds (release and defer store a changed copy), and callers must not either.
 *
 * @example
 * const client = createCoreClient(options, { clock, scheduler, transport, queue: createMemoryQueue() })
 */
export function createMemoryQueue(): Queue {
  // A Map keeps insertion order, which is the queue order; setting a known key keeps its place.
  const items = new Map<string, QueueItem>()
  /** Epoch ms until which an item is leased; only leased items have an entry. */
  const leases = new Map<string, number>()

  const putBack = (ids: readonly string[], availableAt: number, countAttempt: boolean): void => {
    for (const id of ids) {
      const item = items.get(id)
      if (item === undefined) continue
      items.set(id, { ...item, availableAt, attempts: item.attempts + (countAttempt ? 1 : 0) })
      leases.delete(id)
    }
  }

  return {
    async enqueue(batch) {
      for (const item of batch) {
        if (!items.has(item.id)) items.set(item.id, item)
      }
    },
    async lease({ now, limit, leaseMs }) {
      // Synchronous from start to end, so two concurrent leases can never share an item.
      const taken: QueueItem[] = []
      for (const item of items.values()) {
        if (taken.length >= limit) break
        if (item.availableAt > now) continue
        const until = leases.get(item.id)
        if (until !== undefined && until > now) continue
        leases.set(item.id, now + leaseMs)
        taken.push(item)
      }
      return taken
    },
    async remove(ids) {
      for (const id of ids) {
        items.delete(id)
        leases.delete(id)
      }
    },
    async release(ids, availableAt) {
      putBack(ids, availableAt, true)
    },
    async defer(ids, availableAt) {
      putBack(ids, availableAt, false)
    },
    async peek() {
      return Array.from(items.values())
    },
    async size() {
      return items.size
    },
  }
}
