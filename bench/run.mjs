#!/usr/bin/env node
// Runs every benchmark in bench/, each in its own Node process, then writes docs/benchmarks.md and
// docs/benchmarks/*.svg. Usage: node bench/run.mjs [id ...] [--quick]
//   ids: size rules assignment rfmClv node ingest derive browser messages (default: all, in that order)
//   --quick (or BENCH_QUICK=1): fewer, shorter samples, to try the scripts out.
// A benchmark whose subject does not exist yet reports "skipped" with the reason and the run goes on.
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { describeMachine } from './lib/machine.mjs'
import { hasPeers, repoRoot } from './lib/paths.mjs'
import { writeReport } from './lib/report.mjs'

const benches = [
  { id: 'size', title: 'Bundle size', timeoutMs: 120_000 },
  { id: 'rules', title: 'Rules (JsonLogic)', timeoutMs: 180_000 },
  { id: 'assignment', title: 'Experiment assignment', timeoutMs: 120_000 },
  { id: 'rfmClv', title: 'RFM and CLV at 1M customers', timeoutMs: 420_000 },
  { id: 'node', title: 'Node server client and ingest', timeoutMs: 420_000 },
  { id: 'ingest', title: 'Ingest into PostgreSQL near the floor', timeoutMs: 420_000 },
  { id: 'derive', title: 'Derived profiles: incremental cost on ingest, full refresh at 1M', timeoutMs: 1_500_000 },
  { id: 'browser', title: 'Browser SDKs in Chromium', timeoutMs: 420_000 },
  { id: 'messages', title: 'Messages: render + outbox + SMTP', timeoutMs: 120_000 },
]
const peerNames = Object.keys(JSON.parse(readFileSync(join(repoRoot, 'bench', 'package.json'), 'utf8')).devDependencies)

const args = process.argv.slice(2)
const quick = args.includes('--quick') || process.env.BENCH_QUICK === '1'
const wanted = args.filter((arg) => !arg.startsWith('--'))
const unknown = wanted.filter((id) => !benches.some((bench) => bench.id === id))
if (unknown.length > 0) {
  console.error(`Unknown benchmark(s): ${unknown.join(', ')} (choose from ${benches.map((b) => b.id).join(', ')})`)
  process.exit(2)
}
const selected = benches.filter((bench) => wanted.length === 0 || wanted.includes(bench.id))
const resultsDir = join(repoRoot, 'bench', 'results')
mkdirSync(resultsDir, { recursive: true })

/** Builds packages/<pkg>/dist when the script-tag bundle or the core entry is missing. */
function ensureBuild() {
  const needed = ['packages/core/dist/index.js', 'packages/browser/dist/ecrm.min.js'].filter(
    (file) => !existsSync(join(repoRoot, file)),
  )
  if (needed.length === 0) return
  console.log(`[bench] ${needed.join(', ')} missing: running npx rollup -c`)
  const build = spawnSync('npx', ['rollup', '-c'], { cwd: repoRoot, stdio: 'inherit' })
  if (build.status !== 0) console.log('[bench] the build failed; benchmarks whose subject is missing will be skipped')
}

/** Runs one benchmark script in its own process; resolves to its result (or a skip with the reason). */
function runOne(bench) {
  const file = join(repoRoot, 'bench', `${bench.id}.bench.mjs`)
  const out = join(resultsDir, `${bench.id}.json`)
  return new Promise((resolve) => {
    if (!existsSync(file))
      return resolve({ id: bench.id, title: bench.title, skipped: `bench/${bench.id}.bench.mjs does not exist yet` })
    const started = performance.now()
    const child = spawn(process.execPath, ['--expose-gc', file], {
      cwd: repoRoot,
      env: { ...process.env, BENCH_OUT: out, BENCH_QUICK: quick ? '1' : '0' },
      stdio: ['ignore', 'inherit', 'pipe'],
    })
    let stderr = ''
    child.stderr.on('data', (chunk) => {
      stderr = (stderr + chunk).slice(-4000)
      process.stderr.write(chunk)
    })
    const timer = setTimeout(() => child.kill('SIGKILL'), bench.timeoutMs)
    writeFileSync(out, '')
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      const elapsedMs = performance.now() - started
      let result
      try {
        result = JSON.parse(readFileSync(out, 'utf8'))
      } catch {
        const why = signal ? `killed after ${bench.timeoutMs / 1000} s (${signal})` : `exited with code ${code}`
        const last = stderr.trim().split('\n').filter(Boolean).slice(-1)[0] ?? ''
        result = { id: bench.id, title: bench.title, skipped: `the script ${why}${last ? `: ${last}` : ''}` }
      }
      result.title ??= bench.title
      result.measuredAt = new Date().toISOString().slice(0, 16).replace('T', ' ') + ' UTC'
      result.elapsedMs = elapsedMs
      writeFileSync(out, JSON.stringify(result, null, 2))
      resolve(result)
    })
  })
}

const started = performance.now()
if (!hasPeers) console.log('[bench] bench/node_modules is missing: peers will be skipped (run `npm --prefix bench ci`)')
ensureBuild()
const machine = describeMachine(peerNames)
for (const bench of selected) {
  console.log(`[bench] ${bench.id}: ${bench.title}`)
  const result = await runOne(bench)
  console.log(
    result.skipped
      ? `[bench] ${bench.id} skipped: ${result.skipped}`
      : `[bench] ${bench.id} done in ${(result.elapsedMs / 1000).toFixed(1)} s`,
  )
}
// The page shows every benchmark: this run's results, and earlier ones for benchmarks not run now.
const results = benches.map((bench) => {
  try {
    return JSON.parse(readFileSync(join(resultsDir, `${bench.id}.json`), 'utf8'))
  } catch {
    return { id: bench.id, title: bench.title, skipped: 'not run yet (node bench/run.mjs ' + bench.id + ')' }
  }
})
writeReport({ results, machine, docsDir: join(repoRoot, 'docs'), totalMs: performance.now() - started, quick })
console.log(
  `[bench] wrote docs/benchmarks.md and docs/benchmarks/*.svg in ${((performance.now() - started) / 1000).toFixed(1)} s`,
)
