import { createServer } from 'node:http'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createIngestHandler } from '../../packages/node/src/ingest/ingestHandler.js'
import { toNodeListener } from '../../packages/node/src/ingest/nodeListener.js'
import { migrate } from '../../packages/node/src/store/migrations.js'
import { createPostgresStore, poolDriver } from '../../packages/node/src/store/postgresStore.js'
import type { Store } from '../../packages/node/src/store/storeTypes.js'
import { runStoreContract } from '../../packages/node/test/storeContract.js'
import { runStoreTrustContract } from '../../packages/node/test/storeTrustContract.js'
import { hasPostgres, POSTGRES_BIN, startPostgres } from './postgresServer.js'
import type { PostgresServer } from './postgresServer.js'

const reason = `PostgreSQL 15 binaries not found in ${POSTGRES_BIN}`

describe('PostgreSQL availability', () => {
  it('is required when CI=true', () => {
    if (process.env.CI === 'true' && !hasPostgres) throw new Error(`${reason}, and CI=true`)
  })
  it.skipIf(hasPostgres)(`skipped: ${reason}`, () => undefined)
})

if (hasPostgres) {
  let contractServer: PostgresServer | undefined
  runStoreContract('PostgreSQL 15 via pg', async () => {
    contractServer = await startPostgres()
    const connectionString = contractServer.connectionString
    return {
      store: await createPostgresStore(connectionString),
      async migrateAgain() {
        const pool = new pg.Pool({ connectionString })
        try {
          return await migrate(poolDriver(pool))
        } finally {
          await pool.end()
        }
      },
      cleanup: async () => contractServer?.stop(),
    }
  })
}

if (hasPostgres) {
  let trustServer: PostgresServer | undefined
  runStoreTrustContract('PostgreSQL 15 via pg', async () => {
    trustServer = await startPostgres()
    return { store: await createPostgresStore(trustServer.connectionString), cleanup: async () => trustServer?.stop() }
  })
}

describe.skipIf(!hasPostgres)('two ingest handlers on one PostgreSQL', () => {
  let server: PostgresServer
  const stores: Store[] = []
  const listeners: Server[] = []
  const endpoints: string[] = []
  beforeAll(async () => {
    server = await startPostgres()
    for (let n = 0; n < 2; n += 1) {
      // Each "process" has its own pool, store and handler: nothing shared but the database.
      const store = await createPostgresStore(server.connectionString, { maxConnections: 8 })
      // The secret key: these batches merge identified customers, which a public key may not.
      const listener = createServer(
        toNodeListener(createIngestHandler({ store, writeKeys: ['wk'], secretKeys: ['sk'] })),
      )
      await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve))
      stores.push(store)
      listeners.push(listener)
      endpoints.push(`http://127.0.0.1:${(listener.address() as AddressInfo).port}`)
    }
  }, 120_000)
  afterAll(async () => {
    for (const listener of listeners) await new Promise((resolve) => listener.close(resolve))
    for (const store of stores) await store.close()
    server?.stop()
  })

  it('loses nothing and stores each messageId once under concurrent, overlapping batches', async () => {
    const batches = 60
    const perBatch = 50
    const event = (b: number, n: number): Record<string, unknown> => {
      const id = b * perBatch + n
      // Every 10th event is an identify tying an anonymous id to one of 7 users, so the two
      // handlers merge the same customers at the same time.
      return id % 10 === 0
        ? {
            type: 'identify',
            messageId: `c-${id}`,
            anonymousId: `anon-${id % 13}`,
            userId: `user-${id % 7}`,
            traits: { seen: id },
          }
        : {
            type: 'track',
            messageId: `c-${id}`,
            anonymousId: `anon-${id % 13}`,
            event: 'Product Viewed',
            properties: { product_id: `p-${id}` },
          }
    }
    const send = async (
      endpoint: string,
      batch: Record<string, unknown>[],
    ): Promise<{ accepted: number; duplicates: number }> => {
      const response = await fetch(`${endpoint}/v1/batch`, {
        method: 'POST',
        headers: { 'content-type': 'text/plain', authorization: `Basic ${Buffer.from('sk:').toString('base64')}` },
        body: JSON.stringify({ batch }),
      })
      expect(response.status).toBe(200)
      return (await response.json()) as { accepted: number; duplicates: number }
    }
    // Each batch goes to both handlers at once (a client retrying against another process).
    const results = await Promise.all(
      Array.from({ length: batches }, (_, b) => {
        const batch = Array.from({ length: perBatch }, (_, n) => event(b, n))
        return Promise.all(endpoints.map((endpoint) => send(endpoint, batch)))
      }),
    )
    const total = batches * perBatch
    const accepted = results.flat().reduce((sum, r) => sum + r.accepted, 0)
    const duplicates = results.flat().reduce((sum, r) => sum + r.duplicates, 0)
    expect(accepted).toBe(total)
    expect(duplicates).toBe(total)
    const [counts] = await stores[0]!.query<{ rows: number; distinct_ids: number }>(
      'select count(*)::int as rows, count(distinct message_id)::int as distinct_ids from ecrm_events',
    )
    expect(counts).toEqual({ rows: total, distinct_ids: total })
    // Ids 0, 10, 20... tie anon-(id % 13) to user-(id % 7); 13 and 7 are coprime, so every
    // anonymous id meets every user: one customer holding all 7 users and 13 anonymous ids.
    const customers = await stores[1]!.listCustomers()
    expect(customers).toHaveLength(1)
    expect(customers[0]?.userIds).toHaveLength(7)
    expect(customers[0]?.anonymousIds).toHaveLength(13)
    const [orphans] = await stores[0]!.query<{ n: number }>(
      'select count(*)::int as n from ecrm_identities i left join ecrm_customers c on c.id = i.customer_id where c.id is null',
    )
    expect(orphans?.n).toBe(0)
  }, 120_000)
})
