import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import type { EcrmEvent } from '../../src/model/envelope.js'
import type { Queue, QueueItem } from '../../src/ports.js'
import { createMemoryQueue } from '../../src/pipeline/memoryQueue.js'
import { isPlainJson } from '../../src/pipeline/plainJson.js'
import { sanitize } from '../../src/pipeline/sanitize.js'
import { respond } from '../fakes/index.js'
import { setupClient } from './clientSetup.js'

const anything = fc.anything({
  withBigInt: true,
  withDate: true,
  withMap: true,
  withSet: true,
  withTypedArray: true,
  withSparseArray: true,
  withNullPrototype: true,
  withBoxedValues: true,
})

describe('isPlainJson', () => {
  it('agrees with sanitize on JSON values: yes exactly when sanitize has nothing to say (property)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const result = sanitize(value, [])
        // JSON itself can carry a "__proto__" key, which sanitize drops: that must answer no.
        expect(isPlainJson(value)).toBe(result.issues.length === 0)
        if (result.issues.length === 0) expect(JSON.stringify(result.value)).toBe(JSON.stringify(value))
      }),
      { numRuns: 500 },
    )
  })

  it('says yes only where sanitize would change nothing (property)', () => {
    fc.assert(
      fc.property(anything, (value) => {
        if (!isPlainJson(value)) return
        const result = sanitize(value, ['properties'])
        expect(result.issues).toEqual([])
        expect(JSON.stringify(result.value)).toBe(JSON.stringify(value))
      }),
      { numRuns: 500 },
    )
  })

  it('says no to every value sanitize would change', () => {
    const cyclic: Record<string, unknown> = {}
    cyclic['self'] = cyclic
    let deep: unknown = 1
    for (let level = 0; level < 33; level += 1) deep = { deep }
    const hostile = {
      get boom(): never {
        throw new Error('no')
      },
    }
    const proxy = new Proxy(
      {},
      {
        ownKeys: () => {
          throw new Error('trap')
        },
      },
    )
    class Point {
      x = 1
    }
    const refused: unknown[] = [
      undefined,
      () => 1,
      Symbol('s'),
      1n,
      NaN,
      Infinity,
      new Date(0),
      new Map(),
      new Set(),
      new Uint8Array(1),
      new Number(1),
      new Point(),
      new Error('e'), // biome-ignore lint/suspicious/noSparseArray: a hole is one of the hostile inputs under test.
      [1, , 3],
      [undefined],
      { a: undefined },
      JSON.parse('{"__proto__":1}'),
      { constructor: 1 },
      { prototype: 1 },
      cyclic,
      deep,
      { hostile },
      proxy,
    ]
    for (const value of refused) expect(isPlainJson({ value })).toBe(false)
    for (const value of refused) expect(sanitize({ value }, []).issues.length).toBeGreaterThan(0)
  })

  it('accepts null-prototype objects and nesting up to the depth limit', () => {
    const bare = Object.assign(Object.create(null) as Record<string, unknown>, { a: 1 })
    let deep: unknown = 1
    for (let level = 0; level < 32; level += 1) deep = { deep }
    expect(isPlainJson({ bare, list: [1, 'a', null, true, { b: [] }] })).toBe(true)
    expect(isPlainJson(deep)).toBe(true)
    expect(sanitize(deep, []).issues).toEqual([])
  })
})

/** A memory queue that records each enqueue call and what the queue held at each send. */
function countingQueue(): Queue & { enqueues: number[] } {
  const inner = createMemoryQueue()
  const enqueues: number[] = []
  return {
    ...inner,
    enqueues,
    enqueue(items: readonly QueueItem[]) {
      enqueues.push(items.length)
      return inner.enqueue(items)
    },
  }
}

describe('createCoreClient hot path', () => {
  it('fixes the event at the call: later changes to the caller’s objects reach nothing', async () => {
    const accepted: EcrmEvent[] = []
    const delivered: unknown[] = []
    const { client, requests, time } = setupClient([], {
      destinations: [
        { name: 'spy', deliver: (event) => void delivered.push(JSON.parse(JSON.stringify(event.properties))) },
      ],
    })
    client.on('accepted', (event) => void accepted.push(event as EcrmEvent))
    const properties = { sku: 'sku-1', price: 10, tags: ['a'] }
    client.track({ userId: 'u1', event: 'Product Added', properties })
    properties.price = 99
    properties.tags.push('b')
    await time.settle()
    // A listener changing its event does not reach the caller either.
    ;(accepted[0]?.properties as Record<string, unknown>)['sku'] = 'changed'
    await client.flush()
    expect(requests[0]?.json.batch[0]?.['properties']).toEqual({ sku: 'sku-1', price: 10, tags: ['a'] })
    expect(delivered).toEqual([{ sku: 'sku-1', price: 10, tags: ['a'] }])
    expect(properties).toEqual({ sku: 'sku-1', price: 99, tags: ['a', 'b'] })
  })

  it('gives plugins a copy, so a plugin never changes the caller’s objects', async () => {
    const { client, requests } = setupClient([], {
      plugins: [
        {
          name: 'tag',
          before: (event) => {
            ;(event.properties as Record<string, unknown>)['tagged'] = true
            return event
          },
        },
      ],
    })
    const properties = { sku: 'sku-1' }
    client.track({ userId: 'u1', event: 'Product Added', properties })
    await client.flush()
    expect(properties).toEqual({ sku: 'sku-1' })
    expect(requests[0]?.json.batch[0]?.['properties']).toEqual({ sku: 'sku-1', tagged: true })
  })

  it('holds a copy while consent is pending, not the caller’s objects', async () => {
    const { client, requests } = setupClient([], { consent: { required: true } })
    const properties = { sku: 'sku-1' }
    client.track({ userId: 'u1', event: 'Product Added', properties })
    properties.sku = 'changed'
    client.consent.set({ analytics: true })
    await client.flush()
    expect(requests[0]?.json.batch[0]?.['properties']).toEqual({ sku: 'sku-1' })
  })

  it('writes the calls of one synchronous run with one enqueue, before any send', async () => {
    const queue = countingQueue()
    const seenAtSend: number[] = []
    const { client } = setupClient(
      [],
      { batch: { maxEvents: 1_000 } },
      {
        queue,
        transport: {
          async send() {
            seenAtSend.push(await queue.size())
            return respond(200)
          },
        },
      },
    )
    for (let index = 0; index < 50; index += 1) client.track({ userId: 'u1', event: `E${index}` })
    // flush() in the same run: the pending writes go into the queue before the send.
    const result = await client.flush()
    expect(queue.enqueues).toEqual([50])
    expect(seenAtSend).toEqual([50])
    expect(result.sent).toBe(50)
    expect(await queue.size()).toBe(0)
  })

  it('notifies subscribers once for a burst of calls, and getState is current without any', async () => {
    const { client, time } = setupClient()
    client.track({ userId: 'u1', event: 'Before' })
    await time.settle()
    expect(client.getState().stats.queued).toBe(1)
    let calls = 0
    const stop = client.subscribe(() => (calls += 1))
    for (let index = 0; index < 10; index += 1) client.track({ userId: 'u1', event: `E${index}` })
    expect(calls).toBe(0)
    await time.settle()
    expect(calls).toBe(1)
    expect(client.getState().stats.queued).toBe(11)
    stop()
  })

  it('keeps stats().queued right during a long delivery pass', async () => {
    const queuedAtSend: number[] = []
    let readQueued = (): number => -1
    const record = (): ReturnType<typeof respond> => {
      queuedAtSend.push(readQueued())
      return respond(200)
    }
    const { client } = setupClient([], { batch: { maxEvents: 100 } }, {}, { fallback: record })
    readQueued = () => client.stats().queued
    for (let index = 0; index < 250; index += 1) client.track({ userId: 'u1', event: `E${index}` })
    await client.flush()
    // One pass, three batches: each delivered batch comes off the count at once.
    expect(queuedAtSend).toEqual([250, 150, 50])
    expect(client.stats()).toMatchObject({ sent: 250, queued: 0 })
  })
})
