import type { DerivedModel } from '@ecrm/core'
import type { SqlExecutor } from './storeTypes.js'

const MODEL_ID = 'derive'
/** How long a process trusts its copy of the model before reading it again (another may have refit). */
const MODEL_TTL_MS = 30_000

/** The fitted model ingest derives with: read from `ecrm_models`, cached briefly. */
export interface ModelCache {
  /** The latest stored model, or null before the first full refresh. */
  readonly get: (db: SqlExecutor) => Promise<DerivedModel | null>
  /** Stores a new fit (and keeps it as the cached copy). */
  readonly put: (db: SqlExecutor, model: DerivedModel) => Promise<void>
}

/** Creates the {@link ModelCache} of one store. */
export function createModelCache(clock: () => number = Date.now): ModelCache {
  let cached: { model: DerivedModel | null; readAt: number } | undefined
  return {
    async get(db) {
      if (cached !== undefined && clock() - cached.readAt < MODEL_TTL_MS) return cached.model
      const rows = await db.query<{ model: DerivedModel }>('select model from ecrm_models where id = $1', [MODEL_ID])
      cached = { model: rows[0]?.model ?? null, readAt: clock() }
      return cached.model
    },
    async put(db, model) {
      await db.query(
        `insert into ecrm_models (id, model, fitted_at) values ($1, $2::jsonb, $3)
         on conflict (id) do update set model = excluded.model, fitted_at = excluded.fitted_at`,
        [MODEL_ID, JSON.stringify(model), new Date(model.fittedAt).toISOString()],
      )
      cached = { model, readAt: clock() }
    },
  }
}
