import type { Cancel } from '../ports.js'
import type { ClientState, Stats } from './clientTypes.js'
import { createEmitter } from './emitter.js'
import type { Guard } from './emitter.js'

/**
 * Reports a problem that is not thrown, as an {@link EcrmError} with this code, message and
 * cause: on `onError`, the `error` event and `stats().lastError`.
 */
export type Report = (code: string, message: string, cause?: unknown) => void

/** What the snapshot reads from elsewhere: the state without its stats, plus the held count. */
export type ClientStateSource = () => Omit<ClientState, 'stats'> & { readonly held: number }

/** Mutable counters and last error behind {@link Stats}; call `publish` after changing them. */
export interface Counters {
  queued: number
  sent: number
  retried: number
  dropped: number
  deadLettered: number
  rejected: number
  /** The last error reported on onError. */
  lastError?: NonNullable<Stats['lastError']>
}

/** The client's observable state. */
export interface ClientStateHandle {
  readonly counters: Counters
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
 * Creates the client's state: counters, the last error, and a frozen snapshot for
 * `getState`/`subscribe` (the shape React's `useSyncExternalStore` needs). The snapshot and its
 * nested parts (stats, consent) keep their identity until they change, so selectors over them do
 * not re-render React for nothing. A throwing listener is caught by `guard` and does not stop the
 * others.
 */
export function createClientState(read: ClientStateSource, guard: Guard): ClientStateHandle {
  const counters: Counters = { queued: 0, sent: 0, retried: 0, dropped: 0, deadLettered: 0, rejected: 0 }
  // One emitter with one event name: the listeners of subscribe().
  const listeners = createEmitter((_where, run) => guard('a state listener', run))
  let state: ClientState | undefined
  let isStale = true

  const refresh = (): ClientState => {
    isStale = false
    const { held, ...parts } = read()
    const next = {
      ...parts,
      consent: keep(state?.consent, parts.consent),
      stats: keep(state?.stats, { ...counters, held }),
    }
    if (state === undefined || !isShallowEqual(state, next)) {
      state = Object.freeze(next)
      listeners.emit('change')
    }
    return state
  }

  return {
    counters,
    publish() {
      isStale = true
      if (listeners.has('change')) refresh()
    },
    get: () => (isStale || state === undefined ? refresh() : state),
    subscribe(listener) {
      // A new subscriber starts from a current snapshot, so its first change is a real one.
      if (isStale) refresh()
      return listeners.on('change', listener)
    },
  }
}

/** `previous` when `next` holds the same values, so the part keeps its identity. */
function keep<T extends object>(previous: T | undefined, next: T): T {
  return previous !== undefined && isShallowEqual(previous, next) ? previous : next
}

/** Same keys, each with the same value (`Object.is`). */
function isShallowEqual(a: object, b: object): boolean {
  const keys = Object.keys(b)
  return (
    keys.length === Object.keys(a).length &&
    keys.every((key) => Object.is((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key]))
  )
}
