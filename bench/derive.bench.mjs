// Derived profiles: (1) what deriving the customers each batch touched costs ingest — the same
// events through createIngestHandler into a fresh store with `deriveAtIngest` on and off,
// alternating, in one run; (2) store.refresh() over 1M generated customers on PostgreSQL 15:
// wall time and the Node process's peak RSS during the refresh.
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { performance } from 'node:perf_hooks'
import { createRandom } from './data/crmRules.mjs'
import { loadEcrm } from './lib/ecrm.mjs'
import { sharedData } from './lib/paths.mjs'
import { fmt, median, quick } from './lib/measure.mjs'
import { ingestBodies, postBodies } from './lib/nodeWorkload.mjs'
import { loadPostgresServer } from './lib/postgres.mjs'
import { emit, progress } from './lib/result.mjs'

const title = 'Derived profiles: incremental cost on ingest, full refresh at 1M'
const self = fileURLToPath(import.meta.url)
const DAY = 86_400_000

/** Child: ingest `total` events into a fresh store, deriving at ingest or not; prints events/s. */
async function ingestJob(target, derive) {
  const { api } = await loadEcrm('node', ['createIngestHandler', 'createPgliteStore', 'createPostgresStore'], { transpile: false })
  const options = { deriveAtIngest: derive === 'on' }
  let server
  const dir = mkdtempSync(join(tmpdir(), 'ecrm-bench-derive-'))
  let store
  if (target === 'pglite') store = await api.createPgliteStore(dir, options)
  else {
    server = await (await loadPostgresServer()).startPostgres()
    store = await api.createPostgresStore(server.connectionString, options)
  }
  const total = quick ? 5_000 : 20_000
  const handler = api.createIngestHandler({ store, writeKeys: ['bench'] })
  const { ms, failed } = await postBodies(handler, ingestBodies(total, Date.now()))
  const [derived] = await store.query('select count(derived_at)::int as n from ecrm_profiles')
  await store.close()
  await server?.stop()
  rmSync(dir, { recursive: true, force: true })
  process.stdout.write(JSON.stringify({ rate: (total * 1000) / ms, failed, derived: derived.n }))
}

/**
 * Generates `count` customers straight into the tables, 10,000 a statement: 30 % visitors who
 * never bought, 70 % buyers whose (x, t_x, T, z̄) are drawn from the CDNOW sample's customers
 * (as the rfmClv bench does), turned into dated orders: the first T weeks ago, x repeats evenly
 * up to t_x, each around z̄.
 */
async function generate(store, emptyProfile, count, now) {
  const rows = readFileSync(join(sharedData, 'cdnow_customers_summary_with_transactions.csv'), 'utf8').trim().split('\n').slice(1).map((line) => line.split(',').map(Number))
  const random = createRandom(11)
  const WEEK = 7 * DAY
  const chunk = 10_000
  for (let from = 0; from < count; from += chunk) {
    const ids = []
    const bodies = []
    const orderCounts = []
    const revenues = []
    const firstSeen = []
    const lastSeen = []
    const lastOrders = []
    for (let i = from; i < Math.min(count, from + chunk); i++) {
      const id = `c${String(i).padStart(8, '0')}`
      const profile = emptyProfile(id)
      const [, x, tx, T, zbar] = rows[Math.floor(random() * rows.length)]
      const first = now - T * WEEK - Math.floor(random() * DAY)
      if (random() < 0.7) {
        const times = [first, ...Array.from({ length: x }, (_, k) => first + ((k + 1) * tx * WEEK) / Math.max(x, 1))]
        profile.orders.recent = times.map((at, k) => ({ id: `${id}-${k}`, completedAt: Math.round(at), total: Math.round((zbar || 20) * (0.7 + 0.6 * random()) * 100) / 100, currency: 'EUR', refunded: 0, fullyRefunded: false, cancelledAt: null }))
        const gross = profile.orders.recent.reduce((sum, order) => sum + order.total, 0)
        const last = profile.orders.recent[profile.orders.recent.length - 1].completedAt
        profile.money = { ...profile.money, currency: 'EUR', orderCount: times.length, grossRevenue: gross, revenue: gross, aov: gross / times.length, firstOrderAt: Math.round(first), lastOrderAt: last, byCurrency: { EUR: { orders: times.length, gross, refunds: 0 } } }
        profile.lastSeenAt = last
      } else profile.lastSeenAt = Math.round(first)
      profile.firstSeenAt = Math.round(first)
      ids.push(id)
      bodies.push(JSON.stringify(profile))
      orderCounts.push(profile.money.orderCount)
      revenues.push(profile.money.revenue)
      firstSeen.push(new Date(profile.firstSeenAt).toISOString())
      lastSeen.push(new Date(profile.lastSeenAt).toISOString())
      lastOrders.push(profile.money.lastOrderAt === null ? null : new Date(profile.money.lastOrderAt).toISOString())
    }
    await store.query(
      `with c as (insert into ecrm_customers (id, first_seen_at, last_seen_at) select * from unnest($1::text[], $5::timestamptz[], $6::timestamptz[]))
       insert into ecrm_profiles (customer_id, profile, order_count, revenue, currency, first_seen_at, last_seen_at, last_order_at)
       select id, body::jsonb, n, revenue, case when n > 0 then 'EUR' end, f, l, o
         from unnest($1::text[], $2::text[], $3::int[], $4::float8[], $5::timestamptz[], $6::timestamptz[], $7::timestamptz[]) as t(id, body, n, revenue, f, l, o)`,
      [ids, bodies, orderCounts, revenues, firstSeen, lastSeen, lastOrders],
    )
    if ((from + chunk) % 100_000 === 0) progress(`generated ${(from + chunk).toLocaleString('en')} customers`)
  }
}

const refreshConfig = {
  segments: { vip: { name: 'VIP', when: { '>=': [{ var: 'money.revenue' }, 300] } } },
  loyalty: { pointsPerUnit: 1, tiers: [{ id: 'member', minPoints: 0 }, { id: 'gold', minPoints: 400 }] },
}

/** Opens a store on `target` ('pglite': a data folder, 'postgres': a connection string) with `api`. */
const openStore = (api, target, where) => (target === 'pglite' ? api.createPgliteStore(where, { derive: refreshConfig }) : api.createPostgresStore(where, { derive: refreshConfig }))

/**
 * Child: generates `count` customers into a fresh store on `target`, then times a refresh in a
 * process of its own, with the build in `build` ('current', or a folder holding an earlier build
 * as node_modules/@ecrm/{core,node}, the before of a before/after pair).
 */
async function refreshJob(target, count, build) {
  const { api } = await loadEcrm('node', ['createPostgresStore', 'createPgliteStore'], { transpile: false })
  const { api: core } = await loadEcrm('core', ['emptyProfile'], { transpile: false })
  const server = target === 'postgres' ? await (await loadPostgresServer()).startPostgres() : null
  const dir = target === 'pglite' ? mkdtempSync(join(tmpdir(), 'ecrm-bench-refresh-')) : null
  const where = server?.connectionString ?? dir
  const store = await openStore(api, target, where)
  // A fixed reference date, so the before and after runs derive the same base the same way.
  const now = Date.UTC(2026, 11, 1)
  const generatedAt = performance.now()
  await generate(store, core.emptyProfile, count, now)
  const generateMs = performance.now() - generatedAt
  await store.close()
  // The refresh runs alone in its process, so its peak RSS is the refresh's, not the generator's.
  const run = spawnSync(process.execPath, [...(process.env.BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`] : []), self, '--refresh-only', target, where, String(count), String(now), build], { encoding: 'utf8', timeout: 900_000, maxBuffer: 1 << 24 })
  server?.stop()
  if (dir !== null) rmSync(dir, { recursive: true, force: true })
  const result = JSON.parse(run.stdout || '{}')
  if (result.ms === undefined) throw new Error(`the refresh failed: ${(run.stderr || '').trim().split('\n').slice(-1)[0]}`)
  process.stdout.write(JSON.stringify({ ...result, generateMs }))
}

/** Imports @ecrm/node from the current build, or from the earlier one under `build`. */
async function nodeApi(build) {
  if (build === 'current') return (await loadEcrm('node', ['createPostgresStore', 'createPgliteStore'], { transpile: false })).api
  return import(pathToFileURL(join(build, 'node_modules', '@ecrm', 'node', 'dist', 'index.js')).href)
}

/**
 * Grandchild: one `store.refresh()` over an existing base; prints time, peak RSS, and a digest of
 * every derived column and profile document (order-free: a sum of hashes), so a before/after
 * pair proves the two builds wrote the same thing.
 */
async function refreshOnly(target, where, count, now, build) {
  const api = await nodeApi(build)
  const store = await openStore(api, target, where)
  const started = performance.now()
  const result = await store.refresh({ pageSize: 5_000, now })
  const ms = performance.now() - started
  const peakRssMb = process.resourceUsage().maxRSS / 1024
  const [check] = await store.query(
    `select count(derived_at)::int as derived, count(clv_p_alive)::int as clv, count(rfm_segment)::int as rfm,
            sum(hashtext(concat_ws('|', customer_id, rfm_r, rfm_f, rfm_m, rfm_segment, lead_score, lead_grade, lead_letter, lead_level, lead_stage,
              clv_p_alive, clv_expected_purchases, clv_value, segments::text, loyalty_balance, loyalty_tier, derived_at, profile::text))::bigint)::text as digest,
            (select count(*)::int from ecrm_segment_changes) as changes, (select count(*)::int from ecrm_segment_members) as members
       from ecrm_profiles`,
  )
  await store.close()
  process.stdout.write(JSON.stringify({ count, ms, peakRssMb, result, check }))
}

const mode = process.argv[2]
if (mode === '--ingest') {
  await ingestJob(process.argv[3], process.argv[4])
  process.exit(0)
}
if (mode === '--refresh') {
  await refreshJob(process.argv[3], Number(process.argv[4]), process.argv[5])
  process.exit(0)
}
if (mode === '--refresh-only') {
  await refreshOnly(process.argv[3], process.argv[4], Number(process.argv[5]), Number(process.argv[6]), process.argv[7])
  process.exit(0)
}

// Parent.
const child = (args, timeout) => {
  const run = spawnSync(process.execPath, ['--expose-gc', self, ...args], { encoding: 'utf8', timeout, maxBuffer: 1 << 24 })
  try {
    return JSON.parse(run.stdout)
  } catch {
    return { error: (run.stderr || `exit ${run.status}`).trim().split('\n').slice(-1)[0] }
  }
}
const sections = []
const notes = []
let postgres = null
try {
  postgres = await loadPostgresServer()
} catch (error) {
  notes.push(`PostgreSQL skipped: ${error.message}`)
}
const targets = ['pglite', ...(postgres?.hasPostgres ? ['postgres'] : [])]
const rows = []
const bars = []
for (const target of targets) {
  const rates = { off: [], on: [] }
  // Alternating off/on, twice each, so drift of the machine falls on both sides.
  for (const derive of ['off', 'on', 'off', 'on']) {
    progress(`ingest into ${target}, derivation ${derive}`)
    const result = child(['--ingest', target, derive], 300_000)
    if (result.error !== undefined) notes.push(`${target} ingest (${derive}) failed: ${result.error}`)
    else rates[derive].push(result.rate)
  }
  const off = median(rates.off)
  const on = median(rates.on)
  rows.push([target === 'pglite' ? 'PGlite (on disk)' : 'PostgreSQL 15 (local server)', fmt(off), fmt(on), `${fmt((1 - on / off) * 100, 2)} %`])
  bars.push({ label: `${target} off`, value: off / 1000, kind: 'floor' }, { label: `${target} on`, value: on / 1000, kind: 'ecrm' })
}
sections.push({
  title: 'Incremental derivation on ingest',
  text: `${quick ? '5,000' : '20,000'} Order Completed events of 5,000 customers in batches of 100 through createIngestHandler into a fresh store, with deriveAtIngest off and on (RFM by the fixed edges, lead score, no segments: nothing refreshed yet), alternating, two runs each, medians. The goal: derivation costs at most 20 % of ingest throughput.`,
  table: { columns: ['store', 'events / s, derivation off', 'events / s, derivation on', 'cost'], rows },
  chart: { title: 'Ingest with and without derivation', unit: 'thousand events / s', higherIsBetter: true, bars },
})
if (postgres?.hasPostgres && !existsSync(join(sharedData, 'cdnow_customers_summary_with_transactions.csv'))) {
  notes.push('Full refresh skipped: the CDNOW sample (../shared/data) the customers are drawn from is absent.')
} else if (postgres?.hasPostgres) {
  const count = quick ? 100_000 : 1_000_000
  progress(`full refresh of ${count.toLocaleString('en')} customers on PostgreSQL`)
  const result = child(['--refresh', String(count)], 900_000)
  if (result.error !== undefined) sections.push({ title: `Full refresh of ${count.toLocaleString('en')} customers`, skipped: result.error })
  else {
    sections.push({
      title: `Full refresh of ${count.toLocaleString('en')} customers`,
      text: `store.refresh({ pageSize: 5000 }) on PostgreSQL 15 over ${count.toLocaleString('en')} generated customers (70 % buyers, their histories drawn from CDNOW's): pass 1 reads buyers' orders and fits RFM quantiles and BG/NBD + Gamma-Gamma (on a sample of 50,000–100,000 buyers), pass 2 re-derives and writes every profile in pages of 5,000, each page one transaction. Peak RSS is that of the Node process that runs only the refresh (the customers are generated by another). Goals: under a minute, under 1 GB.`,
      table: {
        columns: ['customers', 'refresh, s', 'profiles / s', 'peak RSS MB', 'buyers', 'RFM', 'CLV fitted', 'segment changes', 'generation, s'],
        rows: [[fmt(count), fmt(result.ms / 1000), fmt((count * 1000) / result.ms), fmt(result.peakRssMb), fmt(result.result.buyers), result.result.rfmMethod, String(result.result.clvFitted), fmt(result.result.segmentChanges), fmt(result.generateMs / 1000)]],
      },
    })
    if (result.check.derived !== count) notes.push(`only ${result.check.derived} of ${count} profiles carry derived_at after the refresh`)
  }
} else notes.push('Full refresh skipped: PostgreSQL 15 binaries are not installed.')
emit({ id: 'derive', title, sections, notes })
