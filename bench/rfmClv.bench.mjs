// RFM scoring and BG/NBD + Gamma-Gamma CLV at 1M customers: wall time (median of runs) and peak RSS,
// each job in its own Node process so one job's memory never counts against another. The 1M
// customers are the CDNOW sample's 2,357 summaries (../shared/data) resampled with whole-day jitter,
// so the histories look like real ones (heavy-tailed, many one-time buyers) yet are all different.
import { spawnSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createRandom } from './data/crmRules.mjs'
import { loadEcrm } from './lib/ecrm.mjs'
import { fmt, medianMs, peakRssMb, quick, ratio } from './lib/measure.mjs'
import { sharedData } from './lib/paths.mjs'
import { emit, progress } from './lib/result.mjs'

const title = 'RFM and CLV at 1M customers'
const customerCount = quick ? 200_000 : 1_000_000
const summaryPath = join(sharedData, 'cdnow_customers_summary_with_transactions.csv')
const dayMs = 86_400_000
const calibrationEnd = Date.UTC(1997, 8, 30)

/** 1M customer summaries (weeks) and the matching RFM inputs. */
function makeCustomers(count) {
  const rows = readFileSync(summaryPath, 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((line) => line.split(',').map(Number))
  const random = createRandom(7)
  const summaries = new Array(count)
  const rfm = new Array(count)
  for (let i = 0; i < count; i++) {
    const [, x, tx, T, zbar] = rows[Math.floor(random() * rows.length)]
    const shift = Math.floor(random() * 7) / 7 // up to six whole days, in weeks
    const age = T + shift
    const recency = x === 0 ? 0 : Math.min(age, tx + shift * random())
    const spend = zbar * (0.8 + 0.4 * random())
    const id = `c${i}`
    summaries[i] = {
      customerId: id,
      frequency: x,
      recency,
      age,
      meanRepeatSpend: spend,
      totalSpend: spend * (x + 1),
      firstPurchaseAt: calibrationEnd - age * 7 * dayMs,
      lastPurchaseAt: calibrationEnd - (age - recency) * 7 * dayMs,
    }
    rfm[i] = { id, lastOrderAt: summaries[i].lastPurchaseAt, orderCount: x + 1, monetary: spend * (x + 1) }
  }
  return { summaries, rfm }
}

/** The jobs, each run in a child: `node rfmClv.bench.mjs --job <name>` prints { ms, spread, rssMb }. */
const jobs = {
  // The input alone: how much memory the 1M customers take before any scoring (the RSS floor).
  input: async () => ({ ...(await medianMs(() => makeCustomers(customerCount), { samples: 1 })) }),
  // The least any quintile scoring must do: sort the three value columns.
  sortFloor: async ({ rfm }) =>
    medianMs(() => {
      for (const read of [(c) => c.lastOrderAt, (c) => c.orderCount, (c) => c.monetary])
        Float64Array.from(rfm, read).sort()
    }),
  scoreRfm: async ({ rfm }, api) => medianMs(() => api.scoreRfm(rfm, { now: calibrationEnd })),
  fitBgNbd: async ({ summaries }, api) => {
    let fit
    const timing = await medianMs(() => (fit = api.fitBgNbd(summaries)), { samples: 1 })
    return { ...timing, detail: `r = ${fmt(fit.r)}, α = ${fmt(fit.alpha)}, a = ${fmt(fit.a)}, b = ${fmt(fit.b)}` }
  },
  fitGammaGamma: async ({ summaries }, api) => {
    const repeaters = summaries.filter((s) => s.frequency > 0)
    let fit
    const timing = await medianMs(() => (fit = api.fitGammaGamma(repeaters)), { samples: 1 })
    return {
      ...timing,
      detail: `${repeaters.length.toLocaleString('en-US')} repeat buyers; p = ${fmt(fit.p)}, q = ${fmt(fit.q)}, γ = ${fmt(fit.gamma)}`,
    }
  },
  scoreClv: async ({ summaries }, api) => {
    // The published CDNOW parameters (Fader, Hardie & Lee 2005), so scoring does not depend on a fit.
    const models = {
      bgNbd: { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 },
      gammaGamma: { p: 6.25, q: 3.74, gamma: 15.44 },
    }
    return medianMs(() => api.scoreClv(summaries, models, { horizon: 52, unit: 'weeks', discountRate: 0.1 }), {
      samples: quick ? 1 : 3,
    })
  },
}
const needs = {
  input: [],
  sortFloor: [],
  scoreRfm: ['scoreRfm'],
  fitBgNbd: ['fitBgNbd'],
  fitGammaGamma: ['fitGammaGamma'],
  scoreClv: ['scoreClv'],
}

const jobIndex = process.argv.indexOf('--job')
if (jobIndex !== -1) {
  const name = process.argv[jobIndex + 1]
  const api = needs[name].length > 0 ? (await loadEcrm('core', needs[name])).api : {}
  const data = name === 'input' ? undefined : makeCustomers(customerCount)
  const result = await jobs[name](data, api)
  process.stdout.write(JSON.stringify({ ...result, rssMb: peakRssMb() }))
  process.exit(0)
}

// The parent: check the subject exists, then run each job in a fresh process.
if (!existsSync(summaryPath)) {
  if (process.env.CI === 'true') throw new Error(`CI=true but ${summaryPath} is missing`)
  emit({
    id: 'rfmClv',
    title,
    skipped: `${summaryPath} is absent (the shared data folder sits beside the repository root)`,
  })
  process.exit(0)
}
let origin
try {
  origin = (await loadEcrm('core', ['scoreRfm', 'fitBgNbd', 'fitGammaGamma', 'scoreClv'])).origin
} catch (error) {
  emit({ id: 'rfmClv', title, skipped: error.message })
  process.exit(0)
}
const self = fileURLToPath(import.meta.url)
const run = (name) => {
  progress(`${name} (${customerCount.toLocaleString('en-US')} customers)`)
  const child = spawnSync(process.execPath, ['--expose-gc', '--max-old-space-size=8192', self, '--job', name], {
    encoding: 'utf8',
    timeout: 150_000,
  })
  if (child.status !== 0)
    return { error: (child.stderr || `exit ${child.status ?? child.signal}`).trim().split('\n').slice(-1)[0] }
  return JSON.parse(child.stdout)
}
const results = Object.fromEntries(Object.keys(jobs).map((name) => [name, run(name)]))
const input = results.input
const label = {
  sortFloor: 'floor: sort the 3 RFM columns (Float64Array)',
  scoreRfm: 'ecrm scoreRfm (quintiles + 10-segment map)',
  fitBgNbd: 'ecrm fitBgNbd (maximum likelihood)',
  fitGammaGamma: 'ecrm fitGammaGamma (repeat buyers)',
  scoreClv: 'ecrm scoreClv (P(alive), E[purchases], 52-week discounted CLV)',
}
const rows = Object.entries(label).map(([name, text]) => {
  const r = results[name]
  if (r.error) return [text, 'failed', '', '', r.error]
  const perSecond = ((r.count ?? customerCount) / r.ms) * 1000
  return [text, fmt(r.ms), fmt(perSecond), `${fmt(r.rssMb)} (+${fmt(r.rssMb - (input.rssMb ?? 0))})`, r.detail ?? '']
})
const rfmVsFloor = results.scoreRfm.ms && results.sortFloor.ms ? ratio(results.scoreRfm.ms, results.sortFloor.ms) : '–'
emit({
  id: 'rfmClv',
  title,
  intro:
    `${customerCount.toLocaleString('en-US')} customers: the CDNOW sample summaries resampled with whole-day jitter (bench/rfmClv.bench.mjs). ` +
    "Time is the median wall time of the whole job (RFM: 5 runs; CLV scoring: 3; each fit: 1 run, they take long); peak RSS is the job process's getrusage maximum, with the input's own share in brackets subtracted. " +
    "No JavaScript peer does BG/NBD or Gamma-Gamma (the usual reference is Python's lifetimes), so the floors are the unavoidable work and the input itself.",
  origin,
  sections: [
    {
      title: 'Time and memory',
      text: `Building the input alone takes ${fmt(input.ms)} ms and peaks at ${fmt(input.rssMb)} MB RSS (the memory floor). scoreRfm takes ${rfmVsFloor} the time of just sorting its three columns.`,
      table: { columns: ['job', 'median ms', 'customers / s', 'peak RSS MB (over the input)', 'result'], rows },
      chart: {
        title: `Seconds for ${customerCount.toLocaleString('en-US')} customers`,
        unit: 's',
        higherIsBetter: false,
        bars: Object.entries(label)
          .filter(([name]) => results[name].ms)
          .map(([name, text]) => ({
            label: text.replace(/ \(.*\)$/, ''),
            value: results[name].ms / 1000,
            kind: name === 'sortFloor' ? 'floor' : 'ecrm',
          })),
      },
    },
  ],
  notes: [
    ...(quick ? ['BENCH_QUICK: 200,000 customers instead of 1M.'] : []),
    'Fits use the defaults (built-in starting points); their parameters are printed so a fit that went astray shows. The published CDNOW values are r = 0.243, α = 4.414, a = 0.793, b = 2.426 and p = 6.25, q = 3.74, γ = 15.44; the resampled base should land close to them.',
  ],
})
