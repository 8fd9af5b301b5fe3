/**
 * The two promise wrappers the outbox needs over raw IndexedDB. The queue issues a handful of
 * request kinds (open, add, put, get, getAll, getKey, delete, count), so wrapping them directly costs far
 * fewer bytes in the script-tag bundle than a general wrapper library (idb's proxies and cursor
 * iterators are about 1 kB gzip of it).
 *
 * Promises resolve inside the request's success event, so code that awaits one may issue the next
 * request in the same transaction: the transaction is still active while microtasks run (the HTML
 * and IndexedDB specifications, as implemented by every current engine).
 */

/** Resolves with the result of `request`, or rejects with its error. */
export function requestResult<T>(request: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result)
    request.onerror = () => reject(request.error)
  })
}

/**
 * Resolves when `tx` commits; rejects with its error when it aborts (a failed request that was not
 * `preventDefault`ed, quota, a failed commit all end in an abort; the queue never aborts a
 * transaction itself, the one case without an error).
 */
export function transactionDone(tx: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve()
    tx.onabort = () => reject(tx.error)
  })
}
