import 'fake-indexeddb/auto'
import { describe, expect, it } from 'vitest'
import { createIdbQueue } from '../src/idbQueue.js'
import { makeQueueItem, runQueueContract } from '../../core/test/contract/queueContract.js'

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

  it('writes the enqueues of one tick in a single transaction', async () => {
    const dbName = freshName()
    const queue = createIdbQueue({ dbName })
    await queue.size()
    const original = IDBDatabase.prototype.transaction
    let readwrite = 0
    IDBDatabase.prototype.transaction = function (this: IDBDatabase, ...args: Parameters<IDBDatabase['transaction']>) {
      if (args[1] === 'readwrite') readwrite++
      return original.apply(this, args)
    } as IDBDatabase['transaction']
    try {
      await Promise.all(Array.from({ length: 50 }, (_, n) => queue.enqueue([makeQueueItem(`e${n}`, {}, n)])))
    } finally {
      IDBDatabase.prototype.transaction = original
    }
    expect(readwrite).toBe(1)
    expect((await queue.peek()).map((item) => item.id)).toEqual(Array.from({ length: 50 }, (_, n) => `e${n}`))
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
      expect(String(reasons[0])).toMatch(/IndexedDB is not available/)
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
