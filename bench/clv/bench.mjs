#!/usr/bin/env node
// BG/NBD + Gamma-Gamma at scale: summarise 10,000,000 synthetic transactions of 1,000,000
// customers, fit both models, score P(alive), expected purchases and CLV for everyone; and time the
// BG/NBD fit on the CDNOW sample. Plain node: it compiles packages/core/src/clv with the repo's tsc
// into a temp folder first. Not run by the tests.
//
//   node bench/clv/bench.mjs [customers=1000000] [--full-fit]
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
// The benchmarks' one seeded generator (mulberry32): every run scores the same shop.
import { createRandom } from '../data/crmRules.mjs'

const root = fileURLToPath(new URL('../../', import.meta.url))
const out = mkdtempSync(join(tmpdir(), 'ecrm-clv-bench-'))
writeFileSync(
  join(out, 'tsconfig.json'),
  JSON.stringify({
    extends: join(root, 'tsconfig.base.json'),
    compilerOptions: {
      outDir: join(out, 'dist'),
      rootDir: join(root, 'packages/core/src'),
      lib: ['ES2022'],
      types: [],
      declaration: false,
    },
    include: [join(root, 'packages/core/src/clv/**/*.ts')],
  }),
)
const built = spawnSync(join(root, 'node_modules/.bin/tsc'), ['-p', join(out, 'tsconfig.json')], { stdio: 'inherit' })
if (built.status !== 0) process.exit(built.status ?? 1)
const clv = await import(pathToFileURL(join(out, 'dist/clv/index.js')).href)

const customers = Number(process.argv.slice(2).find((arg) => /^\d+$/.test(arg)) ?? 1_000_000)
const DAY_MS = 86_400_000
const rssMb = () => (process.memoryUsage().rss / 2 ** 20).toFixed(0)
const peakMb = () => (process.resourceUsage().maxRSS / 1024).toFixed(0)
// Wall time and this process's CPU time: on a shared machine the CPU time is the steadier figure.
const time = (label, run) => {
  const started = performance.now()
  const cpuStart = process.cpuUsage()
  const result = run()
  const ms = performance.now() - started
  const cpu = process.cpuUsage(cpuStart)
  const cpuMs = (cpu.user + cpu.system) / 1000
  console.log(
    `${label.padEnd(44)} ${ms.toFixed(0).padStart(7)} ms wall ${cpuMs.toFixed(0).padStart(7)} ms cpu   rss ${rssMb()} MB`,
  )
  return { result, ms, cpuMs }
}

/** Gamma(shape, rate) by Marsaglia & Tsang (2000), boosted for shape < 1, from `random`. */
function createGamma(random) {
  const normal = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random())
  const gamma = (shape, rate) => {
    if (shape < 1) return gamma(shape + 1, rate) * (1 - random()) ** (1 / shape)
    const d = shape - 1 / 3
    const c = 1 / Math.sqrt(9 * d)
    for (;;) {
      const z = normal()
      const v = (1 + c * z) ** 3
      if (v > 0 && Math.log(1 - random()) < 0.5 * z * z + d - d * v + d * Math.log(v)) return (d * v) / rate
    }
  }
  return gamma
}

// BG/NBD customers in days (r = 1.2, α = 36: a purchase every ~30 days; dropout p ~ Beta(1, 12)),
// first purchases spread over 2023, observed to the end of 2024; spends Gamma-Gamma (p 4, q 5, γ 80).
// About 10 transactions a customer, so 1M customers make about 10M transactions. The same seed
// gives the same transactions, so generation can be timed on its own and subtracted.
const start = Date.UTC(2023, 0, 1)
const end = Date.UTC(2024, 11, 31)
/** Generates the shop into flat typed arrays (not timed as ecrm work): customer index, day, amount. */
function generate(seed) {
  const random = createRandom(seed)
  const gamma = createGamma(random)
  let capacity = customers * 12
  let who = new Int32Array(capacity)
  let days = new Int32Array(capacity)
  let amounts = new Float64Array(capacity)
  let count = 0
  const push = (id, day, amount) => {
    if (count === capacity) {
      capacity *= 2
      const grow = (old, next) => (next.set(old), next)
      who = grow(who, new Int32Array(capacity))
      days = grow(days, new Int32Array(capacity))
      amounts = grow(amounts, new Float64Array(capacity))
    }
    who[count] = id
    days[count] = day
    amounts[count] = amount
    count += 1
  }
  const firstDay = start / DAY_MS
  const lastDay = end / DAY_MS
  for (let id = 0; id < customers; id += 1) {
    const rate = gamma(1.2, 36)
    const x = gamma(1, 1)
    const dropout = x / (x + gamma(12, 1))
    const nu = gamma(5, 80)
    let day = firstDay + Math.floor(random() * 365)
    // The first purchase starts the clock; the dropout coin is tossed after each repeat one.
    for (let repeat = false; ; repeat = true) {
      push(id, day, gamma(4, nu))
      if (repeat && random() < dropout) break
      day += Math.max(1, Math.round(-Math.log(1 - random()) / rate))
      if (day > lastDay) break
    }
  }
  return { who, days, amounts, count }
}

/** Every k-th customer: the fit sample `ecrm analyze` uses for large bases. */
const sampleEvenly = (items, size) =>
  items.length <= size ? items : Array.from({ length: size }, (_, i) => items[Math.floor((i * items.length) / size)])

console.log(`node ${process.version}, ${customers.toLocaleString('en-US')} customers`)
const { result: shop } = time('generate (the input, not ecrm)', () => generate(2024))
const transactions = shop.count
const ids = Array.from({ length: customers }, (_, id) => `c${id}`)
function* orders() {
  for (let i = 0; i < shop.count; i += 1) {
    yield { customerId: ids[shop.who[i]], at: shop.days[i] * DAY_MS, amount: shop.amounts[i] }
  }
}
const {
  result: summaries,
  ms: summarizeMs,
  cpuMs: summarizeCpuMs,
} = time('summarizeTransactions', () => clv.summarizeTransactions(orders(), { calibrationEnd: end, unit: 'days' }))
console.log(
  `  ${transactions.toLocaleString('en-US')} transactions, ${summaries.length.toLocaleString('en-US')} customers`,
)
const fitSample = sampleEvenly(summaries, 25_000)
const { result: bgNbd, ms: bgMs } = time('fitBgNbd (even sample of 25,000)', () => clv.fitBgNbd(fitSample))
const { result: gammaGamma, ms: ggMs } = time('fitGammaGamma (repeat buyers of the sample)', () =>
  clv.fitGammaGamma(fitSample),
)
let fullFitMs = null
if (process.argv.includes('--full-fit')) {
  const full = time('fitBgNbd (every customer)', () => clv.fitBgNbd(summaries))
  fullFitMs = full.ms
  console.log(
    `  r ${full.result.r.toFixed(3)}, α ${full.result.alpha.toFixed(3)}, a ${full.result.a.toFixed(3)}, b ${full.result.b.toFixed(3)}`,
  )
}
const { result: values, ms: scoreMs } = time('scoreClv (12 monthly steps, 10 %/yr)', () =>
  clv.scoreClv(summaries, { bgNbd, gammaGamma }, { horizon: 365, unit: 'days', discountRate: 0.1 }),
)
const fmt = (o) =>
  Object.entries(o)
    .filter(([, v]) => typeof v === 'number')
    .map(([k, v]) => `${k} ${v.toFixed(3)}`)
    .join(', ')
console.log(`  BG/NBD ${fmt(bgNbd)}`)
console.log(`  Gamma-Gamma ${fmt(gammaGamma)}`)
console.log(`  total CLV ${values.reduce((sum, v) => sum + v.clv, 0).toFixed(0)}`)
console.log(`peak rss ${peakMb()} MB`)

const cdnowPath = join(root, '../shared/data/CDNOW_sample.txt')
let cdnow = null
if (existsSync(cdnowPath)) {
  const orders = readFileSync(cdnowPath, 'utf8')
    .trim()
    .split('\n')
    .map((line) => {
      const [, id, date, , dollars] = line.trim().split(/\s+/)
      return {
        customerId: id,
        at: Date.UTC(+date.slice(0, 4), +date.slice(4, 6) - 1, +date.slice(6, 8)),
        amount: Number(dollars),
      }
    })
  const sample = clv.summarizeTransactions(orders, { calibrationEnd: Date.UTC(1997, 8, 30), unit: 'weeks' })
  const runs = Array.from(
    { length: 7 },
    () => time('fitBgNbd (CDNOW sample, 2,357 customers)', () => clv.fitBgNbd(sample)).ms,
  )
  cdnow = runs.sort((a, b) => a - b)[3]
  console.log(`  median ${cdnow.toFixed(0)} ms`)
} else {
  console.log(`CDNOW sample not found at ${cdnowPath}: skipped`)
}
rmSync(out, { recursive: true, force: true })
console.log(
  JSON.stringify({
    customers,
    transactions,
    summarizeMs,
    summarizeCpuMs,
    bgMs,
    ggMs,
    fullFitMs,
    scoreMs,
    peakRssMb: Number(peakMb()),
    cdnowFitMs: cdnow,
  }),
)
