import { describe, expect, it } from 'vitest'
import { createFakeConnectivity, respond } from '../fakes/index.js'
import { setupClient } from './clientSetup.js'

describe('createCoreClient retries', () => {
  it('500, 500, 500 then 200 delivers once, with backoff between tries', async () => {
    const { client, requests, time, queue, deadLetters } = setupClient([
      respond(500),
      respond(500),
      respond(500),
      respond(200),
    ])
    client.track({ userId: 'u1', event: 'Signed Up' })
    await time.advance(5_000)
    expect(requests).toHaveLength(1)
    // random() = 0.5: waits of 500, 1_000 and 2_000 ms (half of 1 s · 2^(n−1)).
    await time.advance(499)
    expect(requests).toHaveLength(1)
    await time.advance(1)
    expect(requests).toHaveLength(2)
    await time.advance(1_000)
    expect(requests).toHaveLength(3)
    await time.advance(2_000)
    expect(requests).toHaveLength(4)
    await time.advance(600_000)
    expect(requests).toHaveLength(4)
    expect(await queue.size()).toBe(0)
    expect(deadLetters).toEqual([])
    expect(client.stats()).toMatchObject({ sent: 1, retried: 3, deadLettered: 0, queued: 0 })
  })

  it('keeps messageId and originalTimestamp across retries and sets sentAt at each send', async () => {
    const { client, requests, time } = setupClient([respond(503), { type: 'timeout' }, respond(200)])
    client.track({ userId: 'u1', event: 'Order Completed', properties: { order_id: 'o-1' } })
    await time.advance(60_000)
    expect(requests).toHaveLength(3)
    const sent = requests.map((request) => request.json.batch[0] ?? {})
    expect(new Set(sent.map((event) => event['messageId']))).toEqual(new Set(['msg-1']))
    expect(new Set(sent.map((event) => event['originalTimestamp']))).toEqual(new Set(['2026-01-01T00:00:00.000Z']))
    expect(new Set(sent.map((event) => event['timestamp']))).toEqual(new Set(['2026-01-01T00:00:00.000Z']))
    const sentAts = sent.map((event) => event['sentAt'])
    expect(new Set(sentAts).size).toBe(3)
    for (const [index, request] of requests.entries()) expect(request.json.sentAt).toBe(sentAts[index])
    expect(Date.parse(String(sentAts[0]))).toBe(Date.parse('2026-01-01T00:00:05.000Z'))
  })

  it('429 with Retry-After: 30 sends nothing for 30 s, without counting an attempt', async () => {
    const { client, requests, time, queue } = setupClient([respond(429, '30')])
    client.track({ userId: 'u1', event: 'A' })
    await time.advance(5_000)
    expect(requests).toHaveLength(1)
    client.track({ userId: 'u1', event: 'B' })
    await client.flush()
    await time.advance(29_999)
    expect(requests).toHaveLength(1)
    const [item] = await queue.peek()
    expect(item?.attempts).toBe(0)
    await time.advance(1)
    expect(requests).toHaveLength(2)
    expect(requests[1]?.json.batch.map((event) => event['event'])).toEqual(['A', 'B'])
    expect(await queue.size()).toBe(0)
  })

  it('400 dead-letters once and never retries', async () => {
    const { client, requests, time, deadLetters, errors, queue } = setupClient([respond(400)])
    client.track({ userId: 'u1', event: 'Broken' })
    await time.advance(5_000)
    await time.advance(3_600_000)
    expect(requests).toHaveLength(1)
    expect(deadLetters).toHaveLength(1)
    expect(deadLetters[0]?.reason).toContain('400')
    expect(deadLetters[0]?.events.map((event) => event.messageId)).toEqual(['msg-1'])
    expect(errors.map((error) => error.code)).toContain('dead_letter')
    expect(await queue.size()).toBe(0)
    expect(client.stats().deadLettered).toBe(1)
  })

  it('413 splits the batch in halves, retries each, and dead-letters a single event that still gets 413', async () => {
    // The backend takes at most 2 events a request, and never the one called "Huge".
    const limited = (request: { json: { batch: Record<string, unknown>[] } }) =>
      request.json.batch.some((event) => event['event'] === 'Huge') || request.json.batch.length > 2
        ? respond(413)
        : respond(200)
    const run = setupClient(Array.from({ length: 20 }, () => limited))
    for (const name of ['A', 'B', 'Huge', 'C', 'D']) run.client.track({ userId: 'u1', event: name })
    await run.client.flush()
    const batches = run.requests.map((request) => request.json.batch.map((event) => event['event']))
    // 5 → 3 + 2; 3 → 2 + 1: [A,B,Huge,C,D] 413, [A,B,Huge] 413, [A,B] 200, [Huge] 413, [C,D] 200.
    expect(batches).toEqual([['A', 'B', 'Huge', 'C', 'D'], ['A', 'B', 'Huge'], ['A', 'B'], ['Huge'], ['C', 'D']])
    expect(run.deadLetters).toHaveLength(1)
    expect(run.deadLetters[0]?.events.map((event) => (event as { event?: string }).event)).toEqual(['Huge'])
    expect(run.deadLetters[0]?.reason).toContain('413')
    expect(await run.queue.size()).toBe(0)
    expect(run.client.stats()).toMatchObject({ sent: 4, deadLettered: 1, retried: 0 })
  })

  it('dead-letters after maxAttempts failed attempts', async () => {
    const { client, requests, time, deadLetters, queue } = setupClient(
      Array.from({ length: 10 }, () => respond(502)),
      { retry: { maxAttempts: 3 } },
    )
    client.track({ userId: 'u1', event: 'A' })
    await time.advance(3_600_000)
    expect(requests).toHaveLength(3)
    expect(deadLetters).toHaveLength(1)
    expect(deadLetters[0]?.reason).toMatch(/gave up after 3 attempts \(last: status 502\)/)
    expect(await queue.size()).toBe(0)
  })

  it('dead-letters an event older than maxAgeMs instead of sending it', async () => {
    const { client, requests, time, deadLetters } = setupClient([respond(503, '3600')], {
      retry: { maxAgeMs: 60_000, maxDelayMs: 3_600_000 },
    })
    client.track({ userId: 'u1', event: 'Stale' })
    await time.advance(5_000)
    await time.advance(3_600_000)
    expect(requests).toHaveLength(1)
    expect(deadLetters).toHaveLength(1)
    expect(deadLetters[0]?.reason).toContain('maxAgeMs')
  })

  it('sends nothing while offline and resumes when back online, without counting attempts', async () => {
    const connectivity = createFakeConnectivity(false)
    const { client, requests, time, queue } = setupClient([], {}, { connectivity })
    client.track({ userId: 'u1', event: 'Offline' })
    await time.advance(120_000)
    expect(requests).toHaveLength(0)
    expect(client.getState().isOnline).toBe(false)
    connectivity.setOnline(true)
    await time.settle()
    expect(requests).toHaveLength(1)
    expect(await queue.size()).toBe(0)
    expect(client.getState().isOnline).toBe(true)
  })

  it('defers without counting when a send fails because the device went offline', async () => {
    const connectivity = createFakeConnectivity(true)
    const dropLink = () => {
      connectivity.setOnline(false)
      return { type: 'network-error', cause: new Error('offline') } as const
    }
    const { client, requests, time, queue } = setupClient([dropLink], {}, { connectivity })
    client.track({ userId: 'u1', event: 'A' })
    await time.advance(5_000)
    expect(requests).toHaveLength(1)
    expect((await queue.peek())[0]?.attempts).toBe(0)
    connectivity.setOnline(true)
    await time.settle()
    expect(requests).toHaveLength(2)
    expect(await queue.size()).toBe(0)
  })
})
