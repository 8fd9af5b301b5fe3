import { randomUUID } from 'node:crypto'
import { MAX_TIMER_DELAY_MS, createLogger, withLongDelays } from '@ecrm/core'
import type { Clock, Logger, LoggerOptions, Scheduler } from '@ecrm/core'

/** Epoch ms from `Date.now`. */
export const systemClock: Clock = { now: () => Date.now() }

/** The longest delay `setTimeout` honours (2^31 − 1 ms, about 24.8 days); core's constant. */
export { MAX_TIMER_DELAY_MS }

/** Options of {@link createUnrefScheduler}. */
export interface UnrefSchedulerOptions {
  /** The longest single `setTimeout`; longer delays wait in steps. @default MAX_TIMER_DELAY_MS */
  readonly maxStepMs?: number
  /** Epoch ms, to measure what is left of a long delay. @default Date.now */
  readonly now?: () => number
}

/** `setTimeout`, unref'd. */
const unrefTimeouts: Scheduler = {
  schedule(callback, delayMs) {
    const timer = setTimeout(callback, delayMs)
    timer.unref()
    return () => clearTimeout(timer)
  },
}

/**
 * Creates a {@link Scheduler} of timers that never keep the process alive on their own (`unref`)
 * and honour delays of any length, through core's `withLongDelays`: a delay past `maxStepMs` is
 * waited in steps, re-armed until the real due time (a 60-day win-back timer would otherwise
 * fire after 1 ms).
 *
 * @example
 * const scheduler = createUnrefScheduler()
 * const cancel = scheduler.schedule(() => remind(), 60 * 86_400_000)
 */
export function createUnrefScheduler({
  maxStepMs = MAX_TIMER_DELAY_MS,
  now = Date.now,
}: UnrefSchedulerOptions = {}): Scheduler {
  return withLongDelays(unrefTimeouts, { now }, maxStepMs)
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

/** A {@link Logger} on the console (core's `createLogger`), prefixed `[ecrm]`; debug lines only when asked. */
export function createConsoleLogger(options: LoggerOptions = {}): Logger {
  return createLogger(console, options)
}

/**
 * Whether `ECRM_DEBUG` asks for the debug log (`1` or `true`). Read through `globalThis`, so a
 * runtime without `process` (an edge worker) answers false instead of throwing.
 */
export function isDebugEnv(): boolean {
  const value = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.['ECRM_DEBUG']
  return value === '1' || value === 'true'
}
