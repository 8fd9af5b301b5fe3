import { describe, it } from 'vitest'
import { createPostgresStore } from '../../packages/node/src/store/postgresStore.js'
import { runRecipesContract } from '../../packages/node/test/recipesContract.js'
import { hasPostgres, POSTGRES_BIN, startPostgres } from './postgresServer.js'
import type { PostgresServer } from './postgresServer.js'

const reason = `PostgreSQL 15 binaries not found in ${POSTGRES_BIN}`

describe('PostgreSQL availability for the recipes', () => {
  it('is required when CI=true', () => {
    if (process.env.CI === 'true' && !hasPostgres) throw new Error(`${reason}, and CI=true`)
  })
  it.skipIf(hasPostgres)(`skipped: ${reason}`, () => undefined)
})

if (hasPostgres) {
  let server: PostgresServer | undefined
  runRecipesContract('PostgreSQL 15 via pg', async (options) => {
    server = await startPostgres()
    return { store: await createPostgresStore(server.connectionString, options), cleanup: async () => server?.stop() }
  })
}
