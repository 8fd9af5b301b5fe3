import type { DeriveConfig } from '@ecrm/core'
import type { Store } from '../store/storeTypes.js'

/** The store flags a CLI command takes: `--data-dir` (PGlite) or `--database-url` (PostgreSQL). */
export interface StoreFlags {
  readonly 'data-dir'?: string | undefined
  readonly 'database-url'?: string | undefined
}

/** Opens PostgreSQL when `--database-url` (or DATABASE_URL) is set, else the embedded PGlite folder. */
export async function openStore(flags: StoreFlags, derive?: DeriveConfig): Promise<Store> {
  const databaseUrl = flags['database-url'] ?? process.env['DATABASE_URL']
  const options = derive === undefined ? {} : { derive }
  return databaseUrl === undefined || databaseUrl === ''
    ? (await import('../store/pgliteStore.js')).createPgliteStore(flags['data-dir'] ?? '.ecrm-data', options)
    : (await import('../store/postgresStore.js')).createPostgresStore(databaseUrl, options)
}
