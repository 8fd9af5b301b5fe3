import { EcrmError } from '@ecrm/core'
import { createSqlStore } from './sqlStore.js'
import type { SqlDriver, SqlExecutor, Store, StoreOptions } from './storeTypes.js'

/** A `pg` client checked out of a pool (structural, so no `@types/pg` is needed). */
export interface PgClientLike {
  /** Runs one statement on this connection; `params` fill `$1`, `$2`... */
  query(sql: string, params?: unknown[]): Promise<{ rows: unknown[] }>
  /** Gives the connection back to the pool; an error (or `true`) destroys it instead, as after a failed transaction. */
  release(error?: Error | boolean): void
}

/** A `pg` Pool, or anything shaped like one. */
export interface PgPoolLike {
  /** Runs one statement on any free connection; `params` fill `$1`, `$2`... */
  query(sql: string, params?: unknown[]): Promise<{ rows: unknown[] }>
  /** Checks out one connection, for a transaction; give it back with `release`. */
  connect(): Promise<PgClientLike>
  /** Closes every connection of the pool. */
  end(): Promise<void>
  /** Connections open (pg's Pool has it). */
  readonly totalCount?: number
  /** pg's Pool emits `remove` once a connection has really closed. */
  on?(event: 'remove', listener: () => void): unknown
  /** pg's Pool emits `error` when an idle connection fails (the server restarted); unheard, it would crash the process. */
  on?(event: 'error', listener: (error: Error) => void): unknown
}

/** Options of {@link createPostgresStore}: the pool size, and what every store derives. */
export interface PostgresStoreOptions extends StoreOptions {
  /** Connections in the pool the store creates from a connection string. @default 10 */
  readonly maxConnections?: number
}

/**
 * Opens a store on a real PostgreSQL (or a Postgres-compatible distributed database) through
 * `pg`: from a connection string (the store owns the pool and ends it on `close`) or your own
 * pool (left open). Applies migrations first, safely when many processes start at once.
 * `pg` is an optional peer dependency, imported only when a connection string is given.
 *
 * @example
 * const store = await createPostgresStore(process.env.DATABASE_URL!)
 */
export async function createPostgresStore(
  connection: string | PgPoolLike,
  { maxConnections = 10, ...storeOptions }: PostgresStoreOptions = {},
): Promise<Store> {
  if (typeof connection !== 'string')
    return createSqlStore(poolDriver(connection), { ...storeOptions, ownsDriver: false })
  let pg: { Pool: new (config: object) => PgPoolLike; default?: { Pool: new (config: object) => PgPoolLike } }
  try {
    pg = (await import('pg')) as unknown as typeof pg
  } catch (error) {
    throw new EcrmError('missing_dependency', 'createPostgresStore() failed: pg (install it: npm i pg)', {
      cause: error,
    })
  }
  const Pool = pg.default?.Pool ?? pg.Pool
  const pool = new Pool({ connectionString: connection, max: maxConnections })
  // A restarted or failed-over server cuts the idle connections: the pool drops them and opens
  // new ones on demand, so this is news for onError, not a reason to crash the process.
  pool.on?.('error', (error: Error) => storeOptions.onError?.(error))
  try {
    return await createSqlStore(poolDriver(pool), storeOptions)
  } catch (error) {
    await pool.end()
    throw error
  }
}

function executor(target: { query(sql: string, params?: unknown[]): Promise<{ rows: unknown[] }> }): SqlExecutor {
  return {
    async query<Row>(sql: string, params: readonly unknown[] = []) {
      return (await target.query(sql, [...params])).rows as Row[]
    },
    async exec(sql) {
      await target.query(sql)
    },
  }
}

/** A {@link SqlDriver} over a `pg` pool: transactions on a checked-out client. */
export function poolDriver(pool: PgPoolLike): SqlDriver {
  return {
    ...executor(pool),
    async transaction(work) {
      const client = await pool.connect()
      try {
        await client.query('begin')
        const result = await work(executor(client))
        await client.query('commit')
        client.release()
        return result
      } catch (error) {
        await client.query('rollback').catch(() => undefined)
        // A client in an unknown state must not go back to the pool.
        client.release(error instanceof Error ? error : true)
        throw error
      }
    },
    close: () => endPool(pool),
  }
}

/** Longest wait for the connections to close after `end()`, in ms. */
const CLOSE_WAIT_MS = 5_000

/**
 * Ends the pool and waits until its connections have really closed: pg's `end()` resolves as soon
 * as it has asked each connection to close, and a server stopped right then (tests, a deploy)
 * would fail the connections still closing with an error nobody listens to.
 */
async function endPool(pool: PgPoolLike): Promise<void> {
  const open = pool.totalCount ?? 0
  let closed = 0
  let timer: ReturnType<typeof setTimeout> | undefined
  const allClosed = new Promise<void>((resolve) => {
    if (open === 0 || pool.on === undefined) return resolve()
    pool.on('remove', () => {
      closed += 1
      if (closed >= open) resolve()
    })
    timer = setTimeout(resolve, CLOSE_WAIT_MS)
    timer.unref()
  })
  await pool.end()
  await allClosed
  clearTimeout(timer)
}
