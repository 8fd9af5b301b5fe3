import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createNodeClient } from '../../packages/node/src/nodeClient.js'
import { startIngestServer } from '../../packages/node/src/serve.js'
import type { IngestServer } from '../../packages/node/src/serve.js'
import { createPgliteStore } from '../../packages/node/src/store/pgliteStore.js'

describe('node client → ingest server → PGlite', () => {
  let server: IngestServer
  const logs: string[] = []
  beforeAll(async () => {
    // An in-memory PGlite through the same server `ecrm serve` runs.
    server = await startIngestServer({
      port: 0,
      writeKeys: ['wk_e2e'],
      dataDir: 'memory://',
      log: (line) => logs.push(line),
    })
  }, 120_000)
  afterAll(async () => {
    await server?.close()
  })

  it('stores every event once, resolves identities, and the re-sent ones count as duplicates', async () => {
    const client = createNodeClient({ writeKey: 'wk_e2e', endpoint: server.url })
    client.identify({ anonymousId: 'anon-e2e', userId: 'user-e2e', traits: { email: 'e2e@shop.example' } })
    const ids: string[] = []
    for (let n = 0; n < 1_200; n += 1) {
      ids.push(
        client.track({ anonymousId: 'anon-e2e', event: 'Product Viewed', properties: { product_id: `sku-${n}` } })
          .messageId,
      )
    }
    client.track({
      userId: 'user-e2e',
      event: 'Order Completed',
      properties: { order_id: 'o-1', total: 42.5, currency: 'EUR' },
    })
    await client.close()
    expect(client.stats()).toMatchObject({ sent: 1_202, queued: 0, deadLettered: 0 })

    const [counts] = await server.store.query<{ n: number; received: number }>(
      "select count(*)::int as n, count(*) filter (where payload ? 'receivedAt')::int as received from ecrm_events",
    )
    expect(counts).toEqual({ n: 1_202, received: 1_202 })
    const customers = await server.store.listCustomers()
    expect(customers).toEqual([
      expect.objectContaining({
        userIds: ['user-e2e'],
        anonymousIds: ['anon-e2e'],
        traits: { email: 'e2e@shop.example' },
      }),
    ])
    // The same events again (a client that crashed before it saw the 200): stored once.
    const again = await fetch(`${server.url}/v1/batch`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        writeKey: 'wk_e2e',
        batch: ids.slice(0, 3).map((messageId, n) => ({
          type: 'track',
          messageId,
          anonymousId: 'anon-e2e',
          event: 'Product Viewed',
          properties: { product_id: `sku-${n}` },
        })),
      }),
    })
    expect(await again.json()).toEqual({ success: true, accepted: 0, duplicates: 3, rejected: [] })
    expect(logs[0]).toMatch(/^ecrm: listening on http:\/\/127\.0\.0\.1:\d+/)
  }, 120_000)

  it('opens an in-memory PGlite store too (no dataDir)', async () => {
    const store = await createPgliteStore()
    expect(await store.listCustomers()).toEqual([])
    await store.close()
  }, 60_000)
})
