import { afterEach, describe, expect, it } from 'vitest'
import type { MeasuredQueue, Queue, QueueItem } from '../../src/ports.js'

/** What a contract run needs from one queue implementation. */
export interface QueueUnderTest {
  readonly queue: Queue
  /** Opens the same storage again (a new tab, a restarted process); enables the durability tests. */
  readonly reopen?: () => Promise<Queue>
  /** Deletes whatever the queue stored. */
  readonly cleanup?: () => Promise<void>
}

const T0 = Date.parse('2026-01-01T00:00:00.000Z')

/** A queue item with sensible defaults; `n` orders createdAt. */
export function makeQueueItem(id: string, overrides: Partial<QueueItem> = {}, n = 0): QueueItem {
  const payload = overrides.payload ?? JSON.stringify({ type: 'track', event: 'Tested', messageId: id })
  return {
    id,
    payload,
    bytes: payload.length,
    priority: 1,
    createdAt: T0 + n,
    attempts: 0,
    availableAt: T0,
    ...overrides,
  }
}

const ids = (items: readonly QueueItem[]): string[] => items.map((item) => item.id)

/**
 * The behaviour every {@link Queue} must have (memory, IndexedDB, file log), as vitest tests.
 * Call it at the top level of a test file; `makeQueue` gives a fresh, empty queue each test.
 *
 * @example
 * runQueueContract('memory queue', async () => ({ queue: createMemoryQueue() }))
 */
export function runQueueContract(name: string, makeQueue: () => Promise<QueueUnderTest>): void {
  describe(`Queue contract: ${name}`, () => {
    let current: QueueUnderTest | undefined
    const open = async (): Promise<Queue> => {
      current = await makeQueue()
      return current.queue
    }
    afterEach(async () => {
      await current?.cleanup?.()
      current = undefined
    })

    it('starts empty', async () => {
      const queue = await open()
      expect(await queue.size()).toBe(0)
      expect(await queue.peek()).toEqual([])
      expect(await queue.lease({ now: T0, limit: 10, leaseMs: 1_000 })).toEqual([])
    })

    it('keeps enqueue order across calls and within a call', async () => {
      const queue = await open()
      await queue.enqueue([makeQueueItem('a', {}, 0), makeQueueItem('b', {}, 1)])
      await queue.enqueue([makeQueueItem('c', {}, 2)])
      expect(ids(await queue.peek())).toEqual(['a', 'b', 'c'])
      expect(ids(await queue.lease({ now: T0, limit: 10, leaseMs: 1_000 }))).toEqual(['a', 'b', 'c'])
    })

    it('stores items unchanged', async () => {
      const queue = await open()
      const item = makeQueueItem('x', { payload: '{"type":"track","event":"Ünïcødé 😀"}', priority: 3, attempts: 2 })
      await queue.enqueue([item])
      expect(await queue.peek()).toEqual([item])
      expect(await queue.lease({ now: T0, limit: 1, leaseMs: 1_000 })).toEqual([item])
    })

    it('ignores an item whose id is already queued', async () => {
      const queue = await open()
      await queue.enqueue([makeQueueItem('a', { payload: '{"first":true}' })])
      await queue.enqueue([makeQueueItem('a', { payload: '{"second":true}' }), makeQueueItem('b')])
      expect(await queue.size()).toBe(2)
      const [first] = await queue.peek()
      expect(first?.payload).toBe('{"first":true}')
    })

    it('leases at most `limit` due items, oldest first', async () => {
      const queue = await open()
      await queue.enqueue(['a', 'b', 'c'].map((id, n) => makeQueueItem(id, {}, n)))
      expect(ids(await queue.lease({ now: T0, limit: 2, leaseMs: 1_000 }))).toEqual(['a', 'b'])
      expect(ids(await queue.lease({ now: T0, limit: 2, leaseMs: 1_000 }))).toEqual(['c'])
    })

    it('does not lease items before their availableAt', async () => {
      const queue = await open()
      await queue.enqueue([makeQueueItem('later', { availableAt: T0 + 5_000 }), makeQueueItem('now', {}, 1)])
      expect(ids(await queue.lease({ now: T0, limit: 10, leaseMs: 1_000 }))).toEqual(['now'])
      await queue.remove(['now'])
      expect(await queue.lease({ now: T0 + 4_999, limit: 10, leaseMs: 1_000 })).toEqual([])
      expect(ids(await queue.lease({ now: T0 + 5_000, limit: 10, leaseMs: 1_000 }))).toEqual(['later'])
    })

    it('hides leased items for leaseMs, then returns them', async () => {
      const queue = await open()
      await queue.enqueue([makeQueueItem('a')])
      expect(ids(await queue.lease({ now: T0, limit: 10, leaseMs: 30_000 }))).toEqual(['a'])
      expect(await queue.lease({ now: T0 + 29_999, limit: 10, leaseMs: 30_000 })).toEqual([])
      expect(await queue.size()).toBe(1)
      expect(ids(await queue.lease({ now: T0 + 30_000, limit: 10, leaseMs: 30_000 }))).toEqual(['a'])
    })

    it('never gives the same item to two concurrent leases', async () => {
      const queue = await open()
      await queue.enqueue(Array.from({ length: 20 }, (_, n) => makeQueueItem(`i${n}`, {}, n)))
      const leases = await Promise.all(
        Array.from({ length: 4 }, () => queue.lease({ now: T0, limit: 8, leaseMs: 30_000 })),
      )
      const all = leases.flatMap(ids)
      expect(new Set(all).size).toBe(all.length)
      expect(all).toHaveLength(20)
    })

    it('removes items for good and ignores unknown ids', async () => {
      const queue = await open()
      await queue.enqueue([makeQueueItem('a'), makeQueueItem('b', {}, 1)])
      await queue.lease({ now: T0, limit: 1, leaseMs: 1_000 })
      await queue.remove(['a', 'unknown'])
      expect(await queue.size()).toBe(1)
      expect(ids(await queue.peek())).toEqual(['b'])
      expect(ids(await queue.lease({ now: T0 + 60_000, limit: 10, leaseMs: 1_000 }))).toEqual(['b'])
    })

    it('release counts an attempt, sets availableAt and ends the lease', async () => {
      const queue = await open()
      await queue.enqueue([makeQueueItem('a')])
      await queue.lease({ now: T0, limit: 1, leaseMs: 30_000 })
      await queue.release(['a'], T0 + 2_000)
      expect(await queue.lease({ now: T0 + 1_999, limit: 1, leaseMs: 30_000 })).toEqual([])
      const [again] = await queue.lease({ now: T0 + 2_000, limit: 1, leaseMs: 30_000 })
      expect(again).toMatchObject({ id: 'a', attempts: 1, availableAt: T0 + 2_000 })
      await queue.release(['a'], T0 + 3_000)
      expect((await queue.peek())[0]).toMatchObject({ attempts: 2, availableAt: T0 + 3_000 })
    })

    it('defer sets availableAt without counting an attempt', async () => {
      const queue = await open()
      await queue.enqueue([makeQueueItem('a', { attempts: 1 })])
      await queue.lease({ now: T0, limit: 1, leaseMs: 30_000 })
      await queue.defer(['a'], T0 + 30_000)
      expect(await queue.lease({ now: T0 + 29_999, limit: 1, leaseMs: 30_000 })).toEqual([])
      const [again] = await queue.lease({ now: T0 + 30_000, limit: 1, leaseMs: 30_000 })
      expect(again).toMatchObject({ id: 'a', attempts: 1, availableAt: T0 + 30_000 })
    })

    it('keeps queue order for released items', async () => {
      const queue = await open()
      await queue.enqueue(['a', 'b', 'c'].map((id, n) => makeQueueItem(id, {}, n)))
      await queue.lease({ now: T0, limit: 1, leaseMs: 30_000 })
      await queue.release(['a'], T0)
      expect(ids(await queue.peek())).toEqual(['a', 'b', 'c'])
    })

    it('size and peek include leased items', async () => {
      const queue = await open()
      await queue.enqueue([makeQueueItem('a'), makeQueueItem('b', {}, 1)])
      await queue.lease({ now: T0, limit: 1, leaseMs: 30_000 })
      expect(await queue.size()).toBe(2)
      expect(ids(await queue.peek())).toEqual(['a', 'b'])
    })

    it('tells its usage synchronously, if it is a MeasuredQueue: items and payload bytes, every call so far included', async (context) => {
      const queue = await open()
      if (!('usage' in queue)) return context.skip()
      const measured = queue as MeasuredQueue
      const [a, b, c] = ['a', 'b', 'c'].map((id, n) =>
        makeQueueItem(id, { payload: `{"n":${'x'.repeat(n * 10)}}` }, n),
      ) as [QueueItem, QueueItem, QueueItem]
      const written = measured.enqueue([a, b])
      // Counted at the call, before the write settles.
      expect(measured.usage()).toEqual({ events: 2, bytes: a.bytes + b.bytes })
      await written
      await measured.enqueue([a, c])
      expect(measured.usage()).toEqual({ events: 3, bytes: a.bytes + b.bytes + c.bytes })
      await measured.lease({ now: T0, limit: 1, leaseMs: 1_000 })
      await measured.release(['a'], T0)
      const removed = measured.remove(['b', 'unknown'])
      expect(measured.usage()).toEqual({ events: 2, bytes: a.bytes + c.bytes })
      await removed
      expect(measured.usage().events).toBe(await measured.size())
    })

    it('keeps working with many items', async () => {
      const queue = await open()
      await queue.enqueue(Array.from({ length: 500 }, (_, n) => makeQueueItem(`m${n}`, {}, n)))
      const leased = await queue.lease({ now: T0, limit: 100, leaseMs: 30_000 })
      expect(leased[0]?.id).toBe('m0')
      expect(leased[99]?.id).toBe('m99')
      await queue.remove(ids(leased))
      expect(await queue.size()).toBe(400)
    })

    it('survives a reopen: items, order, attempts and availableAt', async (context) => {
      const queue = await open()
      if (current?.reopen === undefined) {
        context.skip('this queue is not durable (no reopen given)')
        return
      }
      await queue.enqueue(['a', 'b', 'c'].map((id, n) => makeQueueItem(id, {}, n)))
      await queue.lease({ now: T0, limit: 1, leaseMs: 30_000 })
      await queue.release(['a'], T0 + 5_000)
      await queue.remove(['b'])
      const reopened = await current.reopen()
      expect(ids(await reopened.peek())).toEqual(['a', 'c'])
      expect((await reopened.peek())[0]).toMatchObject({ attempts: 1, availableAt: T0 + 5_000 })
      expect(await reopened.size()).toBe(2)
      expect(ids(await reopened.lease({ now: T0 + 5_000, limit: 10, leaseMs: 30_000 }))).toEqual(['a', 'c'])
    })

    it('after a reopen, an unfinished lease still ends after leaseMs', async (context) => {
      const queue = await open()
      if (current?.reopen === undefined) {
        context.skip('this queue is not durable (no reopen given)')
        return
      }
      await queue.enqueue([makeQueueItem('a')])
      await queue.lease({ now: T0, limit: 1, leaseMs: 30_000 })
      const reopened = await current.reopen()
      // Whether the lease itself was persisted is up to the implementation; its end is not.
      expect(ids(await reopened.lease({ now: T0 + 30_000, limit: 10, leaseMs: 30_000 }))).toEqual(['a'])
    })
  })
}
