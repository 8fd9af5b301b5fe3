import type { Queue, QueueItem } from '@ecrm/core'
import { createMemoryQueue } from '@ecrm/core'
import { requestResult, transactionDone } from './idbRequests.js'

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

/** A stored row: the item plus its key (the insertion order) and lease. */
interface Row extends QueueItem {
  readonly seq: number
  /** Epoch ms until which another lease must skip this row. */
  readonly leasedUntil: number
}

const STORE = 'items'

/** The queue methods this outbox implements (`nextDueAt` is optional: its passes follow its own timers). */
type Method = Exclude<keyof Queue, 'nextDueAt'>

/** What queue method `K` resolves with. */
type Resolved<K extends Method> = Awaited<ReturnType<Queue[K]>>

/** The IndexedDB half of queue method `K`: its work on the outbox store, in the call's transaction. */
type Work<K extends Method> = (
  store: IDBObjectStore,
  ...args: Parameters<Queue[K]>
) => Resolved<K> | Promise<Resolved<K>>

const toItem = ({ seq: _seq, leasedUntil: _lease, ...item }: Row): QueueItem => item

/**
 * Creates the browser's durable outbox: an IndexedDB {@link Queue} that survives reloads and browser
 * restarts, shared by every tab of the origin. Nothing is opened until the first call. Each call is
 * one transaction, and IndexedDB runs the transactions of a store in the order they were made, so
 * a call sees every earlier call's writes (core's write-ahead turns a burst of events into one
 * `enqueue`, so one transaction). A lease marks its rows in one readwrite transaction, so two tabs
 * never lease the same item. When IndexedDB is missing or fails (private modes, quota), the queue
 * continues in memory and `storage()` says `'memory'`: events then survive neither a reload nor a
 * crash, and rows already on disk wait for the next visit.
 *
 * @example
 * const queue = createIdbQueue({ dbName: 'ecrm-WRITE_KEY' })
 * await queue.enqueue([item]); const due = await queue.lease({ now: Date.now(), limit: 100, leaseMs: 30_000 })
 */
export function createIdbQueue(options: IdbQueueOptions = {}): IdbQueue {
  let dbPromise: Promise<IDBDatabase> | undefined
  let memory: Queue | undefined
  /**
   * The row key of ids this tab leased, so the remove after a delivery reaches its rows without
   * an index lookup first. Keys are never reused, so a stale entry is harmless.
   */
  const seqOf = new Map<string, number>()

  const open = (): Promise<IDBDatabase> => {
    if (dbPromise === undefined) {
      // Version 1. Throws synchronously where IndexedDB is missing (a ReferenceError) and in some
      // sandboxed or opaque-origin contexts: the method then falls back to memory.
      const request = indexedDB.open(options.dbName ?? 'ecrm', 1)
      request.onupgradeneeded = () => {
        request.result
          .createObjectStore(STORE, { keyPath: 'seq', autoIncrement: true })
          .createIndex('byId', 'id', { unique: true })
      }
      dbPromise = requestResult(request).then((db) => {
        // Another tab wants a newer schema (versionchange): step aside so it is not blocked. The
        // browser ended the connection (close: storage cleared, crash): closing it again is a no-op.
        // Either way the next call reopens.
        db.onversionchange = db.onclose = () => {
          db.close()
          dbPromise = undefined
        }
        return db
      })
    }
    return dbPromise
  }

  /**
   * Makes queue method `name`: `work` runs in one transaction (readwrite unless told) on the
   * outbox store, and the call resolves with its result once the transaction has committed. Once
   * IndexedDB has failed, in this call or an earlier one, the memory queue's `name` (same
   * arguments, same result) runs instead, for good.
   */
  const method =
    <K extends Method>(name: K, work: Work<K>, mode: IDBTransactionMode = 'readwrite') =>
    async (...args: Parameters<Queue[K]>): Promise<Resolved<K>> => {
      if (memory === undefined) {
        try {
          // Transactions are made in call order: every call awaits the same connection promise.
          const tx = (await open()).transaction(STORE, mode)
          // Waiting on both also handles a commit that fails after the work did.
          const [result] = await Promise.all([work(tx.objectStore(STORE), ...args), transactionDone(tx)])
          return result
        } catch (error) {
          if (memory === undefined) {
            memory = createMemoryQueue()
            options.onFallback?.(error)
          }
        }
      }
      return (memory[name] as (...args: Parameters<Queue[K]>) => Promise<Resolved<K>>)(...args)
    }

  /** `release` (`addedAttempts` 1) and `defer` (0): the rows of `ids` due again at `availableAt`, lease ended. */
  const putBack =
    (addedAttempts: number): Work<'release' | 'defer'> =>
    async (store, ids, availableAt) => {
      for (const id of ids) {
        const row = (await requestResult(store.index('byId').get(id))) as Row | undefined
        if (row !== undefined)
          store.put({ ...row, attempts: row.attempts + addedAttempts, availableAt, leasedUntil: 0 })
      }
    }

  // Each IndexedDB request costs the main thread a round trip (~0.1 ms in Chromium), so every
  // method below issues as few as it can: one `add` per item, one `getAll` per lease, one
  // range `delete` per run of consecutive rows removed.
  return {
    enqueue: method('enqueue', (store, items) => {
      for (const item of items) {
        // Idempotent: an id already queued (e.g. a retried replay) fails the unique index;
        // preventDefault keeps that from aborting the rest of the transaction.
        store.add({ ...item, leasedUntil: 0 }).onerror = (event) => event.preventDefault()
      }
    }),
    lease: method('lease', async (store, { now, limit, leaseMs }) => {
      const taken: QueueItem[] = []
      // Rows in insertion order, a chunk per request; most leases need one chunk.
      const chunk = Math.max(limit * 2, 64)
      let after = 0 // keys start at 1
      while (taken.length < limit) {
        const rows = (await requestResult(store.getAll(IDBKeyRange.lowerBound(after, true), chunk))) as Row[]
        for (const row of rows) {
          after = row.seq
          if (taken.length < limit && row.availableAt <= now && row.leasedUntil <= now) {
            store.put({ ...row, leasedUntil: now + leaseMs })
            seqOf.set(row.id, row.seq)
            taken.push(toItem(row))
          }
        }
        if (rows.length < chunk) break
      }
      return taken
    }),
    remove: method('remove', async (store, ids) => {
      const byId = store.index('byId')
      // Known keys cost no request; the others are looked up all at once.
      const keys = await Promise.all(
        ids.map((id) => seqOf.get(id) ?? (requestResult(byId.getKey(id)) as Promise<number | undefined>)),
      )
      for (const id of ids) seqOf.delete(id)
      deleteRuns(
        store,
        keys.filter((key) => key !== undefined),
      )
    }),
    release: method('release', putBack(1)),
    defer: method('defer', putBack(0)),
    peek: method('peek', async (store) => ((await requestResult(store.getAll())) as Row[]).map(toItem), 'readonly'),
    size: method('size', (store) => requestResult(store.count()), 'readonly'),
    storage: () => (memory === undefined ? 'indexeddb' : 'memory'),
    close: () => {
      void dbPromise?.then(
        (db) => db.close(),
        () => undefined,
      )
      dbPromise = undefined
    },
  }
}

/**
 * Deletes the rows of `keys` with one range delete per run of consecutive keys: [7, 2, 1, 3]
 * deletes [1, 3] and [7, 7]. Row keys are unique integers, so a run holds no row outside `keys`.
 */
function deleteRuns(store: IDBObjectStore, keys: number[]): void {
  keys.sort((a, b) => a - b)
  let from = keys[0]
  for (const [index, key] of keys.entries()) {
    const next = keys[index + 1]
    // The run ends unless the next key continues it (a repeated key stays in its run).
    if (next !== key && next !== key + 1) {
      store.delete(IDBKeyRange.bound(from, key))
      from = next
    }
  }
}
