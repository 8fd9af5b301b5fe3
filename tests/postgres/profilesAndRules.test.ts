import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { EcrmEvent } from '@ecrm/core'
import { createPostgresStore } from '../../packages/node/src/store/postgresStore.js'
import type { Store } from '../../packages/node/src/store/storeTypes.js'
import { runProfileContract } from '../../packages/node/test/profileContract.js'
import { runRuleRunnerContract } from '../../packages/node/test/ruleRunnerContract.js'
import { hasPostgres, POSTGRES_BIN, startPostgres } from './postgresServer.js'
import type { PostgresServer } from './postgresServer.js'

const reason = `PostgreSQL 15 binaries not found in ${POSTGRES_BIN}`

describe('PostgreSQL availability for profiles and rules', () => {
  it('is required when CI=true', () => {
    if (process.env.CI === 'true' && !hasPostgres) throw new Error(`${reason}, and CI=true`)
  })
  it.skipIf(hasPostgres)(`skipped: ${reason}`, () => undefined)
})

if (hasPostgres) {
  let profileServer: PostgresServer | undefined
  runProfileContract('PostgreSQL 15 via pg', async () => {
    profileServer = await startPostgres()
    return {
      store: await createPostgresStore(profileServer.connectionString),
      cleanup: async () => profileServer?.stop(),
    }
  })

  let runnerServer: PostgresServer | undefined
  // Two pools, two stores, two runners: two processes as far as the database can tell.
  runRuleRunnerContract('PostgreSQL 15, two connection pools', async () => {
    runnerServer = await startPostgres()
    const url = runnerServer.connectionString
    return {
      store: await createPostgresStore(url),
      openSecond: () => createPostgresStore(url),
      cleanup: async () => runnerServer?.stop(),
    }
  })
}

describe.skipIf(!hasPostgres)('profiles under concurrent ingest from two processes', () => {
  let server: PostgresServer
  const stores: Store[] = []
  beforeAll(async () => {
    server = await startPostgres()
    for (let n = 0; n < 2; n += 1)
      stores.push(await createPostgresStore(server.connectionString, { maxConnections: 6 }))
  }, 120_000)
  afterAll(async () => {
    for (const store of stores) await store.close()
    server?.stop()
  })

  it('loses no event in the profiles when batches of one customer under different ids land at once', async () => {
    const at = (n: number): string => new Date(Date.UTC(2026, 0, 1) + n * 1_000).toISOString()
    // One person: 3 user ids and 5 anonymous ids, tied together first (and merged along the way).
    const links = Array.from({ length: 5 }, (_, n) => ({
      type: 'identify',
      messageId: `pc-link-${n}`,
      anonymousId: `pc-a${n}`,
      userId: `pc-u${n % 3}`,
      timestamp: at(n),
    }))
    const bridge = [
      { type: 'alias', messageId: 'pc-alias-1', userId: 'pc-u0', previousId: 'pc-u1', timestamp: at(6) },
      { type: 'alias', messageId: 'pc-alias-2', userId: 'pc-u0', previousId: 'pc-u2', timestamp: at(7) },
    ]
    await Promise.all([
      stores[0]!.insertEvents(links.slice(0, 3) as EcrmEvent[]),
      stores[1]!.insertEvents(links.slice(3) as EcrmEvent[]),
    ])
    await stores[0]!.insertEvents(bridge as EcrmEvent[])
    // Then each batch speaks for the person under one id only: the identity locks of two batches
    // under different ids do not overlap, so only the profile row lock keeps their folds apart.
    const batches = 40
    const perBatch = 25
    const all: EcrmEvent[] = []
    const sends: Promise<unknown>[] = []
    for (let b = 0; b < batches; b += 1) {
      const who = b % 2 === 0 ? { anonymousId: `pc-a${b % 5}` } : { userId: `pc-u${b % 3}` }
      const batch = Array.from(
        { length: perBatch },
        (_, n) =>
          ({
            type: 'track',
            messageId: `pc-${b}-${n}`,
            event: 'Product Viewed',
            properties: { product_id: `p-${n % 11}` },
            timestamp: at(100 + b * perBatch + n),
            ...who,
          }) as EcrmEvent,
      )
      all.push(...batch)
      // Each batch to both processes at once (a client retrying against another process).
      for (const store of stores) sends.push(store.insertEvents(batch))
    }
    await Promise.all(sends)
    const tracks = all.length
    const profiles = await stores[0]!.listProfiles({ limit: 100 })
    expect(profiles).toHaveLength(1)
    const [profile] = profiles
    expect(profile?.events.totals['Product Viewed']).toBe(tracks)
    expect(profile?.events.totals['$identify']).toBe(5)
    expect(profile?.events.totals['$alias']).toBe(2)
    expect(profile?.identities.anonymousIds.slice().sort()).toEqual(['pc-a0', 'pc-a1', 'pc-a2', 'pc-a3', 'pc-a4'])
    expect(profile?.identities.userIds.slice().sort()).toEqual(['pc-u0', 'pc-u1', 'pc-u2'])
    const [row] = await stores[1]!.query<{ n: number }>(
      'select count(*)::int as n from ecrm_profiles p left join ecrm_customers c on c.id = p.customer_id where c.id is null',
    )
    expect(row?.n).toBe(0)
  }, 60_000)
})
