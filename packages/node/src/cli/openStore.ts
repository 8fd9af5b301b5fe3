import type { DeriveConfig } from '@ecrm/core'
import type { Store, StoreOptions } from '../store/storeTypes.js'

/** The store flags a CLI command takes: `--data-dir` (PGlite) or `--database-url` (PostgreSQL). */
export interface StoreFlags {
  readonly 'data-dir'?: string | undefined
  readonly 'database-url'?: string | undefined
}

/**
 * Opens PostgreSQL when `--database-url` (or DATABASE_URL) is set, else the embedded PGlite folder;
 * `options` as the store takes them (`ecrm import` folds only, and derives once at its end).
 */
export async function openStore(
  flags: StoreFlags,
  derive?: DeriveConfig,
  more: Pick<StoreOptions, 'deriveAtIngest'> = {},
): Promise<Store> {
  const databaseUrl = flags['database-url'] ?? process.env['DATABASE_URL']
  const options = derive === undefined ? more : { ...more, derive }
  return databaseUrl === undefined || databaseUrl === ''
    ? (await import('../store/pgliteStore.js')).createPgliteStore(flags['data-dir'] ?? '.ecrm-data', options)
    : (await import('../store/postgresStore.js')).createPostgresStore(databaseUrl, options)
}
