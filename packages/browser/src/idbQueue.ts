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

/** What queue method `K` resolves with. */
type Resolved<K extends keyof Queue> = Awaited<ReturnType<Queue[K]>>

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
      // sandboxed or opaque-origin contexts: `run` then falls back to memory.
      const request = indexedDB.open(options.dbName ?? 'ecrm', 1)
      request.onupgradeneeded = () => {
        request.result.createObjectStore(STORE, { keyPath: 'seq', autoIncrement: true }).createIndex('byId', 'id', { unique: true })
      }
      dbPromise = requestResult(request).then((db) => {
        // Another tab wants a newer schema: step aside so it is not blocked, reopen on next use.
        db.onversionchange = () => {
          db.close()
          dbPromise = undefined
        }
        // The browser closed the connection (storage cleared, crash): reopen on next use.
        db.onclose = () => (dbPromise = undefined)
        return db
      })
    }
    return dbPromise
  }

  /**
   * Runs `work` in one transaction (readwrite unless told) on the outbox store and resolves with
   * its result once the transaction has committed. Once IndexedDB has failed, in this call or an
   * earlier one, calls method `name` of the memory queue with `args` instead, for good.
   */
  const run = async <K extends keyof Queue>(
    name: K,
    args: Parameters<Queue[K]>,
    work: (store: IDBObjectStore) => Resolved<K> | Promise<Resolved<K>>,
    mode: IDBTransactionMode = 'readwrite',
  ): Promise<Resolved<K>> => {
    if (memory === undefined) {
      try {
        // Transactions are made in call order: every call awaits the same connection promise.
        const tx = (await open()).transaction(STORE, mode)
        const done = transactionDone(tx)
        const result = await work(tx.objectStore(STORE))
        await done
        return result
      } catch (error) {
        if (memory === undefined) {
          memory = createMemoryQueue()
          options.onFallback?.(error)
        }
      }
    }
    // The memory queue has the same methods, with the same arguments.
    return (memory[name] as (...args: Parameters<Queue[K]>) => Promise<Resolved<K>>)(...args)
  }

  // Each IndexedDB request costs the main thread a round trip (~0.1 ms in Chromium), so every
  // method below issues as few as it can: one `add` per item, one `getAll` per lease, one
  // range `delete` per run of consecutive rows removed.
  return {
    enqueue: (items) =>
      run('enqueue', [items], (store) => {
        for (const item of items) {
          // Idempotent: an id already queued (e.g. a retried replay) fails the unique index;
          // preventDefault keeps that from aborting the rest of the transaction.
          store.add({ ...item, leasedUntil: 0 }).onerror = (event) => event.preventDefault()
        }
      }),
    lease: (request) =>
      run('lease', [request], async (store) => {
        const { now, limit } = request
        const taken: QueueItem[] = []
        // Rows in insertion order, a chunk per request; most leases need one chunk.
        const chunk = Math.max(limit * 2, 64)
        let after = 0 // keys start at 1
        while (taken.length < limit) {
          const rows = (await requestResult(store.getAll(IDBKeyRange.lowerBound(after, true), chunk))) as Row[]
          for (const row of rows) {
            after = row.seq
            if (taken.length < limit && row.availableAt <= now && row.leasedUntil <= now) {
              store.put({ ...row, leasedUntil: now + request.leaseMs })
              seqOf.set(row.id, row.seq)
              taken.push(toItem(row))
            }
          }
          if (rows.length < chunk) break
        }
        return taken
      }),
    remove: (ids) =>
      run('remove', [ids], async (store) => {
        const byId = store.index('byId')
        // Known keys cost no request; the others are looked up all at once.
        const keys = await Promise.all(ids.map((id) => seqOf.get(id) ?? (requestResult(byId.getKey(id)) as Promise<number | undefined>)))
        for (const id of ids) seqOf.delete(id)
        // Keys are unique integers: a run a, a+1, ..., b holds no row outside `keys`.
        for (const [from, to] of toRuns(keys.filter((key) => key !== undefined))) store.delete(IDBKeyRange.bound(from, to))
      }),
    release: (ids, availableAt) => run('release', [ids, availableAt], (store) => putBack(store, ids, availableAt, 1)),
    defer: (ids, availableAt) => run('defer', [ids, availableAt], (store) => putBack(store, ids, availableAt, 0)),
    peek: () => run('peek', [], async (store) => ((await requestResult(store.getAll())) as Row[]).map(toItem), 'readonly'),
    size: () => run('size', [], (store) => requestResult(store.count()), 'readonly'),
    storage: () => (memory === undefined ? 'indexeddb' : 'memory'),
    close: () => {
      void dbPromise?.then((db) => db.close(), () => undefined)
      dbPromise = undefined
    },
  }
}

/** `release` and `defer`: the rows of `ids` due again at `availableAt`, lease ended, `addedAttempts` more attempts. */
async function putBack(store: IDBObjectStore, ids: readonly string[], availableAt: number, addedAttempts: number): Promise<void> {
  for (const id of ids) {
    const row = (await requestResult(store.index('byId').get(id))) as Row | undefined
    if (row !== undefined) store.put({ ...row, attempts: row.attempts + addedAttempts, availableAt, leasedUntil: 0 })
  }
}

/** Integer keys as sorted, inclusive runs of consecutive values: [7, 2, 1, 3] gives [[1, 3], [7, 7]]. */
function toRuns(keys: readonly number[]): [number, number][] {
  const runs: [number, number][] = []
  for (const key of [...keys].sort((a, b) => a - b)) {
    const last = runs.at(-1)
    // `<=`: a repeated key stays in its run.
    if (last !== undefined && key <= last[1] + 1) last[1] = key
    else runs.push([key, key])
  }
  return runs
}
