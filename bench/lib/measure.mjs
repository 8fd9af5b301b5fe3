// Timing helpers: medians over repeated samples, each sample long enough (≈ targetMs) that the
// timer's resolution and one-off JIT or GC pauses stay small against it.
import { performance } from 'node:perf_hooks'

/** True when BENCH_QUICK=1: fewer, shorter samples, for trying the scripts out (noisier numbers). */
export const quick = process.env.BENCH_QUICK === '1'

/** The median of numbers (mean of the middle two for an even count). */
export function median(values) {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}

/** Relative spread of samples: (max − min) / median, a crude but honest noise figure. */
export function spread(values) {
  const m = median(values)
  return m === 0 ? 0 : (Math.max(...values) - Math.min(...values)) / m
}

/**
 * Measures how many times per second `run(i)` completes: calibrates a batch size so one sample
 * lasts about `targetMs`, then returns the median rate over `samples` samples and its spread.
 * `run` should return something so the work cannot be optimised away; results are folded into a sink.
 */
export function opsPerSecond(run, { samples = quick ? 3 : 7, targetMs = quick ? 40 : 150 } = {}) {
  let sink = 0
  const time = (count) => {
    const start = performance.now()
    for (let i = 0; i < count; i++) sink ^= run(i) ? 1 : 0
    return performance.now() - start
  }
  let batch = 1
  for (let elapsed = time(batch); elapsed < targetMs / 4; elapsed = time(batch)) batch *= 2
  batch = Math.max(1, Math.round((batch * targetMs) / Math.max(time(batch), 0.001)))
  const rates = []
  for (let s = 0; s < samples; s++) rates.push(batch / (time(batch) / 1000))
  globalThis.__benchSink = sink
  return { opsPerSec: median(rates), spread: spread(rates), samples }
}

/** Runs an (async) function `samples` times and returns the median wall time in ms and its spread. */
export async function medianMs(run, { samples = quick ? 2 : 5 } = {}) {
  const times = []
  for (let s = 0; s < samples; s++) {
    globalThis.gc?.()
    const start = performance.now()
    await run(s)
    times.push(performance.now() - start)
  }
  return { ms: median(times), spread: spread(times), samples }
}

/** Peak resident set size of this process so far, in MB (getrusage maxrss). */
export function peakRssMb() {
  return process.resourceUsage().maxRSS / 1024
}

/** Formats a number with a sensible number of digits and thousands separators. */
export function fmt(value, digits = 3) {
  if (value === null || value === undefined || Number.isNaN(value)) return '–'
  if (Math.abs(value) >= 100) return Math.round(value).toLocaleString('en-US')
  return Number(value.toPrecision(digits)).toLocaleString('en-US', { maximumFractionDigits: 6 })
}

/** `a / b` as "1.23×" (how many times `a` is `b`). */
export function ratio(a, b) {
  if (!Number.isFinite(a) || !Number.isFinite(b) || b === 0) return '–'
  return `${fmt(a / b)}×`
}

/** Like {@link opsPerSecond} for an async `run(i)`: awaited one after another. */
export async function asyncOpsPerSecond(run, { samples = quick ? 3 : 5, targetMs = quick ? 60 : 200 } = {}) {
  const time = async (count) => {
    const start = performance.now()
    for (let i = 0; i < count; i++) await run(i)
    return performance.now() - start
  }
  let batch = 1
  for (let elapsed = await time(batch); elapsed < targetMs / 4; elapsed = await time(batch)) batch *= 2
  batch = Math.max(1, Math.round((batch * targetMs) / Math.max(await time(batch), 0.001)))
  const rates = []
  for (let s = 0; s < samples; s++) rates.push(batch / ((await time(batch)) / 1000))
  return { opsPerSec: median(rates), spread: spread(rates), samples }
}

/** Formats a spread as a percentage. */
export function pct(value) {
  return `${Math.round(value * 100)} %`
}
