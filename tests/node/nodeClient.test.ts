import { fork } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'rolldown'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { isEcrmError } from '@ecrm/core'
import { createNodeClient } from '../../packages/node/src/nodeClient.js'
import { startSink } from './sink.js'

const work = mkdtempSync(join(tmpdir(), 'ecrm-node-e2e-'))
afterAll(() => rmSync(work, { recursive: true, force: true }))

describe('createNodeClient against a real HTTP backend', () => {
  it('retries 503s with backoff and delivers each event once acknowledged, same messageId', async () => {
    const sink = await startSink((n) => (n < 2 ? { status: 503 } : { status: 200 }))
    const client = createNodeClient({
      writeKey: 'wk',
      endpoint: sink.endpoint,
      retry: { baseDelayMs: 20, maxDelayMs: 100 },
    })
    try {
      const ids = Array.from(
        { length: 5 },
        (_, n) => client.track({ userId: 'u-1', event: 'Signed Up', properties: { n } }).messageId,
      )
      const first = await client.flush()
      expect(first).toMatchObject({ sent: 0, retried: 5 })
      await sink.until(() => sink.acked.size === 5)
      expect([...sink.acked].sort()).toEqual([...ids].sort())
      expect(sink.requests).toHaveLength(3)
      for (const request of sink.requests) expect(request.body.batch.map((e) => e['messageId'])).toEqual(ids)
      // Node sends application/json with Basic auth, and the key in the body too.
      expect(sink.requests[0]?.headers['content-type']).toMatch(/^application\/json/)
      expect(sink.requests[0]?.headers['authorization']).toBe(`Basic ${Buffer.from('wk:').toString('base64')}`)
      expect(sink.requests[2]?.body.writeKey).toBe('wk')
      // The sink counts on answering; the client a moment later, on reading the answer.
      await vi.waitFor(() => expect(client.stats()).toMatchObject({ sent: 5, retried: 10, queued: 0 }))
    } finally {
      await client.close()
      await sink.close()
    }
  })

  it('honours Retry-After from a 429 before sending again', async () => {
    const sink = await startSink((n) => (n === 0 ? { status: 429, retryAfter: '1' } : { status: 200 }))
    const client = createNodeClient({ writeKey: 'wk', endpoint: sink.endpoint, retry: { baseDelayMs: 10 } })
    try {
      client.track({ anonymousId: 'a-1', event: 'Signed Up' })
      const started = Date.now()
      await client.flush()
      await sink.until(() => sink.acked.size === 1)
      expect(Date.now() - started).toBeGreaterThanOrEqual(950)
      expect(sink.requests).toHaveLength(2)
    } finally {
      await client.close()
      await sink.close()
    }
  })

  it('close() delivers everything queued, then refuses new calls with a clear error', async () => {
    const sink = await startSink(() => ({ status: 200, delayMs: 2 }))
    const client = createNodeClient({ writeKey: 'wk', endpoint: sink.endpoint, batch: { flushIntervalMs: 60_000 } })
    for (let n = 0; n < 2_500; n += 1)
      client.track({ userId: `u-${n % 10}`, event: 'Product Viewed', properties: { product_id: `p-${n}` } })
    await client.close()
    expect(sink.acked.size).toBe(2_500)
    // Node batches up to 500 events a request.
    expect(Math.max(...sink.requests.map((r) => r.body.batch.length))).toBe(500)
    expect(sink.requests).toHaveLength(5)
    let thrown: unknown
    try {
      client.track({ userId: 'u', event: 'Too Late' })
    } catch (error) {
      thrown = error
    }
    // The code flush() after close() gives too: the input was fine, the client is closed.
    expect(isEcrmError(thrown) && thrown.code).toBe('client_closed')
    expect(String(thrown)).toMatch(/track\(\) was called after close\(\)/)
    expect(() => client.identify({ userId: 'u' })).toThrow(/identify\(\) was called after close\(\)/)
    await expect(client.flush()).rejects.toMatchObject({ code: 'client_closed' })
    await sink.close()
  })

  it('throws EcrmValidationError for bad input, naming the path', () => {
    const client = createNodeClient({ writeKey: 'wk', endpoint: 'http://127.0.0.1:9' })
    expect(() => client.track({ event: 'No Ids' })).toThrow(/userId|anonymousId/)
    expect(() => client.track({ userId: 'u', event: '' })).toThrow(/event/)
    void client.close()
  })
})

describe('crash safety with queueDir', () => {
  let childScript = ''
  beforeAll(async () => {
    childScript = join(work, 'crashChild.mjs')
    await build({
      input: fileURLToPath(new URL('./fixtures/crashChild.ts', import.meta.url)),
      platform: 'node',
      resolve: { alias: { '@ecrm/core': fileURLToPath(new URL('../../packages/core/src/index.ts', import.meta.url)) } },
      output: { file: childScript, format: 'esm' },
      logLevel: 'silent',
    })
  })

  const run = (env: Record<string, string>): ChildProcess =>
    fork(childScript, { env: { ...process.env, ...env }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
  const exited = (child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> =>
    new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })))

  it('delivers all 10,000 events after a SIGKILL mid-flush and a restart', async () => {
    const count = 10_000
    const sink = await startSink(() => ({ status: 200, delayMs: 15 }))
    const queueDir = join(work, 'queue')
    const env = { ENDPOINT: sink.endpoint, QUEUE_DIR: queueDir, COUNT: String(count) }
    try {
      const producer = run({ ...env, MODE: 'produce' })
      const producerExit = exited(producer)
      await sink.until(() => sink.acked.size >= 2_000)
      producer.kill('SIGKILL')
      expect((await producerExit).signal).toBe('SIGKILL')
      const beforeRestart = sink.acked.size
      expect(beforeRestart).toBeLessThan(count)

      const resumer = run({ ...env, MODE: 'resume' })
      const resumed = await exited(resumer)
      expect(resumed.code).toBe(0)
      const missing = Array.from({ length: count }, (_, n) => `crash-${n}`).filter((id) => !sink.acked.has(id))
      expect(missing).toEqual([])
      expect(sink.acked.size).toBe(count)
      // At-least-once: only the batch in flight at the kill may arrive twice.
      const twice = [...sink.seen.values()].filter((times) => times > 1).length
      expect(twice).toBeLessThanOrEqual(100)
    } finally {
      await sink.close()
    }
  }, 120_000)
})
