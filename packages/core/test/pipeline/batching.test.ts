import { describe, expect, it } from 'vitest'
import type { QueueItem } from '../../src/ports.js'
import { createMemoryQueue } from '../../src/pipeline/memoryQueue.js'
import { utf8Length } from '../../src/pipeline/utf8.js'
import { createSequentialIds } from '../fakes/index.js'
import { setupClient } from './clientSetup.js'

describe('createCoreClient batching', () => {
  it('writes each event to the queue before any send', async () => {
    const { client, queue, requests, time } = setupClient()
    const result = client.track({ userId: 'u1', event: 'Product Viewed', properties: { sku: 'a' } })
    expect(result).toMatchObject({ ok: true, messageId: 'msg-1' })
    await time.settle()
    expect(requests).toHaveLength(0)
    const [item] = await queue.peek()
    expect(item?.id).toBe('msg-1')
    expect(JSON.parse(item?.payload ?? '')).toMatchObject({
      type: 'track',
      event: 'Product Viewed',
      userId: 'u1',
      messageId: 'msg-1',
    })
    expect(item?.payload).not.toContain('sentAt')
  })

  it('flushes on the timer: nothing before flushIntervalMs, everything after', async () => {
    const { client, requests, time, queue } = setupClient([], { batch: { flushIntervalMs: 5_000 } })
    client.track({ userId: 'u1', event: 'A' })
    await time.advance(2_000)
    client.track({ userId: 'u1', event: 'B' })
    await time.advance(2_999)
    expect(requests).toHaveLength(0)
    await time.advance(1)
    expect(requests).toHaveLength(1)
    expect(requests[0]?.json.batch.map((event) => event['event'])).toEqual(['A', 'B'])
    expect(await queue.size()).toBe(0)
  })

  it('flushes as soon as maxEvents events are queued, in batches of maxEvents', async () => {
    const { client, requests, time } = setupClient([], { batch: { maxEvents: 3 } })
    for (const name of ['A', 'B', 'C', 'D', 'E']) client.track({ userId: 'u1', event: name })
    await time.settle()
    expect(requests.map((request) => request.json.batch.length)).toEqual([3, 2])
    expect(requests.flatMap((request) => request.json.batch.map((event) => event['event']))).toEqual([
      'A',
      'B',
      'C',
      'D',
      'E',
    ])
  })

  it('keeps every request body within batch.maxBytes and flushes when the bytes are reached', async () => {
    const maxBytes = 2_000
    const { client, requests, time } = setupClient([], { batch: { maxBytes } })
    for (let n = 0; n < 12; n += 1)
      client.track({ userId: 'u1', event: `E${n}`, properties: { text: 'é'.repeat(200) } })
    await time.settle()
    expect(requests.length).toBeGreaterThan(1)
    for (const request of requests) expect(utf8Length(request.body)).toBeLessThanOrEqual(maxBytes)
    expect(requests.flatMap((request) => request.json.batch.map((event) => event['event']))).toEqual(
      Array.from({ length: 12 }, (_, n) => `E${n}`),
    )
  })

  it('has one request in flight at a time', async () => {
    let inFlight = 0
    let most = 0
    const slow = async () => {
      inFlight += 1
      most = Math.max(most, inFlight)
      await new Promise((resolve) => setTimeout(resolve, 5))
      inFlight -= 1
      return { type: 'response', status: 200, retryAfter: null } as const
    }
    const { client, requests } = setupClient([slow, slow, slow, slow], { batch: { maxEvents: 2 } })
    for (let n = 0; n < 8; n += 1) client.track({ userId: 'u1', event: `E${n}` })
    await Promise.all([client.flush(), client.flush(), client.flush()])
    expect(requests.flatMap((request) => request.json.batch)).toHaveLength(8)
    expect(most).toBe(1)
  })

  it('refuses an event bigger than maxEventBytes, naming its size and the limit', async () => {
    const { client, queue, time } = setupClient([], { limits: { maxEventBytes: 1_000 } })
    const result = client.track({ userId: 'u1', event: 'Big', properties: { blob: 'x'.repeat(2_000) } })
    expect(result.ok).toBe(false)
    if (result.ok || result.dropped || result.closed) return
    expect(result.error.message).toMatch(
      /track\(\) refused the event: \(root\) \(\d{4} bytes serialised, over limits\.maxEventBytes \(1000\)/,
    )
    expect(result.error.issues[0]?.code).toBe('too_large')
    await time.settle()
    expect(await queue.size()).toBe(0)
    expect(client.stats().rejected).toBe(1)
  })

  it('sends nothing before start(), then the backlog of an earlier session at once', async () => {
    const queue = createMemoryQueue()
    const earlier = setupClient([], {}, { queue })
    earlier.client.track({ userId: 'u1', event: 'Left Behind' })
    await earlier.time.settle()
    // The earlier session ends without flushing (a tab closed mid-interval).
    const { client, requests, time } = setupClient(
      [],
      {},
      { queue, createId: createSequentialIds('second-') },
      { start: false },
    )
    client.track({ userId: 'u1', event: 'Before Start' })
    await time.advance(60_000)
    expect(requests).toHaveLength(0)
    client.start()
    await time.settle()
    expect(requests.flatMap((request) => request.json.batch.map((event) => event['event']))).toEqual([
      'Left Behind',
      'Before Start',
    ])
  })

  it('starts each write at once, even while an earlier write is still under way', async () => {
    // A queue that runs its calls in order (as IndexedDB runs the transactions of a store), whose
    // first enqueue hangs until released, as an IndexedDB opening or a slow disk would.
    const memory = createMemoryQueue()
    let release = (): void => undefined
    let tail = new Promise<void>((resolve) => (release = resolve))
    const enqueued: string[][] = []
    const queue = {
      ...memory,
      enqueue: (items: readonly QueueItem[]) => {
        enqueued.push(items.map((item) => (JSON.parse(item.payload) as { event: string }).event))
        tail = tail.then(() => memory.enqueue(items))
        return tail
      },
    }
    const { client, requests, time } = setupClient([], {}, { queue })
    client.track({ userId: 'u1', event: 'A' })
    await time.settle()
    client.track({ userId: 'u1', event: 'B' })
    client.track({ userId: 'u1', event: 'C' })
    await time.settle()
    // The later run's write is in the queue's hands although the first has not landed: a page
    // closed now can still send it (the browser's page exit) and the queue can commit it.
    expect(enqueued).toEqual([['A'], ['B', 'C']])
    expect(client.stats().queued).toBe(0)
    const flushed = client.flush()
    await time.settle()
    // A flush still waits for every write accepted before it.
    expect(requests).toHaveLength(0)
    release()
    await flushed
    expect(requests.flatMap((request) => request.json.batch.map((event) => event['event']))).toEqual(['A', 'B', 'C'])
    expect(client.stats()).toMatchObject({ sent: 3, queued: 0 })
  })
})
