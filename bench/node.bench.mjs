// Node: 100,000 track() calls from the server client to a local node:http sink, beside
// @segment/analytics-node and posthog-node, each SDK in its own child process (events/s over wall
// time, events per CPU-second of the child, peak RSS); then ingest throughput of ecrm's handler into
// PGlite (and PostgreSQL when a server can start). Run by `node bench/run.mjs node` (BENCH_QUICK=1:
// 20,000 events); bench/node/profile.mjs and bench/node/ingest.mjs are loops over ecrm alone.
import { spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { performance } from 'node:perf_hooks'
import { loadEcrm } from './lib/ecrm.mjs'
import { fmt, median, peakRssMb, quick, ratio, spread, pct } from './lib/measure.mjs'
import { ingestBodies, postBodies, propertiesOf, startSink, userOf } from './lib/nodeWorkload.mjs'
import { loadPostgresServer } from './lib/postgres.mjs'
import { emit, progress } from './lib/result.mjs'

const title = 'Node server client and ingest'
const count = quick ? 20_000 : 100_000
// End-to-end jobs run once each (100k events take an SDK 10–30 s); a second run doubles the section's time.
const runs = 1
const yieldEvery = 1_000
const self = fileURLToPath(import.meta.url)
// The parent has loaded ecrm (transpiling its sources if dist lacks a name); children reuse that, so
// the TypeScript compiler never counts in a child's peak RSS.
const childLoad = { transpile: false }

/** The SDKs, each creating a client, tracking one event and closing (flushing everything). */
const sdks = {
  floor: {
    label: 'floor: JSON.stringify + POST batches of 100 (4 in flight)',
    kind: 'floor',
    async create(endpoint) {
      const { Agent, request } = await import('node:http')
      const agent = new Agent({ keepAlive: true, maxSockets: 4 })
      let batch = []
      const inFlight = new Set()
      const post = (events) => {
        const body = JSON.stringify({ batch: events, sentAt: new Date().toISOString() })
        const done = new Promise((resolve, reject) => {
          const req = request(
            `${endpoint}/v1/batch`,
            { method: 'POST', agent, headers: { 'content-type': 'application/json' } },
            (res) => res.resume().on('end', resolve),
          )
          req.on('error', reject)
          req.end(body)
        })
        inFlight.add(done)
        done.finally(() => inFlight.delete(done))
        return done
      }
      return {
        async track(i) {
          batch.push({
            type: 'track',
            event: 'Order Completed',
            userId: userOf(i),
            properties: propertiesOf(i),
            messageId: crypto.randomUUID(),
            timestamp: new Date().toISOString(),
          })
          if (batch.length === 100) {
            const events = batch
            batch = []
            if (inFlight.size >= 4) await Promise.race(inFlight)
            post(events)
          }
        },
        async close() {
          if (batch.length > 0) post(batch)
          await Promise.all(inFlight)
          agent.destroy()
        },
      }
    },
  },
  ecrm: {
    label: 'ecrm createNodeClient (memory queue)',
    kind: 'ecrm',
    async create(endpoint) {
      const { api } = await loadEcrm('node', ['createNodeClient'], childLoad)
      // The defaults: the queue is bounded by bytes (128 MiB), so a 100k burst is not dropped.
      const client = api.createNodeClient({ writeKey: 'bench', endpoint })
      return {
        track: (i) => client.track({ userId: userOf(i), event: 'Order Completed', properties: propertiesOf(i) }),
        close: () => client.close(),
      }
    },
  },
  ecrmFile: {
    label: 'ecrm createNodeClient (durable file queue)',
    kind: 'ecrm',
    async create(endpoint) {
      const { api } = await loadEcrm('node', ['createNodeClient'], childLoad)
      const queueDir = mkdtempSync(join(tmpdir(), 'ecrm-bench-queue-'))
      const client = api.createNodeClient({ writeKey: 'bench', endpoint, queueDir })
      return {
        track: (i) => client.track({ userId: userOf(i), event: 'Order Completed', properties: propertiesOf(i) }),
        close: async () => {
          await client.close()
          rmSync(queueDir, { recursive: true, force: true })
        },
      }
    },
  },
  ecrmFileReady: {
    label: 'ecrm createNodeClient (durable file queue, await ready() every 100 calls)',
    kind: 'ecrm',
    async create(endpoint) {
      const { api } = await loadEcrm('node', ['createNodeClient'], childLoad)
      const queueDir = mkdtempSync(join(tmpdir(), 'ecrm-bench-queue-'))
      const client = api.createNodeClient({ writeKey: 'bench', endpoint, queueDir })
      return {
        // Backpressure as a producer would use it, at the floor's pace of one await per batch of 100.
        track: (i) => {
          client.track({ userId: userOf(i), event: 'Order Completed', properties: propertiesOf(i) })
          return i % 100 === 99 ? client.ready() : undefined
        },
        close: async () => {
          await client.close()
          rmSync(queueDir, { recursive: true, force: true })
        },
      }
    },
  },
  segment: {
    label: '@segment/analytics-node',
    kind: 'peer',
    async create(endpoint) {
      const { Analytics } = await import('@segment/analytics-node')
      const client = new Analytics({ writeKey: 'bench', host: endpoint, maxEventsInBatch: 100, flushInterval: 5_000 })
      return {
        track: (i) => client.track({ userId: userOf(i), event: 'Order Completed', properties: propertiesOf(i) }),
        close: () => client.closeAndFlush({ timeout: 120_000 }),
      }
    },
  },
  posthog: {
    label: 'posthog-node',
    kind: 'peer',
    async create(endpoint) {
      const { PostHog } = await import('posthog-node')
      // maxQueueSize raised for the same reason as ecrm's cap; flushAt 100 like the others.
      const client = new PostHog('bench', { host: endpoint, flushAt: 100, flushInterval: 5_000, maxQueueSize: 200_000 })
      return {
        track: (i) => client.capture({ distinctId: userOf(i), event: 'Order Completed', properties: propertiesOf(i) }),
        close: () => client.shutdown(120_000),
      }
    },
  },
}

/** Child: one SDK, `count` events; prints { callMs, totalMs, cpuMs, rssMb }. */
async function worker(name, endpoint) {
  const sdk = await sdks[name].create(endpoint)
  // CPU time (user + system, all threads) beside wall time: on a shared machine wall time mostly
  // measures the neighbours, CPU time measures the SDK.
  const cpuStart = process.cpuUsage()
  const start = performance.now()
  let callMs = 0
  for (let i = 0; i < count; i++) {
    const t = performance.now()
    const pending = sdk.track(i)
    callMs += performance.now() - t
    if (pending instanceof Promise) await pending
    // A server handles requests between calls: give the SDK the event loop now and then.
    if (i % yieldEvery === yieldEvery - 1) await new Promise((resolve) => setImmediate(resolve))
  }
  await sdk.close()
  const totalMs = performance.now() - start
  const cpu = process.cpuUsage(cpuStart)
  process.stdout.write(JSON.stringify({ callMs, totalMs, cpuMs: (cpu.user + cpu.system) / 1000, rssMb: peakRssMb() }))
}

function runWorker(name, endpoint) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--expose-gc', self, '--worker', name, endpoint], {
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let out = ''
    let err = ''
    child.stdout.on('data', (c) => (out += c))
    child.stderr.on('data', (c) => (err = (err + c).slice(-2000)))
    const timer = setTimeout(() => child.kill('SIGKILL'), 180_000)
    child.on('close', (code) => {
      clearTimeout(timer)
      try {
        resolve(JSON.parse(out))
      } catch {
        resolve({ error: `exit ${code}: ${err.trim().split('\n').slice(-1)[0] ?? ''}` })
      }
    })
  })
}

/** Ingest: `count` events in batches of 100 through ecrm's handler (called with fetch Requests) into a store. */
async function ingestJob(storeName) {
  const { api } = await loadEcrm(
    'node',
    ['createIngestHandler', storeName === 'pglite' ? 'createPgliteStore' : 'createPostgresStore'],
    childLoad,
  )
  let server
  let store
  const dir = mkdtempSync(join(tmpdir(), 'ecrm-bench-pglite-'))
  if (storeName === 'pglite') {
    store = await api.createPgliteStore(dir)
  } else {
    server = await (await loadPostgresServer()).startPostgres()
    store = await api.createPostgresStore(server.connectionString)
  }
  const handler = api.createIngestHandler({ store, writeKeys: ['bench'] })
  const total = quick ? 5_000 : 10_000
  const { ms, failed, firstRate, lastRate } = await postBodies(handler, ingestBodies(total, Date.now()))
  await store.close?.()
  server?.stop()
  rmSync(dir, { recursive: true, force: true })
  process.stdout.write(JSON.stringify({ total, ms, failed, firstRate, lastRate, rssMb: peakRssMb() }))
}

const workerIndex = process.argv.indexOf('--worker')
if (workerIndex !== -1) {
  await worker(process.argv[workerIndex + 1], process.argv[workerIndex + 2])
  process.exit(0)
}
const ingestIndex = process.argv.indexOf('--ingest')
if (ingestIndex !== -1) {
  await ingestJob(process.argv[ingestIndex + 1])
  process.exit(0)
}

// Parent.
const sections = []
const notes = []
let origin
try {
  origin = (await loadEcrm('node', ['createNodeClient'])).origin
} catch (error) {
  emit({ id: 'node', title, skipped: error.message })
  process.exit(0)
}
const sink = await startSink()
const rows = []
const bars = []
const summary = {}
for (const [name, sdk] of Object.entries(sdks)) {
  const samples = []
  let delivered = 0
  let error
  let requests = 0
  for (let r = 0; r < runs && !error; r++) {
    progress(`${sdk.label}, run ${r + 1}/${runs}`)
    const result = await runWorker(name, sink.endpoint)
    ;({ events: delivered, requests } = sink.take())
    if (result.error) error = result.error
    else samples.push(result)
  }
  summary[name] = error
    ? { error }
    : {
        totalMs: median(samples.map((s) => s.totalMs)),
        cpuMs: median(samples.map((s) => s.cpuMs)),
        callUs: (median(samples.map((s) => s.callMs)) / count) * 1000,
        rssMb: median(samples.map((s) => s.rssMb)),
        spread: spread(samples.map((s) => s.totalMs)),
        delivered,
        requests,
      }
}
await sink.close()
// The spread column only when there is more than one run to spread.
const withSpread = (cells, spreadCell) => (runs > 1 ? [...cells.slice(0, 6), spreadCell, ...cells.slice(6)] : cells)
const base = summary.ecrm
for (const [name, sdk] of Object.entries(sdks)) {
  const s = summary[name]
  if (s.error) {
    rows.push(withSpread([sdk.label, 'failed', '', '', '', '', '', '', '', s.error], ''))
    continue
  }
  const perSecond = (count / s.totalMs) * 1000
  rows.push(
    withSpread(
      [
        sdk.label,
        fmt(s.callUs),
        fmt(perSecond),
        fmt((count / s.cpuMs) * 1000),
        base?.totalMs ? ratio(s.totalMs, base.totalMs) : '–',
        base?.cpuMs ? ratio(s.cpuMs, base.cpuMs) : '–',
        fmt(s.rssMb),
        `${s.delivered.toLocaleString('en-US')} / ${count.toLocaleString('en-US')}`,
        s.requests > 0 ? fmt(s.delivered / s.requests) : '–',
        '',
      ],
      pct(s.spread),
    ),
  )
  bars.push({
    label:
      sdk.label
        .replace(/ \(.*\)$/, '')
        .replace('createNodeClient', '')
        .trim() + ({ ecrmFile: ' (file queue)', ecrmFileReady: ' (file queue, ready())' }[name] ?? ''),
    value: perSecond / 1000,
    kind: sdk.kind,
  })
}
sections.push({
  title: `${count.toLocaleString('en-US')} track() calls to a local sink`,
  text:
    `Each SDK runs in its own Node process: ${count.toLocaleString('en-US')} Order Completed events (two products each), yielding to the event loop every ${yieldEvery.toLocaleString('en-US')} calls, then close/flush until the sink has everything. ` +
    'Batches of 100 for the floor and the peers; ecrm keeps its Node defaults (`batch.maxEvents` 500, see "events / request"; the queue bounded by bytes, 128 MiB in memory and 1 GiB with a queueDir, so the burst is not dropped), and the ready() row awaits `client.ready()` every 100 calls (backpressure). PostHog\'s queue cap is raised above the burst so it does not drop by design. ' +
    '"µs per call" is the time inside track() itself; "events / s" is end to end, until the last batch is acknowledged; "events per CPU-second" divides the same events by the user + system CPU time of the SDK\'s process over that span, the steadier figure on a shared machine (wall time also measures the neighbours). ' +
    `${runs > 1 ? `Median of ${runs} runs.` : 'One run each (no spread).'} The floor builds the same event objects, stringifies them and POSTs them with node:http.`,
  table: {
    columns: withSpread(
      [
        'client',
        'µs per track() call',
        'events / s end to end',
        'events per CPU-second',
        'time vs ecrm (memory)',
        'CPU time vs ecrm (memory)',
        'peak RSS MB',
        'delivered',
        'events / request',
        'error',
      ],
      'spread',
    ),
    rows,
  },
  chart: {
    title: `${count.toLocaleString('en-US')} events to a local sink, thousand events per second`,
    unit: 'k/s',
    higherIsBetter: true,
    bars,
  },
})
notes.push(
  'Issue 4 reports, on its machine, about 9,000 events/s and 1.6 GB peak RSS for @segment/analytics-node and about 15,000/s and 0.7 GB for posthog-node; compare ratios within one run, not absolute numbers across machines.',
)

// Ingest into PGlite, and PostgreSQL if its binaries are installed (as tests/postgres does).
let canIngest = true
try {
  await loadEcrm('node', ['createIngestHandler', 'createPgliteStore'])
} catch (error) {
  canIngest = false
  sections.push({ title: 'Ingest into PGlite and PostgreSQL', skipped: error.message })
}
if (canIngest) {
  const ingestRows = []
  const ingestBars = []
  const targets = ['pglite']
  try {
    const postgres = await loadPostgresServer()
    if (postgres?.hasPostgres) targets.push('postgres')
    else if (postgres !== null)
      notes.push(
        'PostgreSQL ingest skipped: its server binaries are not installed (see tests/postgres/postgresServer.ts).',
      )
  } catch (error) {
    notes.push(`PostgreSQL ingest skipped: ${error.message}`)
  }
  for (const target of targets) {
    progress(`ingest into ${target}`)
    const child = spawnSync(process.execPath, [self, '--ingest', target], { encoding: 'utf8', timeout: 180_000 })
    let result
    try {
      result = JSON.parse(child.stdout)
    } catch {
      ingestRows.push([target, 'failed', '', '', '', '', (child.stderr || '').trim().split('\n').slice(-1)[0] ?? ''])
      continue
    }
    const rate = (result.total / result.ms) * 1000
    ingestRows.push([
      target === 'pglite' ? 'PGlite (on disk)' : 'PostgreSQL 15 (local server, fsync off)',
      fmt(rate),
      fmt(result.firstRate),
      fmt(result.lastRate),
      fmt(result.rssMb),
      result.failed === 0 ? 'all 2xx' : `${result.failed} batches failed`,
      '',
    ])
    ingestBars.push({ label: target === 'pglite' ? 'PGlite' : 'PostgreSQL', value: rate / 1000, kind: 'ecrm' })
  }
  sections.push({
    title: 'Ingest into PGlite and PostgreSQL',
    text: `${quick ? '5,000' : '10,000'} events in batches of 100, posted one batch after another to createIngestHandler (called with fetch Request objects, no socket), which validates, dedupes by messageId and stores them. One run each (the store must start empty); the first- and last-quarter rates show whether ingest slows as the table grows. There is no peer here: Segment and PostHog ingest on their own servers.`,
    table: {
      columns: [
        'store',
        'events / s',
        'first quarter, events / s',
        'last quarter, events / s',
        'peak RSS MB',
        'responses',
        'error',
      ],
      rows: ingestRows,
    },
    chart: { title: 'Ingest, thousand events per second', unit: 'k/s', higherIsBetter: true, bars: ingestBars },
  })
}

emit({
  id: 'node',
  title,
  intro: 'Server-side capture and ingest; higher throughput and lower memory are better.',
  origin,
  sections,
  notes,
})
