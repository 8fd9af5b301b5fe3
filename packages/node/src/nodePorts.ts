import { randomUUID } from 'node:crypto'
import type { Clock, Logger, Scheduler } from '@ecrm/core'

/** Epoch ms from `Date.now`. */
export const systemClock: Clock = { now: () => Date.now() }

/**
 * Timers that never keep the process alive on their own (`unref`): a server's event loop has
 * other reasons to live, and a script should exit when its work is done. Call `close()` (or
 * `flush()`) before exiting so nothing waits in a timer when it does.
 */
export const unrefScheduler: Scheduler = {
  schedule(callback, delayMs) {
    const timer = setTimeout(callback, delayMs)
    timer.unref()
    return () => clearTimeout(timer)
  },
}

/** RFC 4122 v4 ids from the platform's CSPRNG. */
export const createNodeId = (): string => randomUUID()

/** A {@link Logger} on the console, prefixed; debug lines only when asked. */
export function createConsoleLogger({ debug = false }: { readonly debug?: boolean } = {}): Logger {
  return {
    debug: (message, detail) => {
      if (debug) console.debug(`[ecrm] ${message}`, detail ?? '')
    },
    warn: (message, detail) => console.warn(`[ecrm] ${message}`, detail ?? ''),
    error: (message, detail) => console.error(`[ecrm] ${message}`, detail ?? ''),
  }
}
