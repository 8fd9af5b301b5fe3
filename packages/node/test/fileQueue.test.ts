import { appendFileSync, cpSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { makeQueueItem, runQueueContract } from '../../core/test/contract/queueContract.js'
import { isEcrmError } from '@ecrm/core'
import { createFileQueue } from '../src/queue/fileQueue.js'
import type { FileQueue } from '../src/queue/fileQueue.js'

const T0 = Date.parse('2026-01-01T00:00:00.000Z')
const ids = (items: readonly { id: string }[]): string[] => items.map((item) => item.id)

runQueueContract('file queue', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ecrm-fq-'))
  let open: FileQueue = createFileQueue({ dir })
  return {
    queue: open,
    async reopen() {
      await open.close()
      open = createFileQueue({ dir })
      return open
    },
    async cleanup() {
      await open.close()
      rmSync(dir, { recursive: true, force: true })
    },
  }
})

describe('createFileQueue', () => {
  const dirs: string[] = []
  const queues: FileQueue[] = []
  const newDir = (): string => {
    const dir = mkdtempSync(join(tmpdir(), 'ecrm-fq-'))
    dirs.push(dir)
    return dir
  }
  const openQueue = (dir: string, options: Partial<Parameters<typeof createFileQueue>[0]> = {}): FileQueue => {
    const queue = createFileQueue({ dir, ...options })
    queues.push(queue)
    return queue
  }
  /** What a process killed right now leaves behind: the files, without close() or the lock release. */
  const crashCopy = (dir: string): string => {
    const copy = newDir()
    cpSync(dir, copy, { recursive: true })
    rmSync(join(copy, 'LOCK'), { force: true })
    return copy
  }
  afterEach(async () => {
    for (const queue of queues.splice(0)) await queue.close()
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
  })

  it('recovers every acknowledged operation without a clean close', async () => {
    const dir = newDir()
    const queue = openQueue(dir)
    await queue.enqueue(['a', 'b', 'c', 'd'].map((id, n) => makeQueueItem(id, {}, n)))
    await queue.remove(['b'])
    await queue.lease({ now: T0, limit: 1, leaseMs: 60_000 })
    await queue.release(['a'], T0 + 10)
    await queue.defer(['c'], T0 + 20)
    const recovered = openQueue(crashCopy(dir))
    expect(await recovered.peek()).toEqual([
      makeQueueItem('a', { attempts: 1, availableAt: T0 + 10 }, 0),
      makeQueueItem('c', { availableAt: T0 + 20 }, 2),
      makeQueueItem('d', {}, 3),
    ])
    // The lease was in memory only: after a restart the item is due again (at-least-once).
    expect(ids(await recovered.lease({ now: T0 + 20, limit: 10, leaseMs: 1 }))).toEqual(['a', 'c', 'd'])
  })

  it('drops a torn last record, keeps the rest and appends cleanly after it', async () => {
    const dir = newDir()
    const queue = openQueue(dir)
    await queue.enqueue([makeQueueItem('a'), makeQueueItem('b', {}, 1)])
    const copy = crashCopy(dir)
    const log = join(copy, 'queue.log')
    const intact = statSync(log).size
    // Half a record, as a SIGKILL during write() leaves it.
    const torn = JSON.stringify(['e', 'c', '{"type":"track"}', 16, 1, T0, 0, T0]).slice(0, 20)
    appendFileSync(log, torn)
    const warnings: string[] = []
    const recovered = openQueue(copy, { onWarning: (message) => warnings.push(message) })
    expect(ids(await recovered.peek())).toEqual(['a', 'b'])
    expect(warnings.join()).toMatch(/torn last record \(20 bytes\)/)
    expect(statSync(log).size).toBe(intact)
    await recovered.enqueue([makeQueueItem('d', {}, 3)])
    await recovered.close()
    const again = openQueue(crashCopy(copy))
    expect(ids(await again.peek())).toEqual(['a', 'b', 'd'])
  })

  it('skips a corrupt record in the middle and reports it', async () => {
    const dir = newDir()
    writeFileSync(
      join(dir, 'queue.log'),
      [
        JSON.stringify(['e', 'a', '{}', 2, 1, T0, 0, T0]),
        '{"not":"a record"}',
        'garbage',
        JSON.stringify(['e', 'b', '{}', 2, 1, T0, 0, T0]),
        '',
      ].join('\n'),
    )
    const warnings: string[] = []
    const queue = openQueue(dir, { onWarning: (message) => warnings.push(message) })
    expect(ids(await queue.peek())).toEqual(['a', 'b'])
    expect(warnings.join()).toMatch(/skipped 2 unreadable record/)
  })

  it('compacts when the log outgrows its live data, keeping the live items exactly', async () => {
    const dir = newDir()
    const queue = openQueue(dir, { minCompactionBytes: 10_000, compactionRatio: 2 })
    const payload = JSON.stringify({ type: 'track', event: 'x'.repeat(200) })
    for (let round = 0; round < 50; round += 1) {
      const batch = Array.from({ length: 10 }, (_, n) => makeQueueItem(`r${round}-${n}`, { payload }, round * 10 + n))
      await queue.enqueue(batch)
      await queue.remove(ids(batch.slice(0, 9)))
    }
    await queue.release(['r49-9'], T0 + 7)
    await queue.sync()
    // 500 enqueues of ~280 bytes would be ~140 KB without compaction; 50 live items are ~14 KB.
    const size = statSync(join(dir, 'queue.log')).size
    expect(size).toBeLessThan(40_000)
    const live = Array.from({ length: 50 }, (_, round) => `r${round}-9`)
    expect(ids(await queue.peek())).toEqual(live)
    const recovered = openQueue(crashCopy(dir))
    expect(ids(await recovered.peek())).toEqual(live)
    expect((await recovered.peek())[49]).toMatchObject({ attempts: 1, availableAt: T0 + 7 })
    const lines = readFileSync(join(dir, 'queue.log'), 'utf8').trim().split('\n')
    expect(lines.length).toBeLessThan(150)
  })

  it('writes the operations of one turn in one group', async () => {
    const dir = newDir()
    const queue = openQueue(dir)
    const pending = Array.from({ length: 1_000 }, (_, n) => queue.enqueue([makeQueueItem(`g${n}`, {}, n)]))
    // Nothing is written before the turn ends...
    expect(readFileSync(join(dir, 'queue.log'), 'utf8')).toBe('')
    await Promise.all(pending)
    // ...then all of it at once.
    expect(readFileSync(join(dir, 'queue.log'), 'utf8').trim().split('\n')).toHaveLength(1_000)
  })

  it('refuses a directory another live process owns, and takes over a stale lock', async () => {
    const dir = newDir()
    writeFileSync(join(dir, 'LOCK'), String(process.ppid))
    let thrown: unknown
    try {
      createFileQueue({ dir })
    } catch (error) {
      thrown = error
    }
    expect(isEcrmError(thrown) && thrown.code).toBe('queue_locked')
    expect(String(thrown)).toMatch(new RegExp(`process ${process.ppid} owns it`))
    // A pid far above pid_max cannot be running: the lock is stale.
    writeFileSync(join(dir, 'LOCK'), '99999999')
    const queue = openQueue(dir)
    expect(readFileSync(join(dir, 'LOCK'), 'utf8')).toBe(String(process.pid))
    await queue.close()
    expect(() => statSync(join(dir, 'LOCK'))).toThrow()
  })

  it('rejects calls after close with a clear error', async () => {
    const queue = createFileQueue({ dir: newDir() })
    await queue.close()
    await expect(async () => queue.enqueue([makeQueueItem('a')])).rejects.toThrow(
      /FileQueue\.enqueue\(\) failed: .*closed/,
    )
  })
})
