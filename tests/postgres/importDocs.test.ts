// docs/import.md run as written on PostgreSQL 15: its three files, its command (the store named by
// DATABASE_URL, as a user sets it), the output it shows; then again (nothing added) and its CAC.
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { cacByChannel } from '../../packages/node/src/kpis/cacKpis.js'
import { createPostgresStore } from '../../packages/node/src/store/postgresStore.js'
import { buildCli } from '../node/serveProcess.js'
import { hasPostgres, startPostgres } from './postgresServer.js'
import type { PostgresServer } from './postgresServer.js'

const doc = readFileSync(join(import.meta.dirname, '..', '..', 'docs', 'import.md'), 'utf8')
const files = [...doc.matchAll(/^```csv file=(\S+)\n([\s\S]*?)^```$/gm)].map(([, name, text]) => ({
  name: name ?? '',
  text: text ?? '',
}))
const command = /^```sh\n(ecrm import [^\n]*)\n```$/m.exec(doc)?.[1] ?? ''
const queryCommand = /^```sh\n(ecrm import --postgres-query "([^"]+)")\n```$/m.exec(doc)
const queryError = /errors name the row of the result:\n\n```text\n {2}([^\n]+)\n```/.exec(doc)?.[1] ?? ''
const printed = /The run above prints, on stdout:\n\n```text\n([\s\S]*?)```/.exec(doc)?.[1] ?? ''

describe.skipIf(!hasPostgres)('docs/import.md on PostgreSQL 15', () => {
  let server: PostgresServer
  let cli: string
  const dir = mkdtempSync(join(tmpdir(), 'ecrm-import-pg-'))

  /** Runs the documented command line in the folder holding the documented files. */
  const run = (
    args = command.split(' ').slice(1),
  ): Promise<{ code: number | null; stdout: string; stderr: string }> => {
    const child = spawn(process.execPath, [cli, ...args], {
      cwd: dir,
      env: { ...process.env, DATABASE_URL: server.connectionString },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    return new Promise((resolve) => child.once('exit', (code) => resolve({ code, stdout, stderr })))
  }

  beforeAll(async () => {
    server = await startPostgres()
    cli = await buildCli('import-pg')
    for (const { name, text } of files) writeFileSync(join(dir, name), text)
  }, 120_000)
  afterAll(() => {
    server?.stop()
    rmSync(dir, { recursive: true, force: true })
  })

  it('documents three files and one command', () => {
    expect(files.map((file) => file.name)).toEqual(['customers.csv', 'orders.csv', 'spend.csv'])
    expect(command).toBe('ecrm import customers.csv orders.csv spend.csv --currency EUR')
  })

  it('prints what the docs show, exits 0, and leaves derived profiles', async () => {
    const result = await run()
    expect(result.stderr).not.toMatch(/line \d+:/)
    expect(result.stdout).toBe(printed)
    expect(result.code).toBe(0)
    const store = await createPostgresStore(server.connectionString)
    try {
      const ana = await store.getProfile('c1')
      expect(ana?.money.orderCount).toBe(3)
      expect(ana?.rfm?.segment).toEqual(expect.any(String))
      expect(ana?.traits).toMatchObject({ email: 'ana@example.com', created_at: '2024-01-05T00:00:00.000Z' })
    } finally {
      await store.close()
    }
  }, 120_000)

  it('adds nothing when run again, and gives CAC per first-touch channel', async () => {
    const result = await run()
    expect(result.stdout).toContain('customers.csv (customers): 3 rows read, 0 imported, 3 duplicates, 0 errors')
    expect(result.stdout).toContain('orders.csv (orders): 5 rows read, 0 imported, 5 duplicates, 0 errors')
    expect(result.stdout).toContain('spend.csv (spend): 3 rows read, 0 imported, 3 duplicates, 0 errors')
    expect(result.code).toBe(0)
    const store = await createPostgresStore(server.connectionString)
    try {
      const [count] = await store.query<{ events: number }>('select count(*)::int as events from ecrm_events')
      expect(count?.events).toBe(8)
      expect(await cacByChannel(store, { from: Date.UTC(2024, 0, 1), to: Date.UTC(2024, 3, 1) })).toEqual([
        { channel: '(direct)', currency: null, spend: 0, customers: 1, cac: 0 },
        { channel: 'google', currency: 'EUR', spend: 150, customers: 1, cac: 150 },
        { channel: 'newsletter', currency: 'EUR', spend: 30, customers: 1, cac: 30 },
      ])
    } finally {
      await store.close()
    }
  }, 120_000)

  it('imports the rows of the documented query, naming a bad row by its row in the result', async () => {
    const sql = queryCommand?.[2] ?? ''
    const store = await createPostgresStore(server.connectionString)
    try {
      await store.query(
        `create table shop_orders (order_id text, customer_id text, ordered_at date, total numeric(10, 2), currency text)`,
      )
      await store.query(
        `insert into shop_orders values ('q1', 'c9', '2024-04-02', 99.90, 'EUR'), ('q2', 'c9', '2024-04-03', -5, 'EUR'),
                                        ('q3', 'c2', '2024-04-04', 12.00, null)`,
      )
    } finally {
      await store.close()
    }
    const first = await run(['import', '--postgres-query', sql])
    expect(first.stdout).toContain('the query (orders): 3 rows read, 2 imported, 0 duplicates, 1 errors')
    expect(first.stderr).toContain(queryError)
    expect(first.code).toBe(1)
    const again = await run(['import', '--postgres-query', sql, '--no-refresh'])
    expect(again.stdout).toContain('the query (orders): 3 rows read, 0 imported, 2 duplicates, 1 errors')
    const reopened = await createPostgresStore(server.connectionString)
    try {
      const profile = await reopened.getProfile('c9')
      expect(profile?.money.revenue).toBeCloseTo(99.9, 6)
      expect(profile?.money.firstOrderAt).toBe(Date.UTC(2024, 3, 2))
    } finally {
      await reopened.close()
    }
  }, 120_000)
})
