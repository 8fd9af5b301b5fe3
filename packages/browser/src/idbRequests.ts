/**
 * The few promise wrappers the outbox needs over raw IndexedDB. The queue issues a handful of
 * request kinds (add, put, get, getAll, getKey, delete, count), so wrapping them directly costs far
 * fewer bytes in the script-tag bundle than a general wrapper library (idb's proxies and cursor
 * iterators are about 1 kB gzip of it).
 *
 * Promises resolve inside the request's success event, so code that awaits one may issue the next
 * request in the same transaction: the transaction is still active while microtasks run (the HTML
 * and IndexedDB specifications, as implemented by every current engine).
 */

/** What {@link openDatabase} calls while the connection lives. */
export interface OpenHandlers {
  /** Creates the schema of a new or older database (inside the version-change transaction). */
  readonly upgrade: (db: IDBDatabase) => void
  /** Another connection (a newer SDK in another tab) wants to upgrade: close so it is not blocked. */
  readonly blocking: (db: IDBDatabase) => void
  /** The browser closed the connection (storage cleared, a crash): forget it and reopen on next use. */
  readonly terminated: () => void
}

/** Resolves with the result of `request`, or rejects with its error. */
export function requestResult<T>(request: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result)
    request.onerror = () => reject(request.error)
  })
}

/**
 * Resolves when `tx` commits; rejects when it fails or aborts. The returned promise is marked
 * handled, so a transaction that fails after its caller stopped listening is no unhandled rejection.
 */
export function transactionDone(tx: IDBTransaction): Promise<void> {
  const done = new Promise<void>((resolve, reject) => {
    const fail = (): void => reject(tx.error ?? new Error('IndexedDB transaction aborted'))
    tx.oncomplete = () => resolve()
    tx.onerror = fail
    tx.onabort = fail
  })
  done.catch(() => undefined)
  return done
}

/** Opens `name` at `version`, creating or upgrading its schema with `handlers.upgrade`. */
export function openDatabase(name: string, version: number, handlers: OpenHandlers): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    // Throws synchronously in some sandboxed or opaque-origin contexts: the executor turns it into a rejection.
    const request = indexedDB.open(name, version)
    request.onupgradeneeded = () => handlers.upgrade(request.result)
    request.onsuccess = () => {
      const db = request.result
      db.onversionchange = () => handlers.blocking(db)
      db.onclose = handlers.terminated
      resolve(db)
    }
    request.onerror = () => reject(request.error)
  })
}
