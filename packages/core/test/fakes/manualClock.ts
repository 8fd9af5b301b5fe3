import type { Cancel, Clock, Scheduler } from '../../src/ports.js'

/** A clock and scheduler driven by the test, never by real time. */
export interface ManualClock extends Clock, Scheduler {
  /** The {@link Clock} port (the same object). */
  readonly clock: Clock
  /** The {@link Scheduler} port (the same object). */
  readonly scheduler: Scheduler
  /**
   * Moves time forward by `ms`, running each due callback in time order (ties in scheduling
   * order) at its own time, and letting pending promises settle before and after each one.
   */
  readonly advance: (ms: number) => Promise<void>
  /** Lets pending promise chains run (a few macrotask turns), without moving time. */
  readonly settle: () => Promise<void>
  /** Number of scheduled callbacks not yet run or cancelled. */
  readonly pending: () => number
}

/** Options of {@link createManualClock}. */
export interface ManualClockOptions {
  /** Epoch ms at start. @default Date.parse('2026-01-01T00:00:00.000Z') */
  readonly startAt?: number
  /**
   * Macrotask turns `settle` waits. Raise it for ports that need several real turns per
   * operation (fake-indexeddb, file I/O). @default 10
   */
  readonly settleTurns?: number
}

/**
 * A manual clock and scheduler in one object, for tests of code that takes the Clock and
 * Scheduler ports.
 *
 * @example
 * const time = createManualClock()
 * const client = createCoreClient(options, { clock: time, scheduler: time, queue, transport })
 * await time.advance(5_000)
 */
export function createManualClock(options: ManualClockOptions = {}): ManualClock {
  let now = options.startAt ?? Date.parse('2026-01-01T00:00:00.000Z')
  const settleTurns = options.settleTurns ?? 10
  let sequence = 0
  const timers = new Map<number, { at: number; callback: () => void }>()

  const settle = async (): Promise<void> => {
    for (let turn = 0; turn < settleTurns; turn += 1) await new Promise<void>((resolve) => setImmediate(resolve))
  }

  const nextDue = (until: number): [number, { at: number; callback: () => void }] | undefined => {
    let best: [number, { at: number; callback: () => void }] | undefined
    for (const entry of timers) {
      if (entry[1].at > until) continue
      if (best === undefined || entry[1].at < best[1].at) best = entry
    }
    return best
  }

  const self: ManualClock = {
    now: () => now,
    schedule(callback, delayMs): Cancel {
      const id = (sequence += 1)
      timers.set(id, { at: now + Math.max(0, delayMs), callback })
      return () => {
        timers.delete(id)
      }
    },
    async advance(ms) {
      const target = now + ms
      await settle()
      for (let due = nextDue(target); due !== undefined; due = nextDue(target)) {
        const [id, timer] = due
        timers.delete(id)
        now = Math.max(now, timer.at)
        timer.callback()
        await settle()
      }
      now = target
      await settle()
    },
    settle,
    pending: () => timers.size,
    get clock() {
      return self
    },
    get scheduler() {
      return self
    },
  }
  return self
}
