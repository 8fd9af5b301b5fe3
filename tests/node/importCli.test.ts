// `ecrm import` run as users run it: the CLI as a child process on a PGlite folder, with files
// that have what shops' exports have (a quoted field over two lines, a `;` dialect with decimal
// commas, bad rows), then the store opened to see what the import left.
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { cacByChannel } from '../../packages/node/src/kpis/cacKpis.js'
import { createPgliteStore } from '../../packages/node/src/store/pgliteStore.js'
import { buildCli } from './serveProcess.js'

let cli: string
const dir = mkdtempSync(join(tmpdir(), 'ecrm-import-'))
const file = (name: string, text: string): string => {
  const path = join(dir, name)
  writeFileSync(path, text)
  return path
}

/** Runs the CLI to its exit, stdout and stderr apart. */
function ecrm(args: readonly string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [cli, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, stdout, stderr })))
}

/** Opens the data folder the CLI wrote (after it exited: one process per folder). */
async function withStore<T>(data: string, read: (store: Awaited<ReturnType<typeof createPgliteStore>>) => Promise<T>) {
  const store = await createPgliteStore(data)
  try {
    return await read(store)
  } finally {
    await store.close()
  }
}

const counts = (data: string) =>
  withStore(data, async (store) => {
    const [row] = await store.query<{ events: number; customers: number; spend: number }>(
      `select (select count(*)::int from ecrm_events) as events, (select count(*)::int from ecrm_customers) as customers,
              (select count(*)::int from ecrm_spend) as spend`,
    )
    return row
  })

beforeAll(async () => {
  cli = await buildCli('import')
}, 300_000)
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('ecrm import', () => {
  const data = join(dir, 'data')
  const customers = file(
    'customers.csv',
    'customer_id,email,first_name,city,created_at,utm_source\n' +
      'c1,ana@example.com,Ana,"Lisbon\nPortugal",2024-01-05,google\n' +
      'c2,ben@example.com,Ben,Porto,2024-02-10,newsletter\n' +
      'c3,cy@example.com,Cy,Braga,2024-03-01,\n',
  )
  // A European spreadsheet's export: `;` fields, decimal commas.
  const orders = file(
    'orders.csv',
    'order_id;customer_id;order_date;total;currency\n' +
      'o1;c1;2024-01-06;120,50;EUR\n' +
      'o2;c1;2024-02-06;80,00;EUR\n' +
      'o3;c2;2024-02-11;1.234,00;EUR\n' +
      'o4;c2;03/04/2024;10,00;EUR\n' +
      'o5;c3;2024-03-02;15,00;euro\n' +
      'o6;c1;2024-03-09;40,00;EUR\n',
  )
  const spend = file(
    'spend.csv',
    'date,channel,campaign,amount,currency\n' +
      '2024-01-01,Google,brand,100.00,EUR\n' +
      '2024-01-01,google,brand,50.00,EUR\n' +
      '2024-02-01,newsletter,,30,EUR\n' +
      '2024-02-01,facebook,,-5,EUR\n',
  )

  it('imports customers, orders and spend, reports the bad rows by line and path, exits 1, and derives the profiles', async () => {
    const run = await ecrm(['import', customers, orders, spend, '--data-dir', data])
    expect(run.stdout).toContain(`${customers} (customers): 3 rows read, 3 imported, 0 duplicates, 0 errors`)
    expect(run.stdout).toContain(`${orders} (orders): 6 rows read, 4 imported, 0 duplicates, 2 errors`)
    // Two January Google rows are one key (added up); the negative row is refused.
    expect(run.stdout).toContain(`${spend} (spend): 4 rows read, 2 imported, 0 duplicates, 1 errors`)
    expect(run.stderr).toContain(`${orders} line 5: column "order_date": unrecognised date "03/04/2024"`)
    expect(run.stderr).toContain(`${orders} line 6: properties.currency: expected a 3-letter ISO 4217 currency code`)
    expect(run.stderr).toContain(`${spend} line 5: column "amount": expected an amount of 0 or more`)
    // Not a TTY: progress as whole lines.
    expect(run.stderr).toMatch(/ecrm import: .*orders\.csv 100% read/)
    expect(run.stdout).toMatch(/ecrm import: refreshed 3 profiles \(2 buyers\), RFM by/)
    expect(run.code).toBe(1)

    await withStore(data, async (store) => {
      const ana = await store.getProfile('c1')
      expect(ana?.traits).toMatchObject({ email: 'ana@example.com', first_name: 'Ana', city: 'Lisbon\nPortugal' })
      expect(ana?.money.orderCount).toBe(3)
      expect(ana?.money.revenue).toBeCloseTo(240.5, 6)
      expect(ana?.money.firstOrderAt).toBe(Date.UTC(2024, 0, 6))
      expect(ana?.campaigns.firstTouch?.source).toBe('google')
      expect(ana?.rfm?.segment).toEqual(expect.any(String))
      const ben = await store.getProfile('c2')
      expect(ben?.money.revenue).toBe(1234)
      expect(ben?.rfm).toBeDefined()
      const [spendRows] = await store.query<{ google: number }>(
        `select sum(amount) filter (where channel = 'google')::float8 as google from ecrm_spend`,
      )
      expect(spendRows?.google).toBe(150)
    })
  }, 300_000)

  it('adds nothing the second time: every row a duplicate, the counts unchanged', async () => {
    const before = await counts(data)
    const run = await ecrm(['import', customers, orders, spend, '--data-dir', data, '--no-refresh'])
    expect(run.stdout).toContain(`${customers} (customers): 3 rows read, 0 imported, 3 duplicates, 0 errors`)
    expect(run.stdout).toContain(`${orders} (orders): 6 rows read, 0 imported, 4 duplicates, 2 errors`)
    expect(run.stdout).toContain(`${spend} (spend): 4 rows read, 0 imported, 2 duplicates, 1 errors`)
    expect(await counts(data)).toEqual(before)
    expect(before).toEqual({ events: 7, customers: 3, spend: 2 })
    await withStore(data, async (store) => {
      expect((await store.getProfile('c1'))?.money.orderCount).toBe(3)
      const [google] = await store.query<{ amount: number }>(`select amount from ecrm_spend where channel = 'google'`)
      expect(google?.amount).toBe(150)
    })
  }, 300_000)

  it('gives CAC per channel: spend over the customers whose first order fell in the period, by first touch', async () => {
    await withStore(data, async (store) => {
      const rows = await cacByChannel(store, { from: Date.UTC(2024, 0, 1), to: Date.UTC(2024, 2, 1) })
      expect(rows).toEqual([
        { channel: 'google', currency: 'EUR', spend: 150, customers: 1, cac: 150 },
        { channel: 'newsletter', currency: 'EUR', spend: 30, customers: 1, cac: 30 },
      ])
      expect(await cacByChannel(store, { from: Date.UTC(2030, 0, 1), to: Date.UTC(2030, 1, 1) })).toEqual([])
    })
  }, 300_000)

  it('exits 2 naming the missing column of a file, or asking for --kind, storing nothing of either', async () => {
    const bad = file('no-amount.csv', 'date,channel\n2024-01-01,google\n')
    const odd = file('odd.csv', 'sku,colour\nA1,red\n')
    const fresh = join(dir, 'data-bad')
    const run = await ecrm(['import', bad, odd, '--data-dir', fresh, '--no-refresh'])
    expect(run.code).toBe(2)
    expect(run.stderr).toContain(
      `ecrm import cannot read ${bad}: cannot tell whether it holds customers, orders or spend from its header (pass --kind)`,
    )
    expect(run.stderr).toContain(`ecrm import cannot read ${odd}: cannot tell whether`)
    const spendKind = await ecrm(['import', bad, '--kind', 'spend', '--data-dir', fresh, '--no-refresh'])
    expect(spendKind.code).toBe(2)
    expect(spendKind.stderr).toContain(
      `ecrm import cannot read ${bad}: no amount column (expected one of amount, spend, cost, spent)`,
    )
    expect(await counts(fresh)).toEqual({ events: 0, customers: 0, spend: 0 })
  }, 300_000)
})
