import type { Clock, Scheduler } from '../../src/ports.js'

/** Lets pending promise chains (the engine's async store calls) run to completion. */
export async function settle(): Promise<void> {
  for (let round = 0; round < 5; round += 1) await new Promise<void>((resolve) => setImmediate(resolve))
}

/**
 * A manual clock and scheduler: time moves only with `advance`, which runs due callbacks in time
 * order, each at its own due time, and lets the async work they start settle.
 */
export function createManualTime(startAt: number): {
  clock: Clock
  scheduler: Scheduler
  advance: (ms: number) => Promise<void>
  setTo: (at: number) => Promise<void>
  scheduled: () => number
} {
  let now = startAt
  let nextId = 0
  const tasks = new Map<number, { at: number; callback: () => void }>()
  const clock: Clock = { now: () => now }
  const scheduler: Scheduler = {
    schedule(callback, delayMs) {
      const id = (nextId += 1)
      tasks.set(id, { at: now + Math.max(0, delayMs), callback })
      return () => {
        tasks.delete(id)
      }
    },
  }
  async function setTo(target: number): Promise<void> {
    await settle()
    for (;;) {
      const due = [...tasks.entries()].filter(([, task]) => task.at <= target).sort((a, b) => a[1].at - b[1].at || a[0] - b[0])
      const first = due[0]
      if (first === undefined) break
      const [id, task] = first
      tasks.delete(id)
      now = Math.max(now, task.at)
      task.callback()
      await settle()
    }
    now = target
    await settle()
  }
  return { clock, scheduler, advance: (ms) => setTo(now + ms), setTo, scheduled: () => tasks.size }
}
