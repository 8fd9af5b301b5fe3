import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { checkSqlEquivalence } from '../../packages/core/test/sql/sqlEquivalence.js'
import { hasPostgres, POSTGRES_BIN, startPostgres } from './postgresServer.js'
import type { PostgresServer } from './postgresServer.js'

const reason = `PostgreSQL 15 binaries not found in ${POSTGRES_BIN}`

describe('PostgreSQL availability for the SQL equivalence', () => {
  it('is required when CI=true', () => {
    if (process.env.CI === 'true' && !hasPostgres) throw new Error(`${reason}, and CI=true`)
  })
  it.skipIf(hasPostgres)(`skipped: ${reason}`, () => undefined)
})

describe.skipIf(!hasPostgres)('compileLogicToSql on a real PostgreSQL', () => {
  let server: PostgresServer
  let pool: pg.Pool
  beforeAll(async () => {
    server = await startPostgres()
    pool = new pg.Pool({ connectionString: server.connectionString, max: 2 })
  }, 120_000)
  afterAll(async () => {
    await pool?.end()
    server?.stop()
  })

  it('selects the same customers as applyLogic for 3,000 generated rules over generated profiles', async () => {
    const { compared, selective } = await checkSqlEquivalence(
      async (sql, params) => (await pool.query<{ id: string }>(sql, params)).rows,
    )
    expect(compared).toBe(3_000)
    // Rules that pick some profiles but not all: the comparison is not won by trivial rules.
    expect(selective).toBeGreaterThan(1_000)
  }, 60_000)
})
