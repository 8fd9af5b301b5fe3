import { describe, it } from 'vitest'
import { createPostgresStore } from '../../packages/node/src/store/postgresStore.js'
import { runMessageStatsContract } from '../../packages/node/test/messages/messageStatsContract.js'
import { hasPostgres, POSTGRES_BIN, startPostgres } from './postgresServer.js'

if (hasPostgres) {
  runMessageStatsContract('PostgreSQL 15 via pg', async () => {
    const server = await startPostgres()
    return { store: await createPostgresStore(server.connectionString), cleanup: async () => server.stop() }
  })
} else {
  describe('messageStats on PostgreSQL', () => {
    it.skip(`skipped: PostgreSQL 15 binaries not found in ${POSTGRES_BIN}`, () => undefined)
  })
}
