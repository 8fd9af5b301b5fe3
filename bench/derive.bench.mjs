// Derived profiles: (1) what deriving the customers each batch touched costs ingest — the same
// events through createIngestHandler into a fresh store with `deriveAtIngest` on and off,
// alternating, in one run; (2) store.refresh() over generated customers (100k and 1M) on PGlite
// and PostgreSQL 15: wall time and the Node process's peak RSS during the refresh, beside an
// earlier build's over the same base when --baseline names one. BENCH_PROFILE=DIR writes a CPU
// profile of each refresh there (and its stderr through).
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { performance } from 'node:perf_hooks'
import { generateCustomers } from './lib/customerBase.mjs'
import { loadEcrm } from './lib/ecrm.mjs'
import { sharedData } from './lib/paths.mjs'
import { fmt, median, quick } from './lib/measure.mjs'
import { ingestBodies, postBodies } from './lib/nodeWorkload.mjs'
import { loadPostgresServer } from './lib/postgres.mjs'
import { emit, progress } from './lib/result.mjs'

const title = 'Derived profiles: incremental cost on ingest, full refresh at 1M'
const self = fileURLToPath(import.meta.url)

/** Child: ingest `total` events into a fresh store, deriving at ingest or not; prints events/s. */
async function ingestJob(target, derive) {
  const { api } = await loadEcrm('node', ['createIngestHandler', 'createPgliteStore', 'createPostgresStore'], {
    transpile: false,
  })
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

const refreshConfig = {
  segments: { vip: { name: 'VIP', when: { '>=': [{ var: 'money.revenue' }, 300] } } },
  loyalty: {
    pointsPerUnit: 1,
    tiers: [
      { id: 'member', minPoints: 0 },
      { id: 'gold', minPoints: 400 },
    ],
  },
}

/** Opens a store on `target` ('pglite': a data folder, 'postgres': a connection string) with `api`. */
const openStore = (api, target, where) =>
  target === 'pglite'
    ? api.createPgliteStore(where, { derive: refreshConfig })
    : api.createPostgresStore(where, { derive: refreshConfig })

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
  await generateCustomers(store, core.emptyProfile, count, now)
  const generateMs = performance.now() - generatedAt
  await store.close()
  // The refresh runs alone in its process, so its peak RSS is the refresh's, not the generator's.
  const run = spawnSync(
    process.execPath,
    [
      ...(process.env.BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`] : []),
      self,
      '--refresh-only',
      target,
      where,
      String(count),
      String(now),
      build,
    ],
    { encoding: 'utf8', timeout: 900_000, maxBuffer: 1 << 24 },
  )
  if (process.env.BENCH_PROFILE) process.stderr.write(run.stderr)
  server?.stop()
  if (dir !== null) rmSync(dir, { recursive: true, force: true })
  const result = JSON.parse(run.stdout || '{}')
  if (result.ms === undefined)
    throw new Error(`the refresh failed: ${(run.stderr || '').trim().split('\n').slice(-1)[0]}`)
  process.stdout.write(JSON.stringify({ ...result, generateMs }))
}

/** Imports @ecrm/node from the current build, or from the earlier one under `build`. */
async function nodeApi(build) {
  if (build === 'current')
    return (await loadEcrm('node', ['createPostgresStore', 'createPgliteStore'], { transpile: false })).api
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
  const run = spawnSync(process.execPath, ['--expose-gc', self, ...args], {
    encoding: 'utf8',
    timeout,
    maxBuffer: 1 << 24,
  })
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
for (const target of process.argv.includes('--skip-ingest') ? [] : targets) {
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
  rows.push([
    target === 'pglite' ? 'PGlite (on disk)' : 'PostgreSQL 15 (local server)',
    fmt(off),
    fmt(on),
    `${fmt((1 - on / off) * 100, 2)} %`,
  ])
  bars.push(
    { label: `${target} off`, value: off / 1000, kind: 'floor' },
    { label: `${target} on`, value: on / 1000, kind: 'ecrm' },
  )
}
if (rows.length > 0)
  sections.push({
    title: 'Incremental derivation on ingest',
    text: `${quick ? '5,000' : '20,000'} Order Completed events of 5,000 customers in batches of 100 through createIngestHandler into a fresh store, with deriveAtIngest off and on (RFM by the fixed edges, lead score, no segments: nothing refreshed yet), alternating, two runs each, medians. The goal: derivation costs at most 20 % of ingest throughput.`,
    table: { columns: ['store', 'events / s, derivation off', 'events / s, derivation on', 'cost'], rows },
    chart: { title: 'Ingest with and without derivation', unit: 'thousand events / s', higherIsBetter: true, bars },
  })
// --customers 100000,1000000 (default: 100,000 quick, else 100,000 and 1,000,000);
// --baseline DIR: an earlier build (DIR/node_modules/@ecrm/{core,node}) refreshed over the same
// generated base in the same run, for the before/after ratio; --skip-ingest: refresh only.
const argument = (name) => {
  const at = process.argv.indexOf(name)
  return at === -1 ? undefined : process.argv[at + 1]
}
const counts = (argument('--customers') ?? (quick ? '100000' : '100000,1000000')).split(',').map(Number)
const baseline = argument('--baseline')
if (!existsSync(join(sharedData, 'cdnow_customers_summary_with_transactions.csv'))) {
  notes.push('Full refresh skipped: the CDNOW sample (../shared/data) the customers are drawn from is absent.')
} else {
  const refreshRows = []
  for (const target of targets) {
    for (const count of counts) {
      const builds = baseline === undefined ? ['current'] : [baseline, 'current']
      const runs = {}
      for (const build of builds) {
        progress(
          `full refresh of ${count.toLocaleString('en')} customers on ${target} (${build === 'current' ? 'this build' : 'baseline'})`,
        )
        runs[build] = child(['--refresh', target, String(count), build], 1_800_000)
      }
      const result = runs.current
      if (result.error !== undefined) {
        notes.push(`${target} refresh of ${count} failed: ${result.error}`)
        continue
      }
      const before = baseline === undefined ? undefined : runs[baseline]
      if (before !== undefined && before.error === undefined && before.check.digest !== result.check.digest)
        notes.push(`${target} ${count}: the baseline and this build wrote different derived data`)
      if (result.check.derived !== count)
        notes.push(`only ${result.check.derived} of ${count} profiles carry derived_at after the refresh`)
      refreshRows.push([
        target === 'pglite' ? 'PGlite (on disk)' : 'PostgreSQL 15',
        fmt(count),
        fmt(result.ms / 1000),
        fmt(result.peakRssMb),
        before === undefined || before.error !== undefined
          ? '—'
          : `${fmt(before.ms / 1000)} (${fmt(before.ms / result.ms, 2)}×)`,
        fmt(result.result.buyers),
        result.result.rfmMethod,
        String(result.result.clvFitted),
        fmt(result.generateMs / 1000),
      ])
    }
  }
  sections.push({
    title: 'Full refresh',
    text: "store.refresh({ pageSize: 5000 }) over generated customers (70 % buyers, their histories drawn from CDNOW's): pass 1 reads buyers' orders and fits RFM quantiles and BG/NBD + Gamma-Gamma (on a sample of 50,000–100,000 buyers), pass 2 re-derives every profile in pages of 5,000, each page one transaction, the next page read while one is written. Peak RSS is that of the Node process that runs only the refresh (the customers are generated by another). With --baseline, an earlier build refreshed the same base first in the same run (identical derived data checked by a digest). Goals at 1M: under a minute, under 1 GB.",
    table: {
      columns: [
        'store',
        'customers',
        'refresh, s',
        'peak RSS MB',
        'baseline, s (this build ×)',
        'buyers',
        'RFM',
        'CLV fitted',
        'generation, s',
      ],
      rows: refreshRows,
    },
  })
}
emit({ id: 'derive', title, sections, notes })
