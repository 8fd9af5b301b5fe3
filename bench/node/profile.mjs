// A quick loop for working on the node client's hot path: bundles the current sources of
// @ecrm/node (esbuild, dependencies external), then runs ecrm alone in a child process against a
// local sink, with the events and the call loop of bench/node.bench.mjs (bench/lib/nodeWorkload.mjs).
// Prints events/s, µs per track() call and peak RSS. Not part of the published benchmark (that is
// `node bench/run.mjs node`, ecrm beside its peers).
//
//   node bench/node/profile.mjs                 100,000 calls to a node:http sink
//   SINK=null node bench/node/profile.mjs       a transport that answers 200 at once (pipeline only)
//   PROF=1 node bench/node/profile.mjs          also writes a CPU profile to /tmp/ecrm-perf/prof
//   COUNT=20000 RUNS=3 ...                      fewer calls, several runs (median reported)
//   QUEUE_DIR=/tmp/ecrm-q ...                   with the durable file queue
//   SRC_ROOT=/tmp/base ...                      another checkout (e.g. git archive HEAD packages | tar -x -C /tmp/base)
import { fork } from 'node:child_process'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { propertiesOf, startSink, userOf } from '../lib/nodeWorkload.mjs'
import { repoRoot } from '../lib/paths.mjs'

const COUNT = Number(process.env.COUNT ?? 100_000)
const RUNS = Number(process.env.RUNS ?? 1)
const YIELD_EVERY = 1_000
// SRC_ROOT: another checkout's root (e.g. `git archive HEAD packages | tar -x -C /tmp/base`) to compare.
const srcRoot = process.env.SRC_ROOT ?? repoRoot
const outDir = process.env.SRC_ROOT ? '/tmp/ecrm-perf-base' : '/tmp/ecrm-perf'
const bundle = join(outDir, 'node.mjs')
const self = fileURLToPath(import.meta.url)

async function runClient(sink) {
  if (process.env.QUEUE_DIR) (await import('node:fs')).rmSync(process.env.QUEUE_DIR, { recursive: true, force: true })
  const { createNodeClient } = await import(pathToFileURL(bundle).href)
  const transport =
    sink === 'null' ? { send: async () => ({ type: 'response', status: 200, retryAfter: null }) } : undefined
  const client = createNodeClient({
    writeKey: 'wk_bench',
    endpoint: sink === 'null' ? 'http://127.0.0.1:9' : sink,
    ...(process.env.BATCH ? { batch: { maxEvents: Number(process.env.BATCH) } } : {}),
    // QUEUE_DIR=/tmp/q: the durable file queue instead of the memory queue (emptied first).
    ...(process.env.QUEUE_DIR ? { queueDir: process.env.QUEUE_DIR } : {}),
    ...(transport ? { transport } : {}),
  })
  const loadedRssMb = process.memoryUsage().rss / 1024 / 1024
  // CPU time, not wall time: the machine may be shared, and CPU time is what the client costs.
  const cpuMs = (usage) => (usage.user + usage.system) / 1000
  let syncCpuMs = 0
  let maxQueued = 0
  const cpuStart = process.cpuUsage()
  const started = performance.now()
  for (let n = 0; n < COUNT; n += YIELD_EVERY) {
    const t = process.cpuUsage()
    for (let i = n; i < n + YIELD_EVERY; i++) {
      client.track({ userId: userOf(i), event: 'Order Completed', properties: propertiesOf(i) })
    }
    syncCpuMs += cpuMs(process.cpuUsage(t))
    await new Promise((resolve) => setImmediate(resolve))
    maxQueued = Math.max(maxQueued, n + YIELD_EVERY - client.stats().sent)
    if (process.env.MEM === '1' && n % 10_000 === 0) {
      const m = process.memoryUsage()
      console.log(
        `  ${n}: rss ${Math.round(m.rss / 1048576)} heapUsed ${Math.round(m.heapUsed / 1048576)} heapTotal ${Math.round(m.heapTotal / 1048576)} external ${Math.round(m.external / 1048576)} buffers ${Math.round(m.arrayBuffers / 1048576)} unsent ${n + YIELD_EVERY - client.stats().sent}`,
      )
    }
  }
  const trackedMs = performance.now() - started
  await client.close()
  const totalMs = performance.now() - started
  const totalCpuMs = cpuMs(process.cpuUsage(cpuStart))
  process.send({
    trackedMs,
    totalMs,
    syncCpuMs,
    totalCpuMs,
    sent: client.stats().sent,
    maxQueued,
    loadedRssMb,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
  })
}

async function main() {
  const require = createRequire(join(repoRoot, 'package.json'))
  const esbuild = require('esbuild')
  await esbuild.build({
    entryPoints: [join(srcRoot, 'packages/node/src/index.ts')],
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    outfile: bundle,
    external: ['ky', 'zod', 'pg', '@electric-sql/pglite'],
    alias: { '@ecrm/core': join(srcRoot, 'packages/core/src/index.ts') },
    logLevel: 'warning',
  })
  // ky and zod resolve from the repository's node_modules.
  const { symlinkSync, existsSync, mkdirSync } = await import('node:fs')
  mkdirSync(outDir, { recursive: true })
  if (!existsSync(join(outDir, 'node_modules')))
    symlinkSync(join(repoRoot, 'node_modules'), join(outDir, 'node_modules'))

  const sink = process.env.SINK === 'null' ? undefined : await startSink()
  const sinkUrl = sink?.endpoint ?? 'null'
  const execArgv = process.env.PROF === '1' ? ['--cpu-prof', `--cpu-prof-dir=${join(outDir, 'prof')}`] : []
  const results = []
  for (let run = 0; run < RUNS; run++) {
    sink?.take()
    const result = await new Promise((resolve, reject) => {
      const child = fork(self, ['--client', sinkUrl], { execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
      let message
      child.on('message', (m) => (message = m))
      child.on('exit', (code) =>
        code === 0 && message ? resolve(message) : reject(new Error(`child exited with ${code}`)),
      )
    })
    const delivered = sink ? sink.take().events : result.sent
    results.push({
      ...result,
      delivered,
      perSecond: delivered / (result.totalMs / 1000),
      perCpuSecond: delivered / (result.totalCpuMs / 1000),
      usPerCall: (result.syncCpuMs * 1000) / COUNT,
    })
    const r = results.at(-1)
    console.log(
      `run ${run + 1}: ${Math.round(r.perSecond).toLocaleString('en-US')} events/s wall, ${Math.round(r.perCpuSecond).toLocaleString('en-US')} events/CPU-s, ` +
        `${r.usPerCall.toFixed(2)} CPU µs/track(), closed at ${Math.round(r.totalMs)} ms, peak RSS ${Math.round(r.peakRssMb)} MB (${Math.round(r.loadedRssMb)} MB once loaded), queue peak ${r.maxQueued}, delivered ${delivered}/${COUNT}`,
    )
  }
  if (RUNS > 1) {
    const mid = (key) => results.map((r) => r[key]).sort((a, b) => a - b)[results.length >> 1]
    console.log(
      `median: ${Math.round(mid('perSecond')).toLocaleString('en-US')} events/s wall, ${Math.round(mid('perCpuSecond')).toLocaleString('en-US')} events/CPU-s, ` +
        `${mid('usPerCall').toFixed(2)} CPU µs/track(), peak RSS ${Math.round(mid('peakRssMb'))} MB`,
    )
  }
  await sink?.close()
}

const clientIndex = process.argv.indexOf('--client')
if (clientIndex !== -1) await runClient(process.argv[clientIndex + 1])
else await main()
