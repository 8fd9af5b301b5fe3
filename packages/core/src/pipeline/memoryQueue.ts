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

  /** Makes leased items due again at `availableAt`, with `addedAttempts` more attempts counted. */
  const putBack = async (ids: readonly string[], availableAt: number, addedAttempts: number): Promise<void> => {
    for (const id of ids) {
      const item = items.get(id)
      if (item === undefined) continue
      items.set(id, { ...item, availableAt, attempts: item.attempts + addedAttempts })
      leases.delete(id)
    }
  }

  return {
    async enqueue(batch) {
      for (const item of batch) if (!items.has(item.id)) items.set(item.id, item)
    },
    async lease({ now, limit, leaseMs }) {
      // Synchronous from start to end, so two concurrent leases can never share an item.
      const taken: QueueItem[] = []
      for (const item of items.values()) {
        if (taken.length >= limit) break
        // Not due yet, or leased until later (an item without a lease counts as leased until now).
        if (item.availableAt > now || (leases.get(item.id) ?? now) > now) continue
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
    release: (ids, availableAt) => putBack(ids, availableAt, 1),
    defer: (ids, availableAt) => putBack(ids, availableAt, 0),
    peek: async () => [...items.values()],
    size: async () => items.size,
  }
}
