import { describe, expect, it } from 'vitest'
import { createDeliveryEngine, RETRY_DEFAULTS } from '../../src/delivery/index.js'
import type { DeliveryEngineOptions, ItemFate } from '../../src/delivery/index.js'
import { createMemoryQueue } from '../../src/pipeline/memoryQueue.js'
import type { QueueItem } from '../../src/ports.js'
import { createManualClock } from '../fakes/index.js'

const item = (id: string, createdAt: number): QueueItem => ({
  id,
  payload: `{"id":"${id}"}`,
  bytes: 12,
  priority: 0,
  createdAt,
  attempts: 0,
  availableAt: createdAt,
})

/** A send that answers each item from `fate(id, call)`; `call` counts sends of that id from 1. */
function setup(fate: (id: string, call: number) => ItemFate | undefined, options: Partial<DeliveryEngineOptions> = {}) {
  const time = createManualClock()
  const queue = createMemoryQueue()
  const calls = new Map<string, number>()
  const sent: string[][] = []
  const deadLetters: { ids: string[]; reason: string }[] = []
  const engine = createDeliveryEngine({
    queue,
    clock: time,
    batchSize: 10,
    random: () => 0.5,
    retry: { maxAttempts: 3, baseDelayMs: 1_000, maxDelayMs: 60_000 },
    async send(items) {
      sent.push(items.map((entry) => entry.id))
      const fates = new Map<string, ItemFate>()
      for (const { id } of items) {
        const call = (calls.get(id) ?? 0) + 1
        calls.set(id, call)
        const answer = fate(id, call)
        if (answer !== undefined) fates.set(id, answer)
      }
      return fates
    },
    onDeadLetter: (items, reason) => deadLetters.push({ ids: items.map((entry) => entry.id), reason }),
    ...options,
  })
  const enqueue = (...ids: string[]) => queue.enqueue(ids.map((id) => item(id, time.now())))
  return { time, queue, engine, sent, deadLetters, enqueue }
}

const retry = (reason = 'status 503', retryAfterMs?: number): ItemFate =>
  retryAfterMs === undefined ? { kind: 'retry', reason } : { kind: 'retry', reason, retryAfterMs }

describe('createDeliveryEngine', () => {
  it('removes delivered items and counts them', async () => {
    const { engine, queue, enqueue } = setup(() => ({ kind: 'delivered' }))
    await enqueue('a', 'b')
    expect(await engine.pass()).toEqual({ sent: 2, retried: 0, deadLettered: 0 })
    expect(await queue.size()).toBe(0)
    expect(engine.stats()).toEqual({ sent: 2, retried: 0, deadLettered: 0, pausedUntil: 0, inFlight: 0 })
  })

  it('backs off with full jitter, counts attempts, and dead-letters after maxAttempts', async () => {
    const { engine, queue, enqueue, time, deadLetters } = setup(() => retry())
    await enqueue('a')
    const first = await engine.pass()
    // attempt 1: 0.5 of min(60 s, 1 s) = 500 ms
    expect(first).toEqual({ sent: 0, retried: 1, deadLettered: 0, wakeAt: time.now() + 500 })
    expect((await queue.peek())[0]).toMatchObject({ attempts: 1, availableAt: time.now() + 500 })
    await time.advance(500)
    expect((await engine.pass()).wakeAt).toBe(time.now() + 1_000)
    await time.advance(1_000)
    expect(await engine.pass()).toEqual({ sent: 0, retried: 0, deadLettered: 1 })
    expect(deadLetters).toEqual([{ ids: ['a'], reason: 'gave up after 3 attempts (last: status 503)' }])
    expect(await queue.size()).toBe(0)
  })

  it('jitters: the backoff follows the random draw', async () => {
    const { engine, enqueue, time } = setup(() => retry(), { random: () => 0.1 })
    await enqueue('a')
    expect((await engine.pass()).wakeAt).toBe(time.now() + 100)
  })

  it('defers on Retry-After without counting an attempt, and holds every pass until then', async () => {
    const { engine, queue, enqueue, time, sent } = setup((id, call) =>
      id === 'a' && call === 1 ? retry('status 429', 30_000) : { kind: 'delivered' },
    )
    await enqueue('a')
    const start = time.now()
    expect(await engine.pass()).toEqual({ sent: 0, retried: 1, deadLettered: 0, wakeAt: start + 30_000 })
    expect((await queue.peek())[0]).toMatchObject({ attempts: 0, availableAt: start + 30_000 })
    expect(engine.stats().pausedUntil).toBe(start + 30_000)
    await enqueue('b')
    expect(await engine.pass()).toEqual({ sent: 0, retried: 0, deadLettered: 0, wakeAt: start + 30_000 })
    expect(sent).toEqual([['a']])
    await time.advance(30_000)
    expect((await engine.pass()).sent).toBe(2)
    expect(engine.stats().pausedUntil).toBe(0)
  })

  it('caps a Retry-After at retry.maxDelayMs', async () => {
    const { engine, enqueue, time } = setup(() => retry('status 503', 86_400_000))
    await enqueue('a')
    expect((await engine.pass()).wakeAt).toBe(time.now() + 60_000)
  })

  it('counts no attempt for a failure while offline, and starts no pass offline', async () => {
    let online = true
    const { engine, queue, enqueue, sent } = setup(
      () => {
        online = false
        return retry('network error: offline')
      },
      { isOnline: () => online },
    )
    await enqueue('a')
    const result = await engine.pass()
    expect(result.retried).toBe(0)
    expect((await queue.peek())[0]?.attempts).toBe(0)
    expect(await engine.pass()).toEqual({ sent: 0, retried: 0, deadLettered: 0 })
    expect(sent).toEqual([['a']])
  })

  it('dead-letters items older than retry.maxAgeMs without sending them', async () => {
    const { engine, enqueue, time, sent, deadLetters } = setup(() => ({ kind: 'delivered' }), {
      retry: { maxAgeMs: 1_000 },
    })
    await enqueue('old')
    await time.advance(1_000)
    await enqueue('new')
    expect(await engine.pass()).toEqual({ sent: 1, retried: 0, deadLettered: 1 })
    expect(sent).toEqual([['new']])
    expect(deadLetters).toEqual([{ ids: ['old'], reason: 'older than retry.maxAgeMs (1000 ms)' }])
  })

  it('hands refused items to onDeadLetter grouped by reason', async () => {
    const { engine, enqueue, deadLetters } = setup((id) => ({
      kind: 'dead_letter',
      reason: id === 'c' ? 'invalid number' : 'bounce',
    }))
    await enqueue('a', 'b', 'c')
    await engine.pass()
    expect(deadLetters).toEqual([
      { ids: ['a', 'b'], reason: 'bounce' },
      { ids: ['c'], reason: 'invalid number' },
    ])
  })

  it('defers items a send left untried to the retry time, uncounted, and stops the pass', async () => {
    const { engine, queue, enqueue, time } = setup((id) =>
      id === 'a' ? { kind: 'delivered' } : id === 'b' ? retry() : undefined,
    )
    await enqueue('a', 'b', 'c')
    const result = await engine.pass()
    expect(result).toEqual({ sent: 1, retried: 1, deadLettered: 0, wakeAt: time.now() + 500 })
    expect(await queue.peek()).toMatchObject([
      { id: 'b', attempts: 1, availableAt: time.now() + 500 },
      { id: 'c', attempts: 0, availableAt: time.now() + 500 },
    ])
  })

  it('removes what a send settles before the send goes on (a crash re-sends only what is in flight)', async () => {
    const time = createManualClock()
    const queue = createMemoryQueue()
    const seen: number[] = []
    const engine = createDeliveryEngine({
      queue,
      clock: time,
      batchSize: 10,
      async send(items, settle) {
        for (const entry of items) {
          await settle(new Map([[entry.id, { kind: 'delivered' }]]))
          seen.push(await queue.size())
        }
        return new Map()
      },
    })
    await queue.enqueue(['a', 'b', 'c'].map((id) => item(id, time.now())))
    expect((await engine.pass()).sent).toBe(3)
    expect(seen).toEqual([2, 1, 0])
  })

  it('leases batch after batch until the queue runs dry', async () => {
    const { engine, enqueue, sent } = setup(() => ({ kind: 'delivered' }), { batchSize: 2 })
    await enqueue('a', 'b', 'c')
    expect((await engine.pass()).sent).toBe(3)
    expect(sent).toEqual([['a', 'b'], ['c']])
  })

  it('reports the items under way as inFlight and pause() holds passes', async () => {
    let during = -1
    const { engine, enqueue, time } = setup(() => {
      during = engine.stats().inFlight
      return { kind: 'delivered' }
    })
    await enqueue('a', 'b')
    await engine.pass()
    expect(during).toBe(2)
    engine.pause(time.now() + 5_000)
    await enqueue('c')
    expect(await engine.pass()).toEqual({ sent: 0, retried: 0, deadLettered: 0, wakeAt: time.now() + 5_000 })
  })

  it('wakes when the queue says an item not due yet falls due (a retry left by an earlier run)', async () => {
    const time = createManualClock()
    const memory = createMemoryQueue()
    const dueAt = time.now() + 1_500
    const queue = { ...memory, nextDueAt: async () => (await memory.peek())[0]?.availableAt }
    const engine = createDeliveryEngine({ queue, clock: time, batchSize: 10, send: async () => new Map() })
    await memory.enqueue([{ ...item('later', time.now()), availableAt: dueAt }])
    expect(await engine.pass()).toEqual({ sent: 0, retried: 0, deadLettered: 0, wakeAt: dueAt })
    await memory.remove(['later'])
    expect((await engine.pass()).wakeAt).toBeUndefined()
  })

  it('uses RETRY_DEFAULTS for the fields not given', async () => {
    expect(RETRY_DEFAULTS).toEqual({ maxAttempts: 10, baseDelayMs: 1_000, maxDelayMs: 300_000, maxAgeMs: 604_800_000 })
    const { engine, enqueue, time } = setup(() => retry(), { retry: { maxAttempts: 2 } })
    await enqueue('a')
    expect((await engine.pass()).wakeAt).toBe(time.now() + 500)
  })
})
