import { execFileSync, spawnSync } from 'node:child_process'
import { chownSync, existsSync, mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** Where Debian's postgresql-15 package puts the server binaries. */
export const POSTGRES_BIN = process.env.ECRM_POSTGRES_BIN ?? '/usr/lib/postgresql/15/bin'

/** True when `initdb` and `pg_ctl` are installed. */
export const hasPostgres = existsSync(join(POSTGRES_BIN, 'initdb')) && existsSync(join(POSTGRES_BIN, 'pg_ctl'))

/** A throwaway PostgreSQL server. */
export interface PostgresServer {
  /** `postgres://postgres@127.0.0.1:<port>/postgres` */
  readonly connectionString: string
  readonly port: number
  /** Stops the server (fast shutdown) and deletes its data directory. Idempotent. */
  readonly stop: () => void
  /** Stops the server (fast shutdown: open connections are cut) and keeps its data, for {@link PostgresServer.resume}. */
  readonly halt: () => void
  /** Starts a halted server again on the same port and data. */
  readonly resume: () => void
}

/**
 * Starts a PostgreSQL server in a fresh temporary directory on a free port, trusting local
 * connections, with fsync off (a test server need not survive power loss). When running as root,
 * the server runs as the `postgres` user (PostgreSQL refuses to run as root).
 *
 * @example
 * const server = await startPostgres()
 * const store = await createPostgresStore(server.connectionString)
 * server.stop()
 */
export async function startPostgres(): Promise<PostgresServer> {
  if (!hasPostgres) throw new Error(`PostgreSQL binaries not found in ${POSTGRES_BIN} (apt-get install postgresql-15)`)
  const dir = mkdtempSync(join(tmpdir(), 'ecrm-pg-'))
  const data = join(dir, 'data')
  const isRoot = process.getuid?.() === 0
  const run = (binary: string, args: string[]): void => {
    const [command, fullArgs] = isRoot
      ? ['runuser', ['-u', 'postgres', '--', join(POSTGRES_BIN, binary), ...args]]
      : [join(POSTGRES_BIN, binary), args]
    const result = spawnSync(command, fullArgs as string[], { encoding: 'utf8' })
    if (result.status !== 0) {
      throw new Error(`${binary} failed (${result.status}): ${result.stderr || result.stdout}`)
    }
  }
  if (isRoot) {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim())
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim())
    chownSync(dir, uid, gid)
  }
  const port = await freePort()
  run('initdb', ['-D', data, '-U', 'postgres', '-A', 'trust', '--no-sync', '-E', 'UTF8', '--no-instructions'])
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c max_connections=50`
  const start = (): void =>
    run('pg_ctl', ['-D', data, '-o', options, '-l', join(dir, 'server.log'), '-w', '-t', '60', 'start'])
  start()
  let stopped = false
  let halted = false
  return {
    port,
    connectionString: `postgres://postgres@127.0.0.1:${port}/postgres`,
    stop() {
      if (stopped) return
      stopped = true
      try {
        if (!halted) run('pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop'])
      } finally {
        rmSync(dir, { recursive: true, force: true })
      }
    },
    halt() {
      run('pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop'])
      halted = true
    },
    resume() {
      start()
      halted = false
    },
  }
}

/** A TCP port nobody listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() =>
        typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port')),
      )
    })
  })
}
