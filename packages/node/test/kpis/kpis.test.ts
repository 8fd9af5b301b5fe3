import { createPgliteStore } from '../../src/store/pgliteStore.js'
import { runKpiContract } from './kpiContract.js'
import { kpiDerive } from './kpiDataset.js'

runKpiContract('PGlite', async () => ({
  store: await createPgliteStore(undefined, { derive: kpiDerive }),
  empty: await createPgliteStore(),
}))
