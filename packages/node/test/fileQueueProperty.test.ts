import { cpSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { createMemoryQueue } from '@ecrm/core'
import type { Queue } from '@ecrm/core'
import { makeQueueItem } from '../../core/test/contract/queueContract.js'
import { createFileQueue } from '../src/queue/fileQueue.js'

const T0 = Date.parse('2026-01-01T00:00:00.000Z')

type Op =
  | { kind: 'enqueue'; ids: number[] }
  | { kind: 'lease'; limit: number; at: number }
  | { kind: 'remove' | 'release' | 'defer'; ids: number[]; at: number }

const id = fc.integer({ min: 0, max: 30 })
const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('enqueue' as const), ids: fc.array(id, { maxLength: 6 }) }),
  fc.record({
    kind: fc.constant('lease' as const),
    limit: fc.integer({ min: 1, max: 8 }),
    at: fc.integer({ min: 0, max: 100 }),
  }),
  fc.record({
    kind: fc.constantFrom('remove' as const, 'release' as const, 'defer' as const),
    ids: fc.array(id, { maxLength: 6 }),
    at: fc.integer({ min: 0, max: 100 }),
  }),
)

async function apply(queue: Queue, step: Op, n: number): Promise<string[]> {
  const ids = 'ids' in step ? step.ids.map((i) => `q${i}`) : []
  switch (step.kind) {
    case 'enqueue':
      await queue.enqueue(ids.map((item, k) => makeQueueItem(item, { payload: `{"n":${n},"k":${k},"s":"ü\\n"}` }, n)))
      return []
    case 'lease':
      return (await queue.lease({ now: T0 + step.at, limit: step.limit, leaseMs: 50 })).map((item) => item.id)
    case 'remove':
      await queue.remove(ids)
      return []
    default:
      await queue[step.kind](ids, T0 + step.at)
      return []
  }
}

describe('createFileQueue (property)', () => {
  it('behaves like the memory queue for any sequence of operations, and a crash copy replays to the same items', async () => {
    const root = mkdtempSync(join(tmpdir(), 'ecrm-fq-prop-'))
    let run = 0
    try {
      await fc.assert(
        fc.asyncProperty(
          fc.array(op, { maxLength: 40 }),
          fc.integer({ min: 200, max: 4_000 }),
          async (ops, minCompactionBytes) => {
            const dir = join(root, `r${run++}`)
            const file = createFileQueue({ dir, minCompactionBytes, compactionRatio: 1.5, fsync: false })
            const model = createMemoryQueue()
            try {
              for (const [n, step] of ops.entries()) {
                expect(await apply(file, step, n)).toEqual(await apply(model, step, n))
              }
              expect(await file.peek()).toEqual(await model.peek())
              await file.sync()
              // What a SIGKILL right now leaves: the files, no close, the lock of a dead process.
              const copy = `${dir}-crash`
              cpSync(dir, copy, { recursive: true })
              rmSync(join(copy, 'LOCK'))
              const recovered = createFileQueue({ dir: copy, fsync: false })
              expect(await recovered.peek()).toEqual(await model.peek())
              await recovered.close()
            } finally {
              await file.close()
            }
          },
        ),
        { numRuns: 150 },
      )
    } finally {
      rmSync(root, { recursive: true, force: true })
    }
  }, 120_000)
})
