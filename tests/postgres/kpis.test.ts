import { describe, it } from 'vitest'
import { createPostgresStore } from '../../packages/node/src/store/postgresStore.js'
import { runKpiContract } from '../../packages/node/test/kpis/kpiContract.js'
import { kpiDerive } from '../../packages/node/test/kpis/kpiDataset.js'
import { hasPostgres, POSTGRES_BIN, startPostgres } from './postgresServer.js'

if (hasPostgres) {
  runKpiContract('PostgreSQL 15 via pg', async () => {
    const full = await startPostgres()
    const blank = await startPostgres()
    return {
      store: await createPostgresStore(full.connectionString, { derive: kpiDerive }),
      empty: await createPostgresStore(blank.connectionString),
      cleanup: async () => {
        full.stop()
        blank.stop()
      },
    }
  })
} else {
  describe('KPI queries on PostgreSQL', () => {
    it.skip(`skipped: PostgreSQL 15 binaries not found in ${POSTGRES_BIN}`, () => undefined)
  })
}
