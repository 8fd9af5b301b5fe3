import type { Connectivity } from '../../src/ports.js'

/** A {@link Connectivity} port the test switches on and off. */
export interface FakeConnectivity extends Connectivity {
  readonly setOnline: (online: boolean) => void
}

/** Creates a switchable connectivity port, online unless told otherwise. */
export function createFakeConnectivity(online = true): FakeConnectivity {
  let isOnline = online
  const listeners = new Set<(online: boolean) => void>()
  return {
    isOnline: () => isOnline,
    subscribe(listener) {
      listeners.add(listener)
      return () => {
        listeners.delete(listener)
      }
    },
    setOnline(next) {
      if (next === isOnline) return
      isOnline = next
      for (const listener of [...listeners]) listener(next)
    },
  }
}
