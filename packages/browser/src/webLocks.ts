import type { Transport, TransportOutcome } from '@ecrm/core'

/** The part of `navigator.locks` used here. */
export interface LockManagerLike {
  /** Runs `callback` while holding the exclusive lock `name` (waiting while another tab holds it); resolves with its result. */
  readonly request: <T>(name: string, callback: () => Promise<T>) => Promise<T>
}

/**
 * Wraps a transport so that, across all tabs of the origin, one request is in flight at a time
 * (a Web Lock named `lockName`), where Web Locks exist. The IndexedDB lease already guarantees two
 * tabs never send the same items; the lock adds one flusher at a time, so tabs do not hammer a
 * struggling backend together. Keepalive (unload) requests skip the lock: a closing page cannot wait.
 */
export function withSenderLock(transport: Transport, lockName: string, locks?: LockManagerLike): Transport {
  return {
    send: (request): Promise<TransportOutcome> => {
      // Read at send time; missing outside secure contexts and in older runtimes.
      const manager = locks ?? (globalThis.navigator?.locks as LockManagerLike | undefined)
      if (manager === undefined || request.keepalive) return transport.send(request)
      return manager
        .request(lockName, () => transport.send(request))
        .catch((cause: unknown): TransportOutcome => ({ type: 'network-error', cause }))
    },
  }
}
