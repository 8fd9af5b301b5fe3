import type { BrowserClient } from '@ecrm/browser'

/** A call waiting for the client to exist. */
type PendingCall = (client: BrowserClient) => void

/**
 * Holds the one client of a provider across React's lifecycle: created after mount, kept through
 * StrictMode's unmount-and-remount, closed only when the provider really goes away. Calls made
 * before the client exists are buffered and replayed in order, so nothing is lost.
 */
export interface ClientHolder {
  /** The client, or `undefined` before it is created and after it is closed. */
  readonly get: () => BrowserClient | undefined
  /** Calls `listener` when the client appears or goes away. */
  readonly subscribe: (listener: () => void) => () => void
  /** Runs `call` on the client now, or as soon as it exists. */
  readonly run: (call: PendingCall) => void
  /** Creates the client (or keeps the one a remount left), returning the release for the effect's cleanup. */
  readonly acquire: (create: () => BrowserClient) => () => void
}

/** Creates a holder; pure, so React may call it twice in StrictMode. */
export function createClientHolder(given?: BrowserClient): ClientHolder {
  let client = given
  let pendingClose: ReturnType<typeof setTimeout> | undefined
  const pending: PendingCall[] = []
  const listeners = new Set<() => void>()
  const notify = (): void => {
    for (const listener of listeners) listener()
  }

  const drain = (current: BrowserClient): void => {
    for (const call of pending.splice(0)) call(current)
  }

  return {
    get: () => client,
    subscribe(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
    run(call) {
      if (client === undefined) pending.push(call)
      else call(client)
    },
    acquire(create) {
      // StrictMode runs effect, cleanup, effect: the second run cancels the first cleanup's close.
      if (pendingClose !== undefined) clearTimeout(pendingClose)
      pendingClose = undefined
      if (client === undefined) {
        client = create()
        drain(client)
        notify()
      }
      return () => {
        pendingClose = setTimeout(() => {
          const closing = client
          client = undefined
          pendingClose = undefined
          notify()
          void closing?.close()
        }, 0)
      }
    },
  }
}
