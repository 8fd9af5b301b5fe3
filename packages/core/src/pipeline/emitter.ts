import type { Cancel } from '../ports.js'

/** Named events with handlers; a throwing handler is reported, never propagated. */
export interface Emitter {
  readonly on: (name: string, handler: (payload: unknown) => void) => Cancel
  readonly emit: (name: string, payload: unknown) => void
  /** Whether anyone listens to `name`: lets a caller skip building a payload nobody reads. */
  readonly has: (name: string) => boolean
  readonly clear: () => void
}

/**
 * Creates a small event emitter. Handlers run synchronously in subscription order; a handler
 * added during an emit is not called for that emit.
 */
export function createEmitter(onHandlerError: (name: string, error: unknown) => void): Emitter {
  const handlers = new Map<string, Set<(payload: unknown) => void>>()
  return {
    on(name, handler) {
      let set = handlers.get(name)
      if (set === undefined) handlers.set(name, (set = new Set()))
      // Wrap so the same function can subscribe twice and cancel independently.
      const entry = (payload: unknown): void => handler(payload)
      set.add(entry)
      return () => {
        set.delete(entry)
      }
    },
    emit(name, payload) {
      const set = handlers.get(name)
      if (set === undefined) return
      for (const handler of [...set]) {
        try {
          handler(payload)
        } catch (error) {
          onHandlerError(name, error)
        }
      }
    },
    has: (name) => (handlers.get(name)?.size ?? 0) > 0,
    clear() {
      handlers.clear()
    },
  }
}
