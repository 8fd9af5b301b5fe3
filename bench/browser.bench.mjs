// Browser, in real Chromium: main-thread cost of track() and the time to persist and deliver
// 10,000 events, for ecrm's script tag beside Segment's analytics.js and PostHog's array.js. Each
// SDK gets a fresh page and profile (so IndexedDB and localStorage start empty) on the same local
// node:http server, which plays CDN and collector and counts the events it receives.
import { existsSync, readFileSync } from 'node:fs'
import { createServer } from 'node:http'
import { join } from 'node:path'
import { gunzipSync } from 'node:zlib'
import { fmt, median, quick, ratio } from './lib/measure.mjs'
import { peersDir, repoRoot } from './lib/paths.mjs'
import { emit, progress } from './lib/result.mjs'
import { CHROMIUM_PATH, launchBrowser } from '../examples/shoppers/visits.mjs'

const title = 'Browser SDKs in Chromium'
const eventCount = quick ? 2_000 : 10_000
const ecrmBundle = join(repoRoot, 'packages/browser/dist/ecrm.min.js')
const files = {
  '/static/ecrm.min.js': ecrmBundle,
  '/static/segment.js': join(peersDir, '@segment/analytics-next/dist/umd/standalone.js'),
  '/static/posthog.js': join(peersDir, 'posthog-js/dist/array.js'),
}
if (!existsSync(CHROMIUM_PATH)) {
  if (process.env.CI === 'true') throw new Error(`CI=true but Chromium is missing at ${CHROMIUM_PATH}`)
  emit({
    id: 'browser',
    title,
    skipped: `Chromium not found at ${CHROMIUM_PATH} (apt-get install chromium, or set CHROMIUM_PATH)`,
  })
  process.exit(0)
}
if (!existsSync(ecrmBundle)) {
  emit({ id: 'browser', title, skipped: 'packages/browser/dist/ecrm.min.js is missing (npx rollup -c)' })
  process.exit(0)
}

// Each page defines window.benchTrack(i), the one call being measured, once its SDK is ready.
const properties = `{ product_id: 'sku-' + (i % 500), name: 'Trail shoe', price: 89.9, currency: 'EUR', category: 'shoes', seq: i }`
const pages = {
  floor: {
    label: 'floor: JSON.stringify + fetch batches of 100',
    kind: 'floor',
    persists: 'nothing',
    html: `<script>
      let batch = []
      window.benchTrack = (i, event = 'Product Viewed') => {
        batch.push(JSON.stringify({ type: 'track', event, properties: ${properties}, messageId: crypto.randomUUID(), timestamp: new Date().toISOString() }))
        if (batch.length === 100) { fetch('/v1/batch', { method: 'POST', body: '{"batch":[' + batch.join(',') + ']}' }); batch = [] }
      }
      window.benchReady = Promise.resolve()
    </script>`,
  },
  ecrm: {
    label: 'ecrm script tag',
    kind: 'ecrm',
    persists: 'IndexedDB (write-ahead)',
    html: `<script>window.ecrm = { q: [] }</script>
      <script src="/static/ecrm.min.js"></script>
      <script>
        // The queue cap is raised above the burst (default 10,000 events) so nothing is bounded away.
        ecrm.load('bench', { endpoint: location.origin, limits: { maxEvents: 50000, maxBytes: 50000000 } })
        window.benchTrack = (i, event = 'Product Viewed') => ecrm.track(event, ${properties})
        window.benchReady = Promise.resolve()
      </script>`,
  },
  segment: {
    label: '@segment/analytics-next (analytics.js)',
    kind: 'peer',
    persists: 'localStorage (retry queue)',
    html: `<script>
        window.analytics = []; window.analytics._writeKey = 'bench'; window.analytics._cdn = location.origin
        window.analytics.push(['load', 'bench', { cdnURL: location.origin }])
      </script>
      <script src="/static/segment.js"></script>
      <script>
        window.benchReady = new Promise((resolve) => { const wait = () => (window.analytics && window.analytics.initialized ? resolve() : setTimeout(wait, 20)); wait() })
        window.benchTrack = (i, event = 'Product Viewed') => { window.analytics.track(event, ${properties}) }
      </script>`,
  },
  posthog: {
    label: 'posthog-js (array.js)',
    kind: 'peer',
    persists: 'memory (sendBeacon at unload)',
    html: `<script src="/static/posthog.js"></script>
      <script>
        posthog.init('bench', { api_host: location.origin, autocapture: false, capture_pageview: false, capture_pageleave: false, disable_session_recording: true, advanced_disable_decide: true, disable_surveys: true,
          // Headless Chromium looks like a bot to PostHog, and its client rate limit (10 events/s) would drop the burst.
          opt_out_useragent_filter: true, rate_limiting: { events_per_second: 1e6, events_burst_limit: 1e6 } })
        window.benchReady = Promise.resolve()
        window.benchTrack = (i, event = 'Product Viewed') => { posthog.capture(event, ${properties}) }
      </script>`,
  },
}

/** Distinct `seq` values of 'Delivery Run' events received, and how many arrived more than once. */
const seen = new Set()
let duplicates = 0
const received = () => seen.size
const server = createServer((req, res) => {
  const url = new URL(req.url, 'http://127.0.0.1')
  const file = files[url.pathname]
  if (req.method === 'GET' && file) {
    if (!existsSync(file)) return res.writeHead(404).end()
    return res.writeHead(200, { 'content-type': 'text/javascript' }).end(readFileSync(file))
  }
  const page = pages[url.pathname.slice(1)]
  if (req.method === 'GET' && page)
    return res
      .writeHead(200, { 'content-type': 'text/html' })
      .end(`<!doctype html><html><head><meta charset="utf-8"></head><body>${page.html}</body></html>`)
  if (url.pathname === '/v1/projects/bench/settings') {
    const apiHost = `${req.headers.host}/v1`
    return res
      .writeHead(200, { 'content-type': 'application/json' })
      .end(
        JSON.stringify({ integrations: { 'Segment.io': { apiKey: 'bench', apiHost, protocol: 'http' } }, plugins: [] }),
      )
  }
  const chunks = []
  req.on('data', (chunk) => chunks.push(chunk))
  req.on('end', () => {
    let body = Buffer.concat(chunks)
    try {
      if (body[0] === 0x1f && body[1] === 0x8b) body = gunzipSync(body)
      let text = body.toString('utf8')
      if (text.startsWith('data=')) text = Buffer.from(decodeURIComponent(text.slice(5)), 'base64').toString('utf8')
      const parsed = JSON.parse(text)
      // Count only the measured event: page views, identifies and metrics some SDKs add do not count.
      const items = Array.isArray(parsed) ? parsed : Array.isArray(parsed.batch) ? parsed.batch : [parsed]
      for (const item of items) {
        if (item?.event !== 'Delivery Run') continue
        const seq = item.properties?.seq
        if (seen.has(seq)) duplicates++
        else seen.add(seq)
      }
    } catch {
      // Not an event body.
    }
    res.writeHead(200, { 'content-type': 'application/json', 'access-control-allow-origin': '*' }).end('{"status":1}')
  })
})
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
const origin = `http://127.0.0.1:${server.address().port}`

const browser = await launchBrowser()
const version = browser.version()
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

/** One SDK: per-call time over batches of 200 calls, then eventCount events until all are delivered. */
async function measure(name) {
  const context = await browser.newContext()
  const page = await context.newPage()
  const errors = []
  page.on('pageerror', (error) => errors.push(error.message))
  await page.goto(`${origin}/${name}`)
  await page.evaluate(() => window.benchReady)
  await sleep(300)
  // 1. Synchronous cost of a call, after a warm-up: median of 7 batches of 200 calls.
  const perCallUs = await page.evaluate(async () => {
    for (let i = 0; i < 200; i++) window.benchTrack(i)
    const samples = []
    for (let s = 0; s < 7; s++) {
      await new Promise((resolve) => setTimeout(resolve, 20))
      const start = performance.now()
      for (let i = 0; i < 200; i++) window.benchTrack(i)
      samples.push(((performance.now() - start) / 200) * 1000)
    }
    samples.sort((a, b) => a - b)
    return samples[3]
  })
  // Warm-up events have another name, so the count below starts from zero whatever is still in flight.
  seen.clear()
  duplicates = 0
  // 2. eventCount events in bursts of 500 (a busy SPA), until the collector has them all.
  const cdp = await context.newCDPSession(page)
  await cdp.send('Performance.enable')
  const taskMs = async () =>
    (await cdp.send('Performance.getMetrics')).metrics.find((m) => m.name === 'TaskDuration').value * 1000
  const taskBefore = await taskMs()
  const start = Date.now()
  await page.evaluate(async (count) => {
    for (let i = 0; i < count; i++) {
      window.benchTrack(i, 'Delivery Run')
      if (i % 500 === 499) await new Promise((resolve) => setTimeout(resolve, 0))
    }
  }, eventCount)
  const callsDoneMs = Date.now() - start
  const deadline = start + 120_000
  while (received() < eventCount && Date.now() < deadline) await sleep(50)
  const deliverMs = Date.now() - start
  const taskAfter = await taskMs()
  const delivered = received()
  await context.close()
  return {
    perCallUs,
    callsDoneMs,
    deliverMs,
    delivered,
    duplicates,
    mainThreadUsPerEvent: ((taskAfter - taskBefore) / eventCount) * 1000,
    errors,
  }
}

const rows = []
const callBars = []
const deliverBars = []
const notes = []
const results = {}
for (const [name, page] of Object.entries(pages)) {
  const needs = Object.entries(files).find(([path]) => page.html.includes(path))
  if (needs && !existsSync(needs[1])) {
    notes.push(`${page.label}: skipped, ${needs[1]} is missing (npm --prefix bench ci).`)
    continue
  }
  const runs = []
  // One delivery run each: 10,000 events take a slow SDK over a minute, and the whole run has a 10-minute budget.
  for (let r = 0; r < 1; r++) {
    progress(`${page.label}, run ${r + 1}`)
    runs.push(await measure(name))
  }
  const pick = (key) => median(runs.map((run) => run[key]))
  const result = {
    perCallUs: pick('perCallUs'),
    mainUs: pick('mainThreadUsPerEvent'),
    deliverMs: pick('deliverMs'),
    delivered: Math.min(...runs.map((run) => run.delivered)),
    duplicates: Math.max(...runs.map((run) => run.duplicates)),
  }
  results[name] = result
  const errors = [...new Set(runs.flatMap((run) => run.errors))]
  if (errors.length > 0) notes.push(`${page.label}: page errors: ${errors.slice(0, 3).join('; ')}`)
  const complete = result.delivered >= eventCount
  rows.push([
    page.label,
    fmt(result.perCallUs),
    fmt(result.mainUs),
    complete ? fmt(result.deliverMs) : `> ${fmt(result.deliverMs)}`,
    `${result.delivered.toLocaleString('en-US')} / ${eventCount.toLocaleString('en-US')}${result.duplicates > 0 ? ` (+${result.duplicates} duplicates)` : ''}`,
    page.persists,
  ])
  callBars.push({ label: page.label.replace(/ \(.*\)$/, ''), value: result.mainUs, kind: page.kind })
  if (complete)
    deliverBars.push({ label: page.label.replace(/ \(.*\)$/, ''), value: result.deliverMs / 1000, kind: page.kind })
}
for (const row of rows) {
  const name = Object.keys(pages).find((key) => pages[key].label === row[0])
  row.splice(
    4,
    0,
    results.ecrm && results[name]?.delivered >= eventCount
      ? ratio(results[name].deliverMs, results.ecrm.deliverMs)
      : '–',
  )
}
await browser.close()
server.close()
emit({
  id: 'browser',
  title,
  origin: 'dist (packages/browser/dist/ecrm.min.js, the script-tag bundle)',
  intro:
    `Chromium ${version} (playwright-core, --headless --no-sandbox --disable-gpu --disable-background-networking), one fresh page and profile per SDK, one run each (the per-call figure is itself a median of 7 samples). ` +
    'Each SDK is loaded the way a storefront loads it (a script tag) from a local node:http server that also plays the collector. Lower is better.',
  sections: [
    {
      title: `track() cost and ${eventCount.toLocaleString('en-US')} events delivered`,
      text:
        '"µs in track()" is the synchronous time of one call (median of 7 batches of 200, after a warm-up). "main-thread µs / event" is Chromium\'s own TaskDuration metric (CDP Performance.getMetrics) over the whole ' +
        `${eventCount.toLocaleString('en-US')}-event run divided by the events: it includes the work an SDK defers (serialising, IndexedDB writes, requests). ` +
        '"ms to deliver" runs from the first call until the collector has counted every event (calls in bursts of 500). The floor stringifies each event and POSTs batches of 100 with fetch, persisting nothing.',
      table: {
        columns: [
          'SDK',
          'µs in track()',
          'main-thread µs / event',
          'ms to deliver all',
          'time vs ecrm',
          'delivered',
          'persists to',
        ],
        rows,
      },
      chart: {
        title: 'Main-thread time per event (µs, Chromium TaskDuration)',
        unit: 'µs',
        higherIsBetter: false,
        bars: callBars,
      },
    },
    {
      title: `Time to persist and deliver ${eventCount.toLocaleString('en-US')} events`,
      text: 'The same runs, charted: seconds until the collector has every event. An SDK that did not deliver everything within 120 s is left out of the chart (see the table).',
      chart: {
        title: `Seconds to deliver ${eventCount.toLocaleString('en-US')} events`,
        unit: 's',
        higherIsBetter: false,
        bars: deliverBars,
      },
    },
  ],
  notes,
})
