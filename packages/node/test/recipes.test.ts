import { createPgliteStore } from '../src/store/pgliteStore.js'
import { runRecipesContract } from './recipesContract.js'

runRecipesContract('PGlite', async (options) => ({ store: await createPgliteStore(undefined, options) }))
