import { fork } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'rolldown'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { EcrmError } from '@ecrm/core'
import { createNodeClient } from '../../packages/node/src/nodeClient.js'
import type { NodeCallResult } from '../../packages/node/src/nodeClient.js'
import { startIngestServer } from '../../packages/node/src/serve.js'
import type { IngestServer } from '../../packages/node/src/serve.js'
import { startSink } from './sink.js'

const work = mkdtempSync(join(tmpdir(), 'ecrm-burst-'))
afterAll(() => rmSync(work, { recursive: true, force: true }))

/** 50,000 track() calls in one synchronous loop: the burst issue 18 measured. */
function burst(client: ReturnType<typeof createNodeClient>, count: number): NodeCallResult[] {
  const results: NodeCallResult[] = []
  for (let n = 0; n < count; n += 1) {
    results.push(
      client.track({
        userId: `user-${n % 97}`,
        event: 'Product Viewed',
        properties: { product_id: `sku-${n}`, price: 19.99, n },
      }),
    )
  }
  return results
}

describe('createNodeClient under a burst, with its default bounds', () => {
  for (const queue of ['memory', 'queueDir'] as const) {
    it(`delivers all 50,000 events of a burst (${queue}), every call says queued, and none is dropped`, async () => {
      const sink = await startSink()
      const errors: EcrmError[] = []
      const client = createNodeClient({
        writeKey: 'wk',
        endpoint: sink.endpoint,
        onError: (error) => errors.push(error),
        ...(queue === 'queueDir' && { queueDir: join(work, 'burst-queue') }),
      })
      try {
        const results = burst(client, 50_000)
        expect(results.every((result) => result.ok)).toBe(true)
        await client.close()
        expect(sink.acked.size).toBe(50_000)
        expect(new Set(results.map((result) => result.messageId))).toEqual(sink.acked)
        expect(client.stats()).toMatchObject({ sent: 50_000, dropped: 0, queued: 0 })
        expect(errors.filter((error) => error.code === 'queue_full')).toEqual([])
      } finally {
        await client.close()
        await sink.close()
      }
    }, 120_000)
  }

  it('drops past a bound the user chose: the call says so, stats().dropped counts it, onError reports it', async () => {
    const sink = await startSink()
    const errors: EcrmError[] = []
    const client = createNodeClient({
      writeKey: 'wk',
      endpoint: sink.endpoint,
      limits: { maxEvents: 1_000 },
      onError: (error) => errors.push(error),
    })
    try {
      // 'Product Viewed' may fill three quarters of the bound; Order Completed all of it.
      const results = burst(client, 2_000)
      const order = client.track({
        userId: 'user-1',
        event: 'Order Completed',
        properties: { order_id: 'o-1', total: 42 },
      })
      const queued = results.filter((result) => result.ok)
      const dropped = results.filter((result) => !result.ok)
      expect(queued).toHaveLength(750)
      expect(dropped).toHaveLength(1_250)
      expect(order.ok).toBe(true)
      for (const result of dropped) expect(!result.ok && result.dropped && result.error.code).toBe('queue_full')
      expect(client.stats().dropped).toBe(1_250)
      expect(errors.filter((error) => error.code === 'queue_full')).toHaveLength(1)
      expect(errors[0]?.message).toMatch(/queue full: limits \(maxEvents 1000, maxBytes 134217728/)
      await client.close()
      // Exactly what the calls said was queued arrived; nothing they said was dropped did.
      expect(sink.acked).toEqual(new Set([...queued, order].map((result) => result.messageId)))
    } finally {
      await client.close()
      await sink.close()
    }
  }, 60_000)

  it('ready() paces a producer to delivery: a burst three times the bound, awaited, loses nothing', async () => {
    const sink = await startSink(() => ({ status: 200, delayMs: 5 }))
    const client = createNodeClient({
      writeKey: 'wk',
      endpoint: sink.endpoint,
      limits: { maxBytes: 400_000, highWaterBytes: 100_000 },
    })
    try {
      const results: NodeCallResult[] = []
      for (let chunk = 0; chunk < 20; chunk += 1) {
        results.push(...burst(client, 250))
        await client.ready()
      }
      await client.close()
      expect(results.every((result) => result.ok)).toBe(true)
      expect(sink.acked.size).toBe(5_000)
      expect(client.stats().dropped).toBe(0)
    } finally {
      await client.close()
      await sink.close()
    }
  }, 60_000)
})

describe('createNodeClient with queueDir, SIGKILLed mid-burst', () => {
  let childScript = ''
  let server: IngestServer
  beforeAll(async () => {
    childScript = join(work, 'burstChild.mjs')
    await build({
      input: fileURLToPath(new URL('./fixtures/burstChild.ts', import.meta.url)),
      platform: 'node',
      resolve: { alias: { '@ecrm/core': fileURLToPath(new URL('../../packages/core/src/index.ts', import.meta.url)) } },
      output: { file: childScript, format: 'esm' },
      logLevel: 'silent',
    })
    server = await startIngestServer({ port: 0, writeKeys: ['wk_burst'], dataDir: 'memory://', log: () => {} })
  }, 120_000)
  afterAll(async () => {
    await server?.close()
  })

  const run = (env: Record<string, string>): ChildProcess =>
    fork(childScript, { env: { ...process.env, ...env }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
  const exited = (child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> =>
    new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })))
  const storedIds = async (): Promise<string[]> =>
    (await server.store.query<{ message_id: string }>('select message_id from ecrm_events')).map(
      (row) => row.message_id,
    )

  it('stores every durable event exactly once after a restart, through the real ingest handler', async () => {
    const count = 20_000
    const env = { ENDPOINT: server.url, QUEUE_DIR: join(work, 'kill-queue'), COUNT: String(count) }
    const producer = run({ ...env, MODE: 'produce' })
    const producerExit = exited(producer)
    // The count the child last said was durable (in the queue on disk), as seen before the kill.
    let durable = 0
    producer.on('message', (message: { durable?: number }) => {
      if (typeof message.durable === 'number') durable = message.durable
    })
    // Killed while still producing, once the backend has stored a share of the burst.
    let isRunning = true
    void producerExit.then(() => (isRunning = false))
    while (isRunning) {
      const [row] = await server.store.query<{ n: number }>('select count(*)::int as n from ecrm_events')
      if ((row?.n ?? 0) >= 3_000 && durable >= 4_000) break
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
    producer.kill('SIGKILL')
    const durableAtKill = durable
    expect((await producerExit).signal).toBe('SIGKILL')
    expect(durableAtKill).toBeLessThan(count)

    const resumer = run({ ...env, MODE: 'resume' })
    expect((await exited(resumer)).code).toBe(0)
    const stored = await storedIds()
    // Exactly once each (message_id is the key: a re-sent batch was deduped, not stored twice).
    expect(new Set(stored).size).toBe(stored.length)
    const storedSet = new Set(stored)
    const lost = Array.from({ length: durableAtKill }, (_, n) => `burst-${n}`).filter((id) => !storedSet.has(id))
    expect(lost).toEqual([])
    // And nothing that was never tracked.
    expect(stored.filter((id) => !/^burst-\d+$/.test(id) || Number(id.slice(6)) >= count)).toEqual([])
  }, 180_000)
})
