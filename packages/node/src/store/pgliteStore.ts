import { EcrmError } from '@ecrm/core'
import { createSqlStore } from './sqlStore.js'
import type { SqlDriver, SqlExecutor, Store, StoreOptions } from './storeTypes.js'

/** The slice of PGlite the store uses (so this file needs no PGlite types at runtime). */
interface PgliteLike {
  query<Row>(sql: string, params?: unknown[]): Promise<{ rows: Row[] }>
  exec(sql: string): Promise<unknown>
  transaction<T>(work: (tx: PgliteLike) => Promise<T>): Promise<T>
  close(): Promise<void>
}

/**
 * Opens the embedded store: PostgreSQL compiled to WebAssembly (PGlite), its data in `dataDir`
 * on disk, or in memory when `dataDir` is undefined (tests, demos). Applies migrations first.
 * `@electric-sql/pglite` is an optional peer dependency, imported only when this is called.
 * One process at a time may open a data directory; for many processes, use
 * {@link createPostgresStore}. `options` say what to derive on the profiles ({@link StoreOptions}).
 *
 * @example
 * const store = await createPgliteStore('.ecrm-data')
 * const ingest = createIngestHandler({ store, writeKeys: ['WRITE_KEY'] })
 */
export async function createPgliteStore(dataDir?: string, options: StoreOptions = {}): Promise<Store> {
  let module: { PGlite: { create(dataDir?: string): Promise<unknown> } }
  try {
    module = (await import('@electric-sql/pglite')) as unknown as typeof module
  } catch (error) {
    throw new EcrmError(
      'missing_dependency',
      'createPgliteStore() failed: @electric-sql/pglite (install it: npm i @electric-sql/pglite)',
      { cause: error },
    )
  }
  const db = (await module.PGlite.create(dataDir)) as PgliteLike
  return createSqlStore(pgliteDriver(db), options)
}

function executor(db: PgliteLike): SqlExecutor {
  return {
    async query<Row>(sql: string, params: readonly unknown[] = []) {
      return (await db.query<Row>(sql, [...params])).rows
    },
    async exec(sql) {
      await db.exec(sql)
    },
  }
}

function pgliteDriver(db: PgliteLike): SqlDriver {
  return {
    ...executor(db),
    transaction: (work) => db.transaction((tx) => work(executor(tx))),
    close: () => db.close(),
  }
}
