import { describe, expect, it } from 'vitest'
import { createUnrefScheduler, MAX_TIMER_DELAY_MS, unrefScheduler } from '../src/nodePorts.js'

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

describe('unrefScheduler', () => {
  it('does not fire a delay past 2^31 - 1 ms early (setTimeout alone fires it after 1 ms)', async () => {
    let fired = 0
    const cancel = unrefScheduler.schedule(() => (fired += 1), MAX_TIMER_DELAY_MS + 1)
    const alsoLong = unrefScheduler.schedule(() => (fired += 1), 60 * 86_400_000) // a 60-day win-back
    await sleep(60)
    cancel()
    alsoLong()
    expect(fired).toBe(0)
  })

  it('still fires short delays', async () => {
    let fired = 0
    unrefScheduler.schedule(() => (fired += 1), 5)
    await sleep(60)
    expect(fired).toBe(1)
  })
})

describe('createUnrefScheduler with a small max step', () => {
  it('re-arms in steps until the real due time, then fires once', async () => {
    let nowMs = 1_000_000
    const steps: number[] = []
    const scheduler = createUnrefScheduler({ maxStepMs: 5, now: () => (steps.push(nowMs), nowMs) })
    const delayMs = 3 * MAX_TIMER_DELAY_MS // about 74 days
    let fired = 0
    scheduler.schedule(() => (fired += 1), delayMs)
    await sleep(40)
    expect(fired).toBe(0)
    expect(steps.length).toBeGreaterThan(2) // it woke several times and waited again

    nowMs += delayMs - 1 // one ms before due
    await sleep(30)
    expect(fired).toBe(0)

    nowMs += 1
    await sleep(30)
    expect(fired).toBe(1)
    await sleep(20)
    expect(fired).toBe(1)
  })

  it('cancels a long timer between steps', async () => {
    let nowMs = 0
    const scheduler = createUnrefScheduler({ maxStepMs: 5, now: () => nowMs })
    let fired = 0
    const cancel = scheduler.schedule(() => (fired += 1), 100)
    await sleep(20) // a few steps in
    cancel()
    nowMs = 200
    await sleep(30)
    expect(fired).toBe(0)
  })
})
