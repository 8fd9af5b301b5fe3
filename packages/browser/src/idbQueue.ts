import type { LeaseRequest, Queue, QueueItem } from '@ecrm/core'
import { createMemoryQueue } from '@ecrm/core'
import { openDatabase, requestResult, transactionDone } from './idbRequests.js'

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

type Db = IDBDatabase
const STORE = 'items'

/** A transaction on the outbox store, its store and its completion. */
const begin = (db: Db, mode: IDBTransactionMode) => {
  const tx = db.transaction(STORE, mode)
  return { store: tx.objectStore(STORE), done: transactionDone(tx) }
}

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
    dbPromise ??= openDatabase(dbName, 1, {
      upgrade(db) {
        const store = db.createObjectStore(STORE, { keyPath: 'seq', autoIncrement: true })
        store.createIndex('byId', 'id', { unique: true })
      },
      // Another tab wants a newer schema: step aside so it is not blocked, reopen on next use.
      blocking(db) {
        db.close()
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

  /**
   * The row key of ids this tab wrote, leased or read, so remove and release reach a row in one
   * request instead of an index lookup first. Keys are never reused, so a stale entry is harmless.
   */
  const seqOf = new Map<string, number>()

  // Each IndexedDB request costs the main thread a round trip (~0.1 ms in Chromium), so every
  // method below issues as few as it can: one `add` per item, one `getAll` per lease, one
  // range `delete` per run of consecutive rows removed.
  const writeItems = (items: readonly QueueItem[]): Promise<void> =>
    run(
      async (db) => {
        const { store, done } = begin(db, 'readwrite')
        for (const item of items) {
          const request = store.add({ ...item, leasedUntil: 0 })
          request.onsuccess = () => seqOf.set(item.id, request.result as number)
          // Idempotent: an id already queued (e.g. a retried replay) fails the unique index; the
          // error is swallowed here so the rest of the transaction still commits.
          request.onerror = (event) => {
            event.preventDefault()
            event.stopPropagation()
          }
        }
        await done
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
        const { store, done } = begin(db, 'readwrite')
        const taken: QueueItem[] = []
        const writes: Promise<unknown>[] = []
        const until = request.now + request.leaseMs
        // Rows in insertion order, a chunk per request; most leases need one chunk.
        const chunk = Math.max(request.limit * 2, 64)
        let range: IDBKeyRange | undefined
        while (taken.length < request.limit) {
          const rows = (await requestResult(store.getAll(range, chunk))) as Row[]
          for (const row of rows) {
            if (taken.length >= request.limit) break
            if (row.availableAt > request.now || row.leasedUntil > request.now) continue
            writes.push(requestResult(store.put({ ...row, leasedUntil: until })))
            if (row.seq !== undefined) seqOf.set(row.id, row.seq)
            taken.push(toItem(row))
          }
          const last = rows.at(-1)?.seq
          if (rows.length < chunk || last === undefined) break
          range = IDBKeyRange.lowerBound(last, true)
        }
        await Promise.all([...writes, done])
        return taken
      },
      (queue) => queue.lease(request),
    )
  }

  /** The row key of `id`: from memory when known, else through the index. */
  const keyOf = async (byId: IDBIndex, id: string): Promise<number | undefined> =>
    seqOf.get(id) ?? ((await requestResult(byId.getKey(id))) as number | undefined)

  /** Changes the rows of `ids` in one readwrite transaction. */
  const updateRows = async (ids: readonly string[], change: (row: Row) => Row): Promise<void> => {
    await settle()
    await run(
      async (db) => {
        const { store, done } = begin(db, 'readwrite')
        const byId = store.index('byId')
        for (const id of ids) {
          const key = await keyOf(byId, id)
          const row = key === undefined ? undefined : ((await requestResult(store.get(key))) as Row | undefined)
          if (row !== undefined) await requestResult(store.put(change(row)))
        }
        await done
      },
      async () => undefined,
    )
  }

  /** Deletes the rows of `ids`: one range request per run of consecutive known keys. */
  const removeRows = async (ids: readonly string[]): Promise<void> => {
    await settle()
    await run(
      async (db) => {
        const { store, done } = begin(db, 'readwrite')
        const byId = store.index('byId')
        const keys: number[] = []
        for (const id of ids) {
          const key = await keyOf(byId, id)
          seqOf.delete(id)
          if (key !== undefined) keys.push(key)
        }
        const writes: Promise<unknown>[] = []
        // Keys are unique integers: a run a, a+1, ..., b holds no row outside `keys`.
        for (const [from, to] of toRuns(keys)) writes.push(requestResult(store.delete(from === to ? from : IDBKeyRange.bound(from, to))))
        await Promise.all([...writes, done])
      },
      async () => undefined,
    )
  }

  const queue: IdbQueue = {
    enqueue,
    lease,
    remove: (ids) => (memory ? memory.remove(ids) : removeRows(ids)),
    release: (ids, availableAt) =>
      memory
        ? memory.release(ids, availableAt)
        : updateRows(ids, (row) => ({ ...row, attempts: row.attempts + 1, availableAt, leasedUntil: 0 })),
    defer: (ids, availableAt) =>
      memory ? memory.defer(ids, availableAt) : updateRows(ids, (row) => ({ ...row, availableAt, leasedUntil: 0 })),
    peek: async () => {
      await settle()
      return run(
        async (db) =>
          ((await requestResult(begin(db, 'readonly').store.getAll())) as Row[]).map((row) => {
            if (row.seq !== undefined) seqOf.set(row.id, row.seq)
            return toItem(row)
          }),
        (memoryQueue) => memoryQueue.peek(),
      )
    },
    size: async () => {
      await settle()
      return run((db) => requestResult(begin(db, 'readonly').store.count()), (memoryQueue) => memoryQueue.size())
    },
    storage: () => (memory === undefined ? 'indexeddb' : 'memory'),
    close: () => {
      void dbPromise?.then((db) => db.close()).catch(() => undefined)
      dbPromise = undefined
    },
  }
  return queue
}

/** Sorted integer keys as inclusive runs of consecutive values: [1, 2, 3, 7] gives [[1, 3], [7, 7]]. */
function toRuns(keys: readonly number[]): [number, number][] {
  const sorted = [...keys].sort((a, b) => a - b)
  const runs: [number, number][] = []
  for (const key of sorted) {
    const last = runs.at(-1)
    if (last !== undefined && key === last[1] + 1) last[1] = key
    else if (last === undefined || key !== last[1]) runs.push([key, key])
  }
  return runs
}
