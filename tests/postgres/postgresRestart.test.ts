import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { createIngestHandler } from '../../packages/node/src/ingest/ingestHandler.js'
import { toNodeListener } from '../../packages/node/src/ingest/nodeListener.js'
import { createNodeClient } from '../../packages/node/src/nodeClient.js'
import { createPostgresStore } from '../../packages/node/src/store/postgresStore.js'
import { hasPostgres, startPostgres } from './postgresServer.js'
import type { PostgresServer } from './postgresServer.js'

const CLIENTS = 2
const EVENTS_PER_CLIENT = 400

// Issue 18, "Faults that must be tested": PostgreSQL stopped and started again (pg_ctl, fast
// shutdown: connections cut) while Node clients with durable queues send through the ingest handler.
describe.skipIf(!hasPostgres)('ingest while PostgreSQL restarts', () => {
  let server: PostgresServer | undefined
  const dirs: string[] = []
  afterAll(() => {
    server?.stop()
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true })
  })

  it('answers 503 with Retry-After while the database is down; clients retry and every event is stored exactly once', async () => {
    server = await startPostgres()
    const storeErrors: unknown[] = []
    const store = await createPostgresStore(server.connectionString, { onError: (error) => storeErrors.push(error) })
    const answers: { status: number; retryAfter: string | null }[] = []
    const handlerErrors: unknown[] = []
    const ingest = createIngestHandler({ store, writeKeys: ['wk'], onError: (error) => handlerErrors.push(error) })
    const handler = async (request: Request): Promise<Response> => {
      const response = await ingest(request)
      answers.push({ status: response.status, retryAfter: response.headers.get('retry-after') })
      return response
    }
    const http = createServer(toNodeListener(handler))
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve))
    const endpoint = `http://127.0.0.1:${(http.address() as AddressInfo).port}`
    const clients = Array.from({ length: CLIENTS }, () => {
      const queueDir = mkdtempSync(join(tmpdir(), 'ecrm-restart-queue-'))
      dirs.push(queueDir)
      return createNodeClient({ writeKey: 'wk', endpoint, queueDir, batch: { maxEvents: 50, flushIntervalMs: 50 } })
    })
    const messageIds: string[] = []
    const send = async (from: number, to: number): Promise<void> => {
      for (let i = from; i < to; i++) {
        for (const [c, client] of clients.entries()) {
          const result = client.track({
            userId: `user-${i % 37}`,
            event: 'Order Completed',
            properties: { order_id: `o-${c}-${i}`, total: 10 },
          })
          expect(result.ok).toBe(true)
          messageIds.push(result.messageId)
        }
        if (i % 20 === 19) await new Promise((resolve) => setTimeout(resolve, 5))
      }
    }
    // Some events stored before the restart, some sent while the server is down, the rest after.
    await send(0, EVENTS_PER_CLIENT / 4)
    await Promise.all(clients.map((client) => client.flush()))
    server.halt()
    await send(EVENTS_PER_CLIENT / 4, EVENTS_PER_CLIENT / 2)
    const deadline = Date.now() + 20_000
    while (!answers.some((answer) => answer.status === 503) && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 50))
    await new Promise((resolve) => setTimeout(resolve, 1_000))
    server.resume()
    await send(EVENTS_PER_CLIENT / 2, EVENTS_PER_CLIENT)
    for (const client of clients) {
      while ((await client.flush()).remaining > 0 && Date.now() < deadline + 30_000)
        await new Promise((resolve) => setTimeout(resolve, 200))
      await client.close()
    }
    await new Promise<void>((resolve) => http.close(() => resolve()))

    const down = answers.filter((answer) => answer.status === 503)
    expect(down.length).toBeGreaterThan(0)
    expect(down.every((answer) => answer.retryAfter === '5')).toBe(true)
    expect(answers.filter((answer) => answer.status !== 503 && answer.status !== 200)).toEqual([])
    expect(handlerErrors.length).toBe(down.length)
    const rows = await store.query<{ message_id: string; n: number }>(
      'select message_id, count(*)::int as n from ecrm_events group by message_id',
    )
    expect(rows.filter((row) => row.n !== 1)).toEqual([])
    expect(rows.map((row) => row.message_id).sort()).toEqual([...messageIds].sort())
    expect(messageIds).toHaveLength(CLIENTS * EVENTS_PER_CLIENT)
    // The profiles saw each stored event once too.
    const [orders] = await store.query<{ n: number }>(
      'select coalesce(sum(order_count), 0)::int as n from ecrm_profiles',
    )
    expect(orders?.n).toBe(CLIENTS * EVENTS_PER_CLIENT)
    await store.close()
  }, 90_000)
})
