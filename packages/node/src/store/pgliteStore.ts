import { mkdirSync } from 'node:fs'
import { EcrmError } from '@ecrm/core'
import { lockDir } from '../queue/dirLock.js'
import type { DirLock } from '../queue/dirLock.js'
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
 * One process at a time may open a data directory: the store takes `<dataDir>/LOCK` (with its
 * pid) and a second process, or a second store in this one, fails with `data_dir_locked` until
 * the first is closed (a lock left by a process that died is taken over). For many processes,
 * use {@link createPostgresStore}. `options` say what to derive on the profiles ({@link StoreOptions}).
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
  // A PGlite URL (memory://, idb://) is no folder of this machine: nothing to lock.
  const isFolder = dataDir !== undefined && !dataDir.includes('://')
  if (isFolder) mkdirSync(dataDir, { recursive: true })
  const lock = isFolder
    ? lockDir(dataDir, {
        code: 'data_dir_locked',
        failure: 'Opening the PGlite store failed',
        fix: 'stop the other ecrm serve, or give this one its own --data-dir',
      })
    : undefined
  try {
    const db = (await module.PGlite.create(dataDir)) as PgliteLike
    return await createSqlStore(pgliteDriver(db, lock), options)
  } catch (error) {
    lock?.release()
    throw error
  }
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

function pgliteDriver(db: PgliteLike, lock: DirLock | undefined): SqlDriver {
  return {
    ...executor(db),
    transaction: (work) => db.transaction((tx) => work(executor(tx))),
    async close() {
      try {
        await db.close()
      } finally {
        lock?.release()
      }
    },
  }
}
