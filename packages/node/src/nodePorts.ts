import { randomUUID } from 'node:crypto'
import type { Clock, Logger, Scheduler } from '@ecrm/core'

/** Epoch ms from `Date.now`. */
export const systemClock: Clock = { now: () => Date.now() }

/** The longest delay `setTimeout` honours (2^31 − 1 ms, about 24.8 days); past it Node fires after 1 ms. */
export const MAX_TIMER_DELAY_MS = 2_147_483_647

/** Options of {@link createUnrefScheduler}. */
export interface UnrefSchedulerOptions {
  /** The longest single `setTimeout`; longer delays wait in steps. @default MAX_TIMER_DELAY_MS */
  readonly maxStepMs?: number
  /** Epoch ms, to measure what is left of a long delay. @default Date.now */
  readonly now?: () => number
}

/**
 * Creates a {@link Scheduler} of timers that never keep the process alive on their own (`unref`)
 * and honour delays of any length: a delay past `maxStepMs` is waited in steps, re-armed until
 * the real due time (a 60-day win-back timer would otherwise fire after 1 ms).
 *
 * @example
 * const scheduler = createUnrefScheduler()
 * const cancel = scheduler.schedule(() => remind(), 60 * 86_400_000)
 */
export function createUnrefScheduler({ maxStepMs = MAX_TIMER_DELAY_MS, now = Date.now }: UnrefSchedulerOptions = {}): Scheduler {
  return {
    schedule(callback, delayMs) {
      const dueAt = now() + Math.max(0, delayMs)
      let timer: ReturnType<typeof setTimeout> | undefined
      const arm = (waitMs: number): void => {
        timer = setTimeout(step, Math.min(Math.max(0, waitMs), maxStepMs))
        timer.unref()
      }
      // Re-check the clock at each wake: a step may end a little early, and only the due time counts.
      function step(): void {
        const leftMs = dueAt - now()
        if (leftMs > 0) arm(leftMs)
        else callback()
      }
      arm(delayMs)
      return () => clearTimeout(timer)
    },
  }
}

/**
 * Timers that never keep the process alive on their own (`unref`): a server's event loop has
 * other reasons to live, and a script should exit when its work is done. Call `close()` (or
 * `flush()`) before exiting so nothing waits in a timer when it does. Delays past 2^31 − 1 ms
 * are waited in steps ({@link createUnrefScheduler}).
 */
export const unrefScheduler: Scheduler = createUnrefScheduler()

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
