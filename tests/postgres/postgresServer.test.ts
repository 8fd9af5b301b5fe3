import { describe, expect, it } from 'vitest'
import pg from 'pg'
import { hasPostgres, POSTGRES_BIN, startPostgres } from './postgresServer.js'

const isCi = process.env.CI === 'true'

describe('startPostgres', () => {
  it('fails in CI when PostgreSQL is missing', () => {
    if (isCi && !hasPostgres) throw new Error(`CI=true but PostgreSQL binaries are missing in ${POSTGRES_BIN}`)
  })

  it.skipIf(!hasPostgres)(`starts a server that answers queries, then stops it (needs ${POSTGRES_BIN})`, async () => {
    const server = await startPostgres()
    try {
      const pool = new pg.Pool({ connectionString: server.connectionString })
      const { rows } = await pool.query<{ version: string }>('select version()')
      expect(rows[0]?.version).toMatch(/^PostgreSQL 15\./)
      await pool.end()
    } finally {
      server.stop()
    }
    const pool = new pg.Pool({ connectionString: server.connectionString, connectionTimeoutMillis: 2_000 })
    await expect(pool.query('select 1')).rejects.toThrow()
    await pool.end()
  })
})
