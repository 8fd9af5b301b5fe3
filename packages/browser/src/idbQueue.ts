import { openDB } from 'idb'
import type { DBSchema, IDBPDatabase } from 'idb'
import type { LeaseRequest, Queue, QueueItem } from '@ecrm/core'
import { createMemoryQueue } from '@ecrm/core'

/** Where a queue keeps its items right now. */
export type QueueStorage = 'indexeddb' | 'memory'

/** Options of {@link createIdbQueue}. */
export interface IdbQueueOptions {
  /** IndexedDB database name; one outbox per name. @default 'ecrm' */
  readonly dbName?: string
  /** Told once when the queue falls back to memory, with why. */
  readonly onFallback?: (reason: unknown) => void
}

/** A {@link Queue} over IndexedDB that says where it stores and can be closed. */
export interface IdbQueue extends Queue {
  /** `'indexeddb'`, or `'memory'` once IndexedDB proved missing or failing. */
  readonly storage: () => QueueStorage
  /** Closes the database connection (it reopens on the next call). */
  readonly close: () => void
}

/** A stored row: the item plus its insertion order and lease. */
interface Row extends QueueItem {
  seq?: number
  /** Epoch ms until which another lease must skip this row. */
  leasedUntil: number
}

interface OutboxSchema extends DBSchema {
  items: { key: number; value: Row; indexes: { byId: string } }
}

type Db = IDBPDatabase<OutboxSchema>

const toItem = ({ seq: _seq, leasedUntil: _lease, ...item }: Row): QueueItem => item

/**
 * Creates the browser's durable outbox: an IndexedDB {@link Queue} that survives reloads and browser
 * restarts, shared by every tab of the origin. Nothing is opened until the first call. Enqueues made
 * in the same tick are written in one transaction; a lease marks its rows in one readwrite
 * transaction, so two tabs never lease the same item. When IndexedDB is missing or fails (private
 * modes, quota), the queue continues in memory and `storage()` says `'memory'`: events then survive
 * neither a reload nor a crash, and rows already on disk wait for the next visit.
 *
 * @example
 * const queue = createIdbQueue({ dbName: 'ecrm-WRITE_KEY' })
 * await queue.enqueue([item]); const due = await queue.lease({ now: Date.now(), limit: 100, leaseMs: 30_000 })
 */
export function createIdbQueue(options: IdbQueueOptions = {}): IdbQueue {
  const dbName = options.dbName ?? 'ecrm'
  let dbPromise: Promise<Db> | undefined
  let memory: Queue | undefined
  let pending: QueueItem[] = []
  let pendingWrite: Promise<void> | undefined
  let lastWrite: Promise<void> = Promise.resolve()

  const fallBack = (reason: unknown): Queue => {
    if (memory === undefined) {
      memory = createMemoryQueue()
      options.onFallback?.(reason)
    }
    return memory
  }

  const open = (): Promise<Db> => {
    if (typeof indexedDB === 'undefined') return Promise.reject(new Error('IndexedDB is not available'))
    dbPromise ??= openDB<OutboxSchema>(dbName, 1, {
      upgrade(db) {
        const store = db.createObjectStore('items', { keyPath: 'seq', autoIncrement: true })
        store.createIndex('byId', 'id', { unique: true })
      },
      // Another tab wants a newer schema: step aside so it is not blocked, reopen on next use.
      blocking() {
        void dbPromise?.then((db) => db.close())
        dbPromise = undefined
      },
      // The browser closed the connection (storage cleared, crash): reopen on next use.
      terminated() {
        dbPromise = undefined
      },
    })
    dbPromise.catch(() => (dbPromise = undefined))
    return dbPromise
  }

  /** Runs `work` on IndexedDB, or on the memory queue once IndexedDB has failed. */
  const run = async <T>(work: (db: Db) => Promise<T>, onMemory: (queue: Queue) => Promise<T>): Promise<T> => {
    if (memory !== undefined) return onMemory(memory)
    try {
      return await work(await open())
    } catch (error) {
      return onMemory(fallBack(error))
    }
  }

  const writeItems = (items: readonly QueueItem[]): Promise<void> =>
    run(
      async (db) => {
        const tx = db.transaction('items', 'readwrite')
        const byId = tx.store.index('byId')
        for (const item of items) {
          // Idempotent: an id already queued (e.g. a retried replay) is ignored.
          if ((await byId.getKey(item.id)) === undefined) await tx.store.add({ ...item, leasedUntil: 0 })
        }
        await tx.done
      },
      (queue) => queue.enqueue(items),
    )

  /** Writes every enqueue of this tick in one transaction (a microtask later). */
  const settle = (): Promise<void> => lastWrite

  const enqueue = (items: readonly QueueItem[]): Promise<void> => {
    pending.push(...items)
    pendingWrite ??= Promise.resolve().then(() => {
      const batch = pending
      pending = []
      pendingWrite = undefined
      return writeItems(batch)
    })
    lastWrite = pendingWrite.catch(() => undefined)
    return pendingWrite
  }

  const lease = async (request: LeaseRequest): Promise<QueueItem[]> => {
    await settle()
    return run(
      async (db) => {
        const tx = db.transaction('items', 'readwrite')
        const taken: QueueItem[] = []
        let cursor = await tx.store.openCursor()
        while (cursor !== null && taken.length < request.limit) {
          const row = cursor.value
          if (row.availableAt <= request.now && row.leasedUntil <= request.now) {
            await cursor.update({ ...row, leasedUntil: request.now + request.leaseMs })
            taken.push(toItem(row))
          }
          cursor = await cursor.continue()
        }
        await tx.done
        return taken
      },
      (queue) => queue.lease(request),
    )
  }

  /** Changes the rows of `ids` in one readwrite transaction. */
  const updateRows = async (ids: readonly string[], change: (row: Row) => Row | null): Promise<void> => {
    await settle()
    await run(
      async (db) => {
        const tx = db.transaction('items', 'readwrite')
        const byId = tx.store.index('byId')
        for (const id of ids) {
          const key = await byId.getKey(id)
          const row = key === undefined ? undefined : await tx.store.get(key)
          if (key === undefined || row === undefined) continue
          const next = change(row)
          await (next === null ? tx.store.delete(key) : tx.store.put(next))
        }
        await tx.done
      },
      async () => undefined,
    )
  }

  const queue: IdbQueue = {
    enqueue,
    lease,
    remove: (ids) => (memory ? memory.remove(ids) : updateRows(ids, () => null)),
    release: (ids, availableAt) =>
      memory
        ? memory.release(ids, availableAt)
        : updateRows(ids, (row) => ({ ...row, attempts: row.attempts + 1, availableAt, leasedUntil: 0 })),
    defer: (ids, availableAt) =>
      memory ? memory.defer(ids, availableAt) : updateRows(ids, (row) => ({ ...row, availableAt, leasedUntil: 0 })),
    peek: async () => {
      await settle()
      return run(async (db) => (await db.getAll('items')).map(toItem), (memoryQueue) => memoryQueue.peek())
    },
    size: async () => {
      await settle()
      return run((db) => db.count('items'), (memoryQueue) => memoryQueue.size())
    },
    storage: () => (memory === undefined ? 'indexeddb' : 'memory'),
    close: () => {
      void dbPromise?.then((db) => db.close()).catch(() => undefined)
      dbPromise = undefined
    },
  }
  return queue
}
