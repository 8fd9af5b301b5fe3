import type { Cancel } from '../ports.js'

/** A value that changes by replacement, with listeners; for `getState`/`subscribe`. */
export interface StateStore<T extends object> {
  readonly get: () => T
  /** Applies `change`; listeners run only if some top-level field changed identity. */
  readonly update: (change: (current: T) => Partial<T>) => void
  readonly subscribe: (listener: () => void) => Cancel
  /** Whether anyone is subscribed (with no one, a caller can defer building the next value). */
  readonly hasListeners: () => boolean
}

/**
 * Creates an immutable-snapshot store (the shape React's `useSyncExternalStore` needs): each
 * change makes a new object, no change keeps the old one. A throwing listener is passed to
 * `onListenerError` and does not stop the others.
 */
export function createStateStore<T extends object>(initial: T, onListenerError: (error: unknown) => void): StateStore<T> {
  let state = Object.freeze({ ...initial })
  const listeners = new Set<() => void>()
  return {
    get: () => state,
    update(change) {
      const patch = change(state)
      const changed = (Object.keys(patch) as (keyof T)[]).some((key) => !Object.is(patch[key], state[key]))
      if (!changed) return
      state = Object.freeze({ ...state, ...patch })
      for (const listener of [...listeners]) {
        try {
          listener()
        } catch (error) {
          onListenerError(error)
        }
      }
    },
    hasListeners: () => listeners.size > 0,
    subscribe(listener) {
      // Wrapped so one function subscribed twice is two subscriptions.
      const entry = (): void => listener()
      listeners.add(entry)
      return () => {
        listeners.delete(entry)
      }
    },
  }
}
