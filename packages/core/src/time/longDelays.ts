import type { Cancel, Clock, Scheduler } from '../ports.js'

/**
 * The longest delay `setTimeout` honours in browsers, Node, Deno and Bun (2^31 − 1 ms, about
 * 24.8 days); past it they fire after about 1 ms, so a 60-day win-back timer would fire at once.
 */
export const MAX_TIMER_DELAY_MS = 2_147_483_647

/**
 * Wraps a {@link Scheduler} so delays of any length are honoured: a delay past `maxStepMs` is
 * waited in steps, and at each wake the clock decides whether the due time has come (a step may
 * end a little early or late; only the due time counts). The rule engine wraps every scheduler it
 * is given, so browser and server timers behave alike; adapters need not split delays themselves.
 *
 * @example
 * const scheduler = withLongDelays({ schedule: (run, ms) => { const t = setTimeout(run, ms); return () => clearTimeout(t) } }, clock)
 * scheduler.schedule(remind, 60 * 86_400_000) // fires in 60 days, not in 1 ms
 */
export function withLongDelays(scheduler: Scheduler, clock: Clock, maxStepMs: number = MAX_TIMER_DELAY_MS): Scheduler {
  return {
    schedule(callback, delayMs) {
      const waitMs = Math.max(0, delayMs)
      if (waitMs <= maxStepMs) return scheduler.schedule(callback, waitMs)
      const dueAt = clock.now() + waitMs
      let cancel: Cancel = () => undefined
      let cancelled = false
      const step = (): void => {
        if (cancelled) return
        const leftMs = dueAt - clock.now()
        if (leftMs > 0) cancel = scheduler.schedule(step, Math.min(leftMs, maxStepMs))
        else callback()
      }
      cancel = scheduler.schedule(step, maxStepMs)
      return () => {
        cancelled = true
        cancel()
      }
    },
  }
}
