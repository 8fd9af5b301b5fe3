// Server-side throughput: 100,000 track() calls delivered to a local HTTP sink, by ecrm's node
// client and by the peers (@segment/analytics-node, posthog-node) in the same run. Each client runs
// in its own child process so its peak RSS (getrusage maxrss) is its own; the sink runs here.
// Throughput = events acknowledged by the sink / wall time from the first call to close()/shutdown()
// returning. CPU time (user + system, getrusage) is reported beside it: on a shared machine wall
// time mostly measures the neighbours, CPU time measures the client. Not run by the tests.
// `node bench/node/track.bench.mjs` (BENCH_QUICK=1: 20,000 events).
import { existsSync } from 'node:fs'
import { fork } from 'node:child_process'
import { createServer } from 'node:http'
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { gunzipSync } from 'node:zlib'
import { fmt, quick, ratio } from '../lib/measure.mjs'
import { loadEcrm } from '../lib/ecrm.mjs'
import { peersDir, repoRoot } from '../lib/paths.mjs'
import { emit, progress } from '../lib/result.mjs'

const COUNT = quick ? 20_000 : 100_000
/** Calls between yields to the event loop, as a server interleaves track() with its own I/O. */
const YIELD_EVERY = 1_000
const self = fileURLToPath(import.meta.url)
/** Where bench/lib/ecrm.mjs puts @ecrm/node transpiled from its sources when there is no dist. */
const transpiledEntry = join(repoRoot, 'bench', '.cache', 'src', 'node', 'src', 'index.js')

// ---- child: one client, one run ----------------------------------------------------------------
async function runClient(name, sink, ecrmOrigin) {
  const requirePeer = createRequire(join(peersDir, 'package.json'))
  let track, close, origin = 'npm'
  if (name === 'ecrm') {
    // The parent has loaded (and, without a dist, transpiled) ecrm already; the child imports the
    // result directly, so the TypeScript compiler never counts in ecrm's peak RSS.
    const entry = ecrmOrigin === 'dist' ? join(repoRoot, 'packages', 'node', 'dist', 'index.js') : transpiledEntry
    const api = await import(pathToFileURL(entry).href)
    origin = ecrmOrigin
    // Same footing as the peers' in-memory queues: room for the whole run, no drops.
    const client = api.createNodeClient({ writeKey: 'wk_bench', endpoint: sink, limits: { maxEvents: COUNT, maxBytes: 500_000_000 } })
    track = (n) => client.track({ userId: `user-${n % 1_000}`, event: 'Product Viewed', properties: { product_id: `sku-${n}`, price: 19.99, currency: 'EUR' } })
    close = () => client.close()
  } else if (name === '@segment/analytics-node') {
    const { Analytics } = requirePeer('@segment/analytics-node')
    const client = new Analytics({ writeKey: 'wk_bench', host: sink, path: '/v1/batch' })
    track = (n) => client.track({ userId: `user-${n % 1_000}`, event: 'Product Viewed', properties: { product_id: `sku-${n}`, price: 19.99, currency: 'EUR' } })
    close = () => client.closeAndFlush({ timeout: 600_000 })
  } else {
    const { PostHog } = requirePeer('posthog-node')
    const client = new PostHog('phc_bench', { host: sink, disableCompression: true, maxQueueSize: COUNT })
    track = (n) => client.capture({ distinctId: `user-${n % 1_000}`, event: 'Product Viewed', properties: { product_id: `sku-${n}`, price: 19.99, currency: 'EUR' } })
    close = () => client.shutdown(600_000)
  }
  const cpuStart = process.cpuUsage()
  const started = performance.now()
  for (let n = 0; n < COUNT; n++) {
    track(n)
    if (n % YIELD_EVERY === YIELD_EVERY - 1) await new Promise((resolve) => setImmediate(resolve))
  }
  const trackedMs = performance.now() - started
  await close()
  const totalMs = performance.now() - started
  const cpu = process.cpuUsage(cpuStart)
  const cpuMs = (cpu.user + cpu.system) / 1000
  process.send({ trackedMs, totalMs, cpuMs, peakRssMb: process.resourceUsage().maxRSS / 1024, origin })
}

// ---- parent: sink + one child per client ---------------------------------------------------------
async function startSink() {
  let events = 0
  let requests = 0
  const server = createServer((req, res) => {
    const chunks = []
    req.on('data', (chunk) => chunks.push(chunk))
    req.on('end', () => {
      requests++
      let raw = Buffer.concat(chunks)
      if (req.headers['content-encoding'] === 'gzip') raw = gunzipSync(raw)
      try {
        const body = JSON.parse(raw.toString('utf8'))
        events += Array.isArray(body.batch) ? body.batch.length : 1
      } catch {}
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end('{"success":true,"status":"Ok"}')
    })
  })
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    take() {
      const taken = { events, requests }
      events = 0
      requests = 0
      return taken
    },
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(resolve) }),
  }
}

function runChild(name, sinkUrl, ecrmOrigin) {
  return new Promise((resolve, reject) => {
    const child = fork(self, ['--client', name, '--sink', sinkUrl, '--origin', ecrmOrigin], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] })
    let result
    child.on('message', (message) => (result = message))
    child.on('exit', (code) => (code === 0 && result ? resolve(result) : reject(new Error(`${name} exited with ${code}`))))
  })
}

async function main() {
  // Loads ecrm here, in the parent (transpiling the sources when there is no dist), so the child
  // only imports built JavaScript, as the peers' children do.
  let ecrmOrigin = 'unavailable'
  try {
    ecrmOrigin = (await loadEcrm('node', ['createNodeClient'])).origin
    if (ecrmOrigin !== 'dist' && !existsSync(transpiledEntry)) throw new Error(`no ${transpiledEntry}`)
  } catch (error) {
    progress(`ecrm: ${error.message}`)
  }
  const sink = await startSink()
  const clients = ['ecrm', '@segment/analytics-node', 'posthog-node']
  const rows = []
  const results = {}
  for (const name of clients) {
    progress(`${name}: ${COUNT.toLocaleString('en-US')} track() calls`)
    try {
      const run = await runChild(name, sink.url, ecrmOrigin)
      const { events, requests } = sink.take()
      results[name] = { ...run, events, requests, perSecond: events / (run.totalMs / 1000), perCpuSecond: events / (run.cpuMs / 1000) }
    } catch (error) {
      sink.take()
      results[name] = { error: error.message }
    }
  }
  await sink.close()
  const ecrm = results.ecrm
  for (const name of clients) {
    const r = results[name]
    if (r.error) { rows.push([name, '–', '–', '–', '–', '–', '–', r.error]); continue }
    rows.push([
      name,
      fmt(r.perSecond),
      fmt(r.perCpuSecond),
      fmt(r.peakRssMb),
      `${fmt(r.events)} / ${fmt(COUNT)}`,
      fmt(r.events / r.requests),
      name === 'ecrm'
        ? '1×'
        : `${ratio(ecrm?.perSecond, r.perSecond)} faster (${ratio(ecrm?.perCpuSecond, r.perCpuSecond)} per CPU-second), ${ratio(r.peakRssMb, ecrm?.peakRssMb)} less memory`,
      name === 'ecrm' ? ecrm.origin : 'bench/node_modules',
    ])
  }
  emit({
    id: 'node-track',
    title: 'Node client: 100,000 track() calls to a local sink',
    intro: `Each client tracks ${COUNT.toLocaleString('en-US')} events (yielding to the event loop every ${YIELD_EVERY} calls) and closes; a local node:http sink acknowledges every batch. Throughput counts events the sink received over the wall time to close(), and over the CPU time the client process used (user + system), which a busy machine disturbs far less. Peak RSS is the client process's own. Defaults for batching; queue caps raised to hold the whole run where a client has one (ecrm limits.maxEvents, posthog-node maxQueueSize).`,
    sections: [
      {
        title: 'Throughput and peak memory',
        table: { columns: ['client', 'events/s', 'events per CPU-second', 'peak RSS (MB)', 'delivered', 'events/request', 'ecrm vs this', 'loaded from'], rows },
        chart: {
          title: 'Events delivered per second', unit: 'events/s', higherIsBetter: true,
          bars: clients.filter((n) => results[n].perSecond).map((n) => ({ label: n, value: results[n].perSecond, kind: n === 'ecrm' ? 'ecrm' : 'peer' })),
        },
      },
    ],
    notes: [
      'Issue 4 reports, on its machine, about 9,000 events/s and 1.6 GB peak RSS for @segment/analytics-node and about 15,000/s and 0.7 GB for posthog-node; compare ratios from one run, not absolute numbers across machines.',
      `Node ${process.version}, ${repoRoot}`,
    ],
  })
}

const args = process.argv
const clientIndex = args.indexOf('--client')
if (clientIndex !== -1) await runClient(args[clientIndex + 1], args[args.indexOf('--sink') + 1], args[args.indexOf('--origin') + 1])
else await main()
