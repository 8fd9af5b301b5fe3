import { createPgliteStore } from '../../src/store/pgliteStore.js'
import { runMessageStatsContract } from './messageStatsContract.js'

runMessageStatsContract('PGlite', async () => ({ store: await createPgliteStore() }))
