import type { Cancel } from '../ports.js'

/**
 * Runs host code (a hook, handler or listener) so that a throw is logged and goes no further:
 * the host's bugs must not break the client. `where` names the code in the log.
 */
export type Guard = (where: string, run: () => void) => void

/** Named events with handlers; a throwing handler is caught by the guard, never propagated. */
export interface Emitter {
  readonly on: (name: string, handler: (payload: unknown) => void) => Cancel
  readonly emit: (name: string, payload?: unknown) => void
  /** Whether anyone listens to `name`: lets a caller skip building a payload nobody reads. */
  readonly has: (name: string) => boolean
}

/**
 * Creates a small event emitter: the one pub-sub of the client (named client events, and state
 * changes for `subscribe`). Handlers run synchronously in subscription order; a handler added
 * during an emit is not called for that emit.
 */
export function createEmitter(guard: Guard): Emitter {
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
      for (const handler of [...(handlers.get(name) ?? [])]) guard(`a handler of "${name}"`, () => handler(payload))
    },
    has: (name) => (handlers.get(name)?.size ?? 0) > 0,
  }
}
