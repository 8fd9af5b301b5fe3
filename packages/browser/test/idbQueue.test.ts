import 'fake-indexeddb/auto'
import { describe, expect, it } from 'vitest'
import { createIdbQueue } from '../src/idbQueue.js'
import { createCoreClient } from '@ecrm/core'
import { makeQueueItem, runQueueContract } from '../../core/test/contract/queueContract.js'
import { createManualClock, createScriptedTransport } from '../../core/test/fakes/index.js'

let counter = 0
const freshName = (): string => `ecrm-test-${++counter}-${Math.random().toString(36).slice(2)}`

const deleteDatabase = (name: string): Promise<void> =>
  new Promise((resolve) => {
    const request = indexedDB.deleteDatabase(name)
    request.onsuccess = () => resolve()
    request.onerror = () => resolve()
    request.onblocked = () => resolve()
  })

runQueueContract('IndexedDB queue (fake-indexeddb)', async () => {
  const dbName = freshName()
  const opened = [createIdbQueue({ dbName })]
  return {
    queue: opened[0]!,
    reopen: async () => {
      opened.at(-1)?.close()
      const next = createIdbQueue({ dbName })
      opened.push(next)
      return next
    },
    cleanup: async () => {
      for (const queue of opened) queue.close()
      await deleteDatabase(dbName)
    },
  }
})

describe('createIdbQueue', () => {
  it('opens nothing until the first call', async () => {
    const dbName = freshName()
    const queue = createIdbQueue({ dbName })
    const before = await indexedDB.databases()
    expect(before.map((db) => db.name)).not.toContain(dbName)
    await queue.size()
    const after = await indexedDB.databases()
    expect(after.map((db) => db.name)).toContain(dbName)
    queue.close()
  })

  it('gets a burst of events from core as one enqueue, so one transaction', async () => {
    const dbName = freshName()
    const queue = createIdbQueue({ dbName })
    await queue.size()
    const time = createManualClock({ settleTurns: 40 })
    const core = createCoreClient(
      { writeKey: 'wk', endpoint: 'https://c.example' },
      { clock: time, scheduler: time, queue, transport: createScriptedTransport().transport },
    )
    const original = IDBDatabase.prototype.transaction
    let readwrite = 0
    IDBDatabase.prototype.transaction = function (this: IDBDatabase, ...args: Parameters<IDBDatabase['transaction']>) {
      if (args[1] === 'readwrite') readwrite++
      return original.apply(this, args)
    } as IDBDatabase['transaction']
    try {
      for (let n = 0; n < 50; n++) core.track({ event: `E${n}` })
      await time.settle()
    } finally {
      IDBDatabase.prototype.transaction = original
    }
    expect(readwrite).toBe(1)
    expect((await queue.peek()).map((item) => JSON.parse(item.payload).event)).toEqual(
      Array.from({ length: 50 }, (_, n) => `E${n}`),
    )
    queue.close()
  })

  it('sees the writes of earlier calls that were not awaited (transactions run in call order)', async () => {
    const queue = createIdbQueue({ dbName: freshName() })
    const now = Date.parse('2026-01-01T00:00:00.000Z')
    void queue.enqueue([makeQueueItem('a'), makeQueueItem('b', {}, 1)])
    expect((await queue.lease({ now, limit: 1, leaseMs: 1_000 })).map((item) => item.id)).toEqual(['a'])
    void queue.remove(['a'])
    void queue.release(['b'], now + 5_000)
    expect(await queue.peek()).toEqual([makeQueueItem('b', { attempts: 1, availableAt: now + 5_000 }, 1)])
    void queue.defer(['b'], now)
    expect(await queue.size()).toBe(1)
    expect((await queue.lease({ now, limit: 10, leaseMs: 1_000 })).map((item) => item.id)).toEqual(['b'])
    queue.close()
  })

  it('removes exactly the named rows: scattered, unordered, repeated, leased or not', async () => {
    const queue = createIdbQueue({ dbName: freshName() })
    await queue.enqueue(Array.from({ length: 10 }, (_, n) => makeQueueItem(`r${n}`, {}, n)))
    const now = Date.parse('2026-01-01T00:00:00.000Z')
    // r0..r3 leased by this tab (keys known), the rest looked up.
    await queue.lease({ now, limit: 4, leaseMs: 1_000 })
    await queue.remove(['r7', 'r1', 'r2', 'r2', 'r9', 'r5', 'unknown', 'r0'])
    expect((await queue.peek()).map((item) => item.id)).toEqual(['r3', 'r4', 'r6', 'r8'])
    queue.close()
  })

  it('two queues on one database (two tabs) never lease the same item', async () => {
    const dbName = freshName()
    const tabA = createIdbQueue({ dbName })
    const tabB = createIdbQueue({ dbName })
    await tabA.enqueue(Array.from({ length: 30 }, (_, n) => makeQueueItem(`t${n}`, {}, n)))
    const now = Date.parse('2026-01-01T00:00:00.000Z')
    const leases = await Promise.all([
      tabA.lease({ now, limit: 10, leaseMs: 30_000 }),
      tabB.lease({ now, limit: 10, leaseMs: 30_000 }),
      tabA.lease({ now, limit: 10, leaseMs: 30_000 }),
      tabB.lease({ now, limit: 10, leaseMs: 30_000 }),
    ])
    const leased = leases.flat().map((item) => item.id)
    expect(new Set(leased).size).toBe(leased.length)
    expect(leased).toHaveLength(30)
    tabA.close()
    tabB.close()
  })

  it('falls back to memory when IndexedDB is missing, and says so', async () => {
    const saved = globalThis.indexedDB
    // @ts-expect-error -- simulate a browser without IndexedDB
    delete globalThis.indexedDB
    const reasons: unknown[] = []
    try {
      const queue = createIdbQueue({ dbName: freshName(), onFallback: (reason) => reasons.push(reason) })
      expect(queue.storage()).toBe('indexeddb')
      await queue.enqueue([makeQueueItem('a')])
      expect(queue.storage()).toBe('memory')
      expect(await queue.size()).toBe(1)
      expect(reasons).toHaveLength(1)
      expect(String(reasons[0])).toMatch(/indexedDB is not defined/)
    } finally {
      globalThis.indexedDB = saved
    }
  })

  it('falls back to memory when opening fails (private mode, quota) and keeps the items', async () => {
    const saved = globalThis.indexedDB
    const failing = {
      open: () => {
        throw new DOMException('The operation failed for reasons unrelated to the database itself', 'UnknownError')
      },
    }
    globalThis.indexedDB = failing as unknown as IDBFactory
    try {
      const queue = createIdbQueue({ dbName: freshName() })
      await queue.enqueue([makeQueueItem('a'), makeQueueItem('b', {}, 1)])
      expect(queue.storage()).toBe('memory')
      const now = Date.parse('2026-01-01T00:00:00.000Z')
      expect((await queue.lease({ now, limit: 10, leaseMs: 1_000 })).map((item) => item.id)).toEqual(['a', 'b'])
    } finally {
      globalThis.indexedDB = saved
    }
  })
})
