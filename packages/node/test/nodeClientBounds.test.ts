import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import type { EcrmError, Transport, TransportRequest } from '@ecrm/core'
import { makeQueueItem } from '../../core/test/contract/queueContract.js'
import { createNodeClient, FILE_QUEUE_MAX_BYTES, MEMORY_QUEUE_MAX_BYTES } from '../src/nodeClient.js'
import { createFileQueue } from '../src/queue/fileQueue.js'

const dirs: string[] = []
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})
const tempDir = (): string => {
  const dir = mkdtempSync(join(tmpdir(), 'ecrm-bounds-'))
  dirs.push(dir)
  return dir
}

/** A transport that answers `status` to every request and records the messageIds it was sent. */
function answering(status: number): Transport & { readonly sent: string[] } {
  const sent: string[] = []
  return {
    sent,
    async send(request: TransportRequest) {
      for (const event of (JSON.parse(request.body) as { batch: { messageId: string }[] }).batch)
        sent.push(event.messageId)
      return { type: 'response', status, retryAfter: null }
    },
  }
}

describe('createNodeClient queue bounds', () => {
  it('bounds by bytes only by default: 128 MiB in memory, 1 GiB with queueDir', async () => {
    const errors: EcrmError[] = []
    const memory = createNodeClient({
      writeKey: 'wk',
      endpoint: 'http://127.0.0.1:9',
      transport: answering(503),
      limits: { maxBytes: 1 },
      onError: (error) => errors.push(error),
    })
    // A bound the user set wins over the default; the message names the default count cap (none).
    const result = memory.track({ userId: 'u', event: 'Signed Up' })
    expect(result).toMatchObject({ ok: false, dropped: true, error: { code: 'queue_full' } })
    expect(errors[0]?.message).toMatch(/limits \(maxEvents Infinity, maxBytes 1;/)
    await memory.close()
    expect(MEMORY_QUEUE_MAX_BYTES).toBe(134_217_728)
    expect(FILE_QUEUE_MAX_BYTES).toBe(1_073_741_824)
  })

  it('sees a backlog left in queueDir: keeps and delivers it, and drops new events while it is over the bound', async () => {
    const dir = tempDir()
    const earlier = createFileQueue({ dir })
    await earlier.enqueue(
      Array.from({ length: 10 }, (_, n) =>
        makeQueueItem(`old-${n}`, { createdAt: Date.now(), availableAt: Date.now() }, n),
      ),
    )
    await earlier.close()
    const up = answering(200)
    const client = createNodeClient({
      writeKey: 'wk',
      endpoint: 'http://127.0.0.1:9',
      queueDir: dir,
      transport: up,
      limits: { maxEvents: 8 },
    })
    // 10 queued is over every share of 8: an ordinary event does not fit, nor an Order Completed (10 + 1 > 8).
    expect(client.track({ userId: 'u', event: 'Product Added' })).toMatchObject({ ok: false, dropped: true })
    expect(client.track({ userId: 'u', event: 'Order Completed', properties: { order_id: 'o-1' } })).toMatchObject({
      ok: false,
      dropped: true,
    })
    expect(client.stats().dropped).toBe(2)
    await client.flush()
    // The backlog, and only it, was delivered: nothing already queued was dropped.
    expect([...up.sent].sort()).toEqual(Array.from({ length: 10 }, (_, n) => `old-${n}`).sort())
    const fits = client.track({ userId: 'u', event: 'Product Added' })
    expect(fits.ok).toBe(true)
    await client.close()
    expect(up.sent).toEqual([...up.sent.slice(0, 10), fits.messageId])
  })

  it('ready() waits for the disk write and for room, then resolves', async () => {
    const up = answering(200)
    const client = createNodeClient({
      writeKey: 'wk',
      endpoint: 'http://127.0.0.1:9',
      queueDir: tempDir(),
      transport: up,
      limits: { highWaterBytes: 1 },
    })
    const ids = Array.from(
      { length: 50 },
      (_, n) => client.track({ userId: 'u', event: 'Signed Up', properties: { n } }).messageId,
    )
    await client.ready()
    // Room at a 1-byte mark means empty: every event was written, sent and removed.
    expect(up.sent).toEqual(ids)
    await client.close()
  })
})
