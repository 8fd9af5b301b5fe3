import { describe, expect, it } from 'vitest'
import type { EcrmError } from '../../src/errors.js'
import { createPipelineClient } from '../../src/pipeline/createCoreClient.js'
import type { DroppedResult, EnqueueResult } from '../../src/pipeline/clientTypes.js'
import { createMemoryQueue } from '../../src/pipeline/memoryQueue.js'
import { createManualClock, createScriptedTransport, createSequentialIds, respond } from '../fakes/index.js'
import type { ScriptedOutcome } from '../fakes/index.js'
import { setupClient } from './clientSetup.js'

const names = (payloads: readonly { payload: string }[]): unknown[] =>
  payloads.map(({ payload }) => {
    const event = JSON.parse(payload) as { event?: string; name?: string }
    return event.event ?? event.name
  })

describe('createCoreClient bounded queue (at the call)', () => {
  it('drops at the call once a priority has filled its share, says so, and never evicts what it queued', async () => {
    const { client, queue, time, errors } = setupClient(
      Array.from({ length: 50 }, () => respond(503)),
      { limits: { maxEvents: 8 } },
    )
    const results: EnqueueResult[] = []
    // Shares of 8: views 4, other events 6, conversions 7, Order Completed 8.
    for (let n = 0; n < 6; n += 1) results.push(client.page({ userId: 'u1', name: `P${n}` }))
    for (let n = 0; n < 3; n += 1)
      results.push(client.track({ userId: 'u1', event: 'Product Added', properties: { n } }))
    for (let n = 0; n < 2; n += 1)
      results.push(client.track({ userId: 'u1', event: 'Checkout Started', properties: { n } }))
    for (let n = 0; n < 2; n += 1)
      results.push(client.track({ userId: 'u1', event: 'Order Completed', properties: { order_id: `o-${n}` } }))
    expect(results.map((result) => (result.ok ? 'queued' : result.dropped ? 'dropped' : 'refused'))).toEqual([
      ...['queued', 'queued', 'queued', 'queued', 'dropped', 'dropped'],
      ...['queued', 'queued', 'dropped'],
      ...['queued', 'dropped'],
      ...['queued', 'dropped'],
    ])
    const dropped = results.filter((result): result is DroppedResult => !result.ok && result.dropped === true)
    for (const result of dropped) {
      expect(result.error.code).toBe('queue_full')
      expect(result.error.message).toMatch(
        /limits \(maxEvents 8, maxBytes 5000000; an event of priority \d may fill \d+(\.\d+)? % of them/,
      )
    }
    expect(client.stats().dropped).toBe(5)
    // One report per run of drops (each later run starts after an event fitted).
    expect(errors.filter((error) => error.code === 'queue_full')).toHaveLength(4)
    await time.settle()
    const queued = await queue.peek()
    expect(queued.map((item) => item.id)).toEqual(
      results.filter((result) => result.ok).map((result) => result.messageId),
    )
    expect(names(queued)).toEqual([
      'P0',
      'P1',
      'P2',
      'P3',
      'Product Added',
      'Product Added',
      'Checkout Started',
      'Order Completed',
    ])
  })

  it('bounds by bytes too, and fits new events again once delivery made room', async () => {
    const { client, queue, time } = setupClient([respond(200)], { limits: { maxBytes: 3_000 } })
    const results = Array.from({ length: 10 }, (_, n) =>
      client.track({ userId: 'u1', event: 'Signed Up', properties: { n, pad: 'x'.repeat(400) } }),
    )
    const kept = results.filter((result) => result.ok).length
    expect(kept).toBeGreaterThan(0)
    expect(kept).toBeLessThan(10)
    await time.settle()
    const items = await queue.peek()
    expect(items.reduce((sum, item) => sum + item.bytes, 0)).toBeLessThanOrEqual(3_000 * 0.875)
    expect(client.stats().dropped).toBe(10 - kept)
    await client.flush()
    expect(await queue.size()).toBe(0)
    expect(client.track({ userId: 'u1', event: 'Signed Up', properties: { pad: 'x'.repeat(400) } }).ok).toBe(true)
  })

  it('ready() resolves once the events are written and the queue is back under limits.highWaterBytes', async () => {
    const { client, queue, time } = setupClient([respond(503), respond(200)], {
      limits: { highWaterBytes: 1_000 },
      retry: { baseDelayMs: 1_000 },
    })
    for (let n = 0; n < 5; n += 1)
      client.track({ userId: 'u1', event: 'Signed Up', properties: { n, pad: 'x'.repeat(300) } })
    let isReady = false
    const ready = client.ready().then(() => (isReady = true))
    await time.settle()
    // Written, but 5 × ~400 bytes is over the mark, and the first send fails.
    expect(await queue.size()).toBe(5)
    await client.flush()
    await time.settle()
    expect(isReady).toBe(false)
    await time.advance(2_000)
    await ready
    expect(await queue.size()).toBe(0)
    // Nothing pending and under the mark: at once.
    await client.ready()
  })

  it('rejects a limits.highWaterBytes that is not a positive number, naming it', () => {
    expect(() => setupClient([], { limits: { highWaterBytes: 0 } })).toThrow(
      /Invalid option: limits\.highWaterBytes \(expected a number above 0, got 0\)/,
    )
  })
})

/** The browser's pipeline (createPipelineClient, no admission) on fakes. */
function setupPipeline(outcomes: readonly ScriptedOutcome[], limits: { maxEvents?: number; maxBytes?: number }) {
  const time = createManualClock()
  const queue = createMemoryQueue()
  const { transport } = createScriptedTransport(outcomes)
  const errors: EcrmError[] = []
  const values = new Map<string, string>()
  const client = createPipelineClient(
    {
      writeKey: 'wk',
      endpoint: 'https://collect.test',
      limits,
      library: { name: 'test', version: '0' },
      onError: (error) => errors.push(error),
    },
    {
      clock: time,
      scheduler: time,
      queue,
      transport,
      storage: {
        get: (key) => values.get(key),
        set: (key, value) => void values.set(key, value),
        remove: (key) => void values.delete(key),
      },
      connectivity: { isOnline: () => true, subscribe: () => () => {} },
      logger: { debug: () => {}, warn: () => {}, error: () => {} },
      createId: createSequentialIds('msg-'),
      random: () => 0.5,
    },
  )
  client.start()
  return { client, queue, time, errors }
}

describe('createPipelineClient bounded queue (after the write, as the browser)', () => {
  it('under pressure evicts page views first, then other events, and Order Completed last', async () => {
    const { client, queue, time, errors } = setupPipeline(
      Array.from({ length: 50 }, () => respond(503)),
      { maxEvents: 4 },
    )
    client.track({ userId: 'u1', event: 'Order Completed', properties: { order_id: 'o-1' } })
    client.page({ userId: 'u1', name: 'Home' })
    client.track({ userId: 'u1', event: 'Checkout Started' })
    client.track({ userId: 'u1', event: 'Product Viewed' })
    client.page({ userId: 'u1', name: 'Cart' })
    client.screen({ userId: 'u1', name: 'App' })
    await time.settle()
    expect(names(await queue.peek())).toEqual(['Order Completed', 'Checkout Started', 'Product Viewed', 'App'])
    client.track({ userId: 'u1', event: 'Product Added' })
    client.track({ userId: 'u1', event: 'Product Added' })
    for (const orderId of ['o-2', 'o-3', 'o-4'])
      client.track({ userId: 'u1', event: 'Order Completed', properties: { order_id: orderId } })
    await time.settle()
    const after = (await queue.peek()).map((item) => JSON.parse(item.payload) as { properties?: { order_id?: string } })
    expect(after.map((event) => event.properties?.order_id)).toEqual(['o-1', 'o-2', 'o-3', 'o-4'])
    expect(client.stats().dropped).toBe(7)
    // One report for the whole burst of drops.
    expect(errors.filter((error) => error.code === 'queue_full')).toHaveLength(1)
  })

  it('evicts by bytes too', async () => {
    const { client, queue, time } = setupPipeline([], { maxBytes: 3_000 })
    for (let n = 0; n < 10; n += 1) client.page({ userId: 'u1', name: `P${n}`, properties: { pad: 'x'.repeat(400) } })
    await time.settle()
    const items = await queue.peek()
    expect(items.reduce((sum, item) => sum + item.bytes, 0)).toBeLessThanOrEqual(3_000)
    expect(names(items).at(-1)).toBe('P9')
    expect(client.stats().dropped).toBe(10 - items.length)
  })
})
