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

/** A stored row: the item plus its key (the insertion order) and lease. */
interface Row extends QueueItem {
  readonly seq: number
  /** Epoch ms until which another lease must skip this row. */
  readonly leasedUntil: number
}

const STORE = 'items'

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
  let dbPromise: Promise<IDBDatabase> | undefined
  let memory: Queue | undefined
  /** The items enqueued this tick, written together a microtask later. */
  let pending: QueueItem[] | undefined
  /** The latest write of enqueued items: the other methods wait for it, so they see those items. */
  let written: Promise<void> = Promise.resolve()
  /**
   * The row key of ids this tab leased, so the remove after a delivery reaches its rows without
   * an index lookup first. Keys are never reused, so a stale entry is harmless.
   */
  const seqOf = new Map<string, number>()

  const open = (): Promise<IDBDatabase> => {
    if (typeof indexedDB === 'undefined') throw new Error('IndexedDB is not available')
    const upgrade = (db: IDBDatabase): void => {
      db.createObjectStore(STORE, { keyPath: 'seq', autoIncrement: true }).createIndex('byId', 'id', { unique: true })
    }
    return (dbPromise ??= openDatabase(options.dbName ?? 'ecrm', upgrade).then((db) => {
      // Another tab wants a newer schema: step aside so it is not blocked, reopen on next use.
      db.onversionchange = () => {
        db.close()
        dbPromise = undefined
      }
      // The browser closed the connection (storage cleared, crash): reopen on next use.
      db.onclose = () => (dbPromise = undefined)
      return db
    }))
  }

  /**
   * Runs `work` in one transaction (readwrite unless told) on the outbox store and resolves with
   * its result once the transaction has committed. Once IndexedDB has failed, in this call or an
   * earlier one, runs `onMemory` on the memory queue instead, for good.
   */
  const run = async <T>(
    work: (store: IDBObjectStore) => T | Promise<T>,
    onMemory: (queue: Queue) => Promise<T>,
    mode: IDBTransactionMode = 'readwrite',
  ): Promise<T> => {
    if (memory === undefined) {
      try {
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
    return onMemory(memory)
  }

  /** Makes `method` wait for this tick's enqueues to be written first. */
  const afterWrites =
    <A extends unknown[], T>(method: (...args: A) => Promise<T>) =>
    async (...args: A): Promise<T> => {
      await written.catch(() => undefined)
      return method(...args)
    }

  // Each IndexedDB request costs the main thread a round trip (~0.1 ms in Chromium), so every
  // method below issues as few as it can: one `add` per item, one `getAll` per lease, one
  // range `delete` per run of consecutive rows removed.
  const enqueue = (items: readonly QueueItem[]): Promise<void> => {
    if (pending === undefined) {
      const batch: QueueItem[] = []
      pending = batch
      written = Promise.resolve().then(() => {
        pending = undefined
        const write = (store: IDBObjectStore): void => {
          for (const item of batch) {
            // Idempotent: an id already queued (e.g. a retried replay) fails the unique index;
            // preventDefault keeps that from aborting the rest of the transaction.
            store.add({ ...item, leasedUntil: 0 }).onerror = (event) => event.preventDefault()
          }
        }
        return run(write, (queue) => queue.enqueue(batch))
      })
    }
    pending.push(...items)
    return written
  }

  const lease = (request: LeaseRequest) =>
    run(
      async (store) => {
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
      },
      (queue) => queue.lease(request),
    )

  const remove = (ids: readonly string[]) =>
    run(
      async (store) => {
        const byId = store.index('byId')
        // Known keys cost no request; the others are looked up all at once.
        const keys = await Promise.all(ids.map((id) => seqOf.get(id) ?? (requestResult(byId.getKey(id)) as Promise<number | undefined>)))
        for (const id of ids) seqOf.delete(id)
        // Keys are unique integers: a run a, a+1, ..., b holds no row outside `keys`.
        for (const [from, to] of toRuns(keys.filter((key) => key !== undefined))) store.delete(IDBKeyRange.bound(from, to))
      },
      (queue) => queue.remove(ids),
    )

  /** `release` and `defer`: rows due again at `availableAt`, lease ended; `release` counts an attempt. */
  const putBack = (name: 'release' | 'defer') => (ids: readonly string[], availableAt: number) =>
    run(
      async (store) => {
        const attempts = name === 'release' ? 1 : 0
        for (const id of ids) {
          const row = (await requestResult(store.index('byId').get(id))) as Row | undefined
          if (row !== undefined) store.put({ ...row, attempts: row.attempts + attempts, availableAt, leasedUntil: 0 })
        }
      },
      (queue) => queue[name](ids, availableAt),
    )

  const peek = () =>
    run(
      async (store) => ((await requestResult(store.getAll())) as Row[]).map(toItem),
      (queue) => queue.peek(),
      'readonly',
    )

  return {
    enqueue,
    lease: afterWrites(lease),
    remove: afterWrites(remove),
    release: afterWrites(putBack('release')),
    defer: afterWrites(putBack('defer')),
    peek: afterWrites(peek),
    size: afterWrites(() => run((store) => requestResult(store.count()), (queue) => queue.size(), 'readonly')),
    storage: () => (memory === undefined ? 'indexeddb' : 'memory'),
    close: () => {
      void dbPromise?.then((db) => db.close(), () => undefined)
      dbPromise = undefined
    },
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
