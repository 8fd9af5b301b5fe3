// Ingest near the database's limit (issue 18, item 3): events/s of createIngestHandler into
// PostgreSQL 15 (profiles folded and derived at ingest, the defaults), in batches of 100 with 1 and
// 4 requests in flight, and two handler processes on the same server; beside the floor measured in
// the same run on the same server: the same bodies JSON.parse'd and inserted into ecrm_events (the
// table ecrm's migrations create) with one multi-row INSERT … ON CONFLICT DO NOTHING a batch.
// Every job runs in its own Node process against a fresh database; each is repeated (RUNS, default
// 3) and the median reported. Run by `node bench/run.mjs ingest` (BENCH_QUICK=1: 5,000 events).
import { spawn } from 'node:child_process'
import { createRequire } from 'node:module'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { performance } from 'node:perf_hooks'
import { loadEcrm } from './lib/ecrm.mjs'
import { fmt, median, peakRssMb, quick, ratio, spread, pct } from './lib/measure.mjs'
import { ingestBodies, postBodies } from './lib/nodeWorkload.mjs'
import { repoRoot } from './lib/paths.mjs'
import { loadPostgresServer } from './lib/postgres.mjs'
import { emit, progress } from './lib/result.mjs'

const title = 'Ingest into PostgreSQL near the floor'
const self = fileURLToPath(import.meta.url)
const total = Number(process.env.TOTAL ?? (quick ? 5_000 : 10_000))
const runs = Number(process.env.RUNS ?? 3)
const { Pool } = createRequire(`${repoRoot}/package.json`)('pg')

/** The floor's insert of one parsed batch: the columns ecrm_events has, one multi-row statement. */
async function insertFloor(pool, text) {
  const { batch } = JSON.parse(text)
  const receivedAt = new Date().toISOString()
  const params = []
  const rows = batch.map((event, row) => {
    params.push(
      event.messageId,
      event.type,
      event.event ?? event.name ?? null,
      event.userId ?? null,
      event.anonymousId ?? null,
      event.timestamp ?? receivedAt,
      receivedAt,
      JSON.stringify({ ...event, receivedAt }),
    )
    return `(${Array.from({ length: 8 }, (_, n) => `$${row * 8 + n + 1}`).join(', ')})`
  })
  await pool.query(
    `insert into ecrm_events (message_id, type, event, user_id, anonymous_id, occurred_at, received_at, payload) values ${rows.join(', ')} on conflict (message_id) do nothing`,
    params,
  )
}

/** Child: one job's share of the bodies (every `parts`-th from `part`), after the parent says go. */
async function job(kind, inFlight, connectionString, part, parts) {
  const { api } = await loadEcrm('node', ['createIngestHandler', 'createPostgresStore'], { transpile: false })
  // Every share reaches the same customers (bodies interleave), as processes behind a load balancer would.
  const bodies = ingestBodies(total, Date.now()).filter((_, index) => index % parts === part)
  let handler
  let close
  if (kind === 'floor') {
    const pool = new Pool({ connectionString, max: inFlight })
    handler = async (request) => {
      await insertFloor(pool, await request.text())
      return new Response('{}', { status: 200 })
    }
    close = () => pool.end()
  } else {
    const store = await api.createPostgresStore(connectionString)
    handler = api.createIngestHandler({ store, writeKeys: ['bench'] })
    close = () => store.close()
  }
  process.stdout.write('ready\n')
  await new Promise((resolve) => createInterface({ input: process.stdin }).once('line', resolve))
  const startedAt = performance.timeOrigin + performance.now()
  const cpuStart = process.cpuUsage()
  const { ms, failed } = await postBodies(handler, bodies, { inFlight })
  const cpu = process.cpuUsage(cpuStart)
  await close()
  process.stdout.write(
    `${JSON.stringify({ startedAt, endedAt: startedAt + ms, failed, events: bodies.length * 100, cpuMs: (cpu.user + cpu.system) / 1000, rssMb: peakRssMb() })}\n`,
  )
}

/** Starts `parts` children of one job on a fresh database, lets them go together, returns events/s over the wall time. */
async function runJob(server, admin, kind, inFlight, parts, name) {
  await admin.query(`create database ${name}`)
  const connectionString = server.connectionString.replace(/\/postgres$/, `/${name}`)
  if (kind === 'floor') {
    // The same table as ecrm's: its migrations create it.
    const { api } = await loadEcrm('node', ['createPostgresStore'])
    await (await api.createPostgresStore(connectionString)).close()
  }
  const children = Array.from({ length: parts }, (_, part) => {
    const child = spawn(
      process.execPath,
      [self, '--job', kind, String(inFlight), connectionString, String(part), String(parts)],
      { stdio: ['pipe', 'pipe', 'inherit'] },
    )
    const lines = createInterface({ input: child.stdout })
    const ready = new Promise((resolve) => lines.once('line', resolve))
    const result = new Promise((resolve) => {
      let last = ''
      lines.on('line', (line) => (last = line))
      child.on('close', (code) => resolve(code === 0 ? JSON.parse(last) : { error: `exit ${code}` }))
    })
    return { child, ready, result }
  })
  await Promise.all(children.map((c) => c.ready))
  for (const { child } of children) child.stdin.end('go\n')
  const results = await Promise.all(children.map((c) => c.result))
  const failedChild = results.find((r) => r.error)
  if (failedChild) throw new Error(`${kind} job failed: ${failedChild.error}`)
  const stored = await new Pool({ connectionString, max: 1 })
  const [counts] = (
    await stored.query(
      kind === 'floor'
        ? 'select count(*)::int as events, 0 as derived from ecrm_events'
        : 'select (select count(*)::int from ecrm_events) as events, (select count(derived_at)::int from ecrm_profiles) as derived',
    )
  ).rows
  await stored.end()
  await admin.query(`drop database ${name}`)
  const wallMs = Math.max(...results.map((r) => r.endedAt)) - Math.min(...results.map((r) => r.startedAt))
  return {
    rate: (total * 1000) / wallMs,
    cpuMs: results.reduce((sum, r) => sum + r.cpuMs, 0),
    failed: results.reduce((sum, r) => sum + r.failed, 0),
    rssMb: Math.max(...results.map((r) => r.rssMb)),
    events: counts.events,
    derived: counts.derived,
  }
}

const jobIndex = process.argv.indexOf('--job')
if (jobIndex !== -1) {
  const [kind, inFlight, connectionString, part, parts] = process.argv.slice(jobIndex + 1)
  await job(kind, Number(inFlight), connectionString, Number(part), Number(parts))
  process.exit(0)
}

const postgres = await loadPostgresServer()
if (!postgres?.hasPostgres) {
  emit({
    id: 'ingest',
    title,
    skipped: 'PostgreSQL 15 server binaries are not installed (see tests/postgres/postgresServer.ts)',
  })
  process.exit(0)
}
let origin
try {
  origin = (await loadEcrm('node', ['createIngestHandler', 'createPostgresStore'])).origin
} catch (error) {
  emit({ id: 'ingest', title, skipped: error.message })
  process.exit(0)
}
const jobs = [
  {
    key: 'floor1',
    kind: 'floor',
    inFlight: 1,
    parts: 1,
    label: 'floor: parse + one multi-row INSERT … ON CONFLICT DO NOTHING a batch, 1 in flight',
  },
  { key: 'floor4', kind: 'floor', inFlight: 4, parts: 1, label: 'floor: the same, 4 in flight' },
  {
    key: 'ecrm1',
    kind: 'ecrm',
    inFlight: 1,
    parts: 1,
    label: 'ecrm createIngestHandler, 1 in flight',
    floor: 'floor1',
  },
  {
    key: 'ecrm4',
    kind: 'ecrm',
    inFlight: 4,
    parts: 1,
    label: 'ecrm createIngestHandler, 4 in flight',
    floor: 'floor4',
  },
  {
    key: 'ecrm4x2',
    kind: 'ecrm',
    inFlight: 4,
    parts: 2,
    label: 'ecrm createIngestHandler, 2 processes × 4 in flight',
    floor: 'floor4',
    versus: 'ecrm4',
  },
]
const server = await postgres.startPostgres()
const admin = new Pool({ connectionString: server.connectionString, max: 1 })
const samples = Object.fromEntries(jobs.map((j) => [j.key, []]))
let serial = 0
try {
  // Rounds, not job after job: a neighbour's burst on the shared machine then spreads over every job.
  for (let round = 0; round < runs; round++) {
    for (const j of jobs) {
      progress(`${j.label}, run ${round + 1}/${runs}`)
      samples[j.key].push(await runJob(server, admin, j.kind, j.inFlight, j.parts, `bench_${serial++}`))
    }
  }
} finally {
  await admin.end()
  server.stop()
}
const summary = Object.fromEntries(
  jobs.map((j) => {
    const list = samples[j.key]
    return [
      j.key,
      {
        rate: median(list.map((s) => s.rate)),
        spread: spread(list.map((s) => s.rate)),
        cpuMs: median(list.map((s) => s.cpuMs)),
        rssMb: median(list.map((s) => s.rssMb)),
        failed: Math.max(...list.map((s) => s.failed)),
        events: Math.min(...list.map((s) => s.events)),
        derived: Math.min(...list.map((s) => s.derived)),
      },
    ]
  }),
)
const rows = jobs.map((j) => {
  const s = summary[j.key]
  return [
    j.label,
    fmt(s.rate),
    pct(s.spread),
    j.floor ? ratio(s.rate, summary[j.floor].rate) : '–',
    j.versus ? ratio(s.rate, summary[j.versus].rate) : '–',
    fmt((total / s.cpuMs) * 1000),
    fmt(s.rssMb),
    `${s.events.toLocaleString('en-US')} / ${total.toLocaleString('en-US')}${j.kind === 'ecrm' ? `, ${s.derived.toLocaleString('en-US')} derived` : ''}`,
    s.failed === 0 ? 'all 2xx' : `${s.failed} batches failed`,
  ]
})
emit({
  id: 'ingest',
  title,
  intro:
    'Events per second into a real PostgreSQL 15, as ratios to the raw-insert floor measured in the same run; higher is better.',
  origin,
  sections: [
    {
      title: `${total.toLocaleString('en-US')} events in batches of 100 into PostgreSQL 15`,
      text:
        `${total.toLocaleString('en-US')} Order Completed events of 5,000 customers (bench/lib/nodeWorkload.mjs), in bodies of 100, posted as fetch Requests (no socket) to createIngestHandler over createPostgresStore with its defaults: deduped by messageId, identities resolved, profiles folded and derived (RFM, lead, CLV, segments) in the batch's transaction. ` +
        "The floor parses the same bodies and inserts the events into ecrm_events (the table ecrm's migrations create, same indexes) with one multi-row INSERT … ON CONFLICT DO NOTHING a batch, through a pg pool as wide as the requests in flight. " +
        `Each job runs in its own Node process on a fresh database of one local server (fsync off); the two-process row splits the same bodies between two processes that reach the same customers. Median of ${runs} rounds (jobs interleaved); "events per CPU-second" counts the Node process(es) only, not PostgreSQL.`,
      table: {
        columns: [
          'job',
          'events / s',
          'spread',
          'vs floor',
          'vs one process',
          'events per Node CPU-second',
          'peak RSS MB',
          'stored',
          'responses',
        ],
        rows,
      },
      chart: {
        title: 'Ingest into PostgreSQL, thousand events per second',
        unit: 'k/s',
        higherIsBetter: true,
        bars: jobs.map((j) => ({
          label: j.label
            .replace(/^ecrm createIngestHandler, /, 'ecrm, ')
            .replace(/^floor: .*?, (\d) in flight$/, 'floor, $1 in flight')
            .replace(/^floor: the same, /, 'floor, '),
          value: summary[j.key].rate / 1000,
          kind: j.kind === 'floor' ? 'floor' : 'ecrm',
        })),
      },
    },
  ],
  notes: [
    'The machine is shared (2 cores, several engineers): compare the ratios within one run, not the absolute rates across runs.',
  ],
})
