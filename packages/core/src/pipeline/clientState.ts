import type { Cancel } from '../ports.js'
import type { ClientState, Stats, UserSnapshot } from './clientTypes.js'
import { createStateStore } from './stateStore.js'

/** Where the snapshot's parts come from. */
export interface ClientStateSource {
  readonly user: () => UserSnapshot
  readonly consent: () => Record<string, boolean | undefined>
  readonly held: () => number
  readonly isOnline: () => boolean
  readonly isStarted: () => boolean
  readonly isClosed: () => boolean
}

/** Mutable counters behind {@link Stats}; call `publish` after changing them. */
export interface Counters {
  queued: number
  sent: number
  retried: number
  dropped: number
  deadLettered: number
  rejected: number
}

/** The client's observable state. */
export interface ClientStateHandle {
  readonly counters: Counters
  readonly setLastError: (lastError: NonNullable<Stats['lastError']>) => void
  /**
   * Says the state may have changed. With subscribers, the snapshot is rebuilt and they are told
   * at once (only if something changed); with none, it is only marked stale and rebuilt by the
   * next `get`, so a server that never looks pays nothing per call.
   */
  readonly publish: () => void
  readonly get: () => ClientState
  readonly subscribe: (listener: () => void) => Cancel
}

/**
 * Creates the client's state: counters, the last error, and an immutable snapshot for
 * `getState`/`subscribe` whose nested parts (stats, consent) keep their identity until they change,
 * so selectors over them do not re-render React for nothing.
 */
export function createClientState(source: ClientStateSource, onListenerError: (error: unknown) => void): ClientStateHandle {
  const counters: Counters = { queued: 0, sent: 0, retried: 0, dropped: 0, deadLettered: 0, rejected: 0 }
  let lastError: Stats['lastError']
  const readStats = (): Stats => {
    const base = { ...counters, held: source.held() }
    return lastError === undefined ? base : { ...base, lastError }
  }
  const snapshot = (): ClientState => ({
    user: source.user(),
    consent: source.consent(),
    stats: readStats(),
    isOnline: source.isOnline(),
    isStarted: source.isStarted(),
    isClosed: source.isClosed(),
  })
  const store = createStateStore<ClientState>(snapshot(), onListenerError)
  let consentSeen = JSON.stringify(store.get().consent)
  let isStale = false

  const refresh = (): void => {
    isStale = false
    store.update((current) => {
      const next = snapshot()
      const consentText = JSON.stringify(next.consent)
      const consent = consentText === consentSeen ? current.consent : next.consent
      consentSeen = consentText
      return { ...next, consent, stats: isSameStats(current.stats, next.stats) ? current.stats : next.stats }
    })
  }

  return {
    counters,
    setLastError(next) {
      lastError = next
    },
    publish() {
      isStale = true
      if (store.hasListeners()) refresh()
    },
    get() {
      if (isStale) refresh()
      return store.get()
    },
    subscribe(listener) {
      // A new subscriber starts from a current snapshot, so its first change is a real one.
      if (isStale) refresh()
      return store.subscribe(listener)
    },
  }
}

function isSameStats(a: Stats, b: Stats): boolean {
  const keys = Object.keys(b) as (keyof Stats)[]
  return keys.length === Object.keys(a).length && keys.every((key) => Object.is(a[key], b[key]))
}
