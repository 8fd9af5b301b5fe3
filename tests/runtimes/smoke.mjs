// Runs the built packages, as users install them, on whichever runtime executes this file (Node, Bun
// or Deno): the ingest handler and the read API on one port, served by the runtime's own server
// (node:http through toNodeListener, Bun.serve, Deno.serve) and answering real Requests; a PGlite
// store behind them; the server client with a file queue sending to it; the store's refresh (core's
// RFM, lead score, BG/NBD + Gamma-Gamma CLV fit) read back through GET /v1/profiles/:id; and
// applyLogic called once. Exits non-zero with the reason on any difference. The last line is a
// fingerprint of the numbers core computed, which scripts/test-runtimes.sh compares across runtimes.
import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { applyLogic, hashFnv, scoreRfm } from '@ecrm/core'
import {
  createIngestHandler,
  createNodeClient,
  createPgliteStore,
  createReadApiHandler,
  isReadApiPath,
} from '@ecrm/node'
// mulberry32 (integer steps only), so Bun's JavaScriptCore and V8 draw the same numbers.
import { createRandom } from '../../bench/data/crmRules.mjs'
import { serveFetch } from './serveFetch.mjs'

const DAY = 86_400_000
const SECRET = 'sk_runtime_0123456789'
// Midnight UTC: the CLV history counts whole purchase days up to `now`, so an instant within the day
// would make each runtime's figures depend on the second it ran, and the fingerprints could differ.
const now = Math.floor(Date.now() / DAY) * DAY
const runtime = globalThis.Bun
  ? `Bun ${globalThis.Bun.version}`
  : globalThis.Deno
    ? `Deno ${globalThis.Deno.version.deno}`
    : `Node ${process.versions.node}`

const dir = await mkdtemp(join(tmpdir(), 'ecrm-runtime-'))
// In memory: the data directory would only add PGlite's disk start-up to every runtime's run.
let store
try {
  store = await createPgliteStore('memory://')
} catch (error) {
  console.error(`runtime smoke test FAILED on ${runtime}: PGlite did not open (${error?.message ?? error})`)
  process.exit(1)
}
const ingest = createIngestHandler({ store, writeKeys: ['wk'] })
const api = createReadApiHandler({ store, secretKeys: [SECRET], writeKeys: ['wk'] })
const server = await serveFetch((request, info) =>
  isReadApiPath(new URL(request.url).pathname) ? api(request) : ingest(request, info),
)

try {
  // 80 buyers from a seeded integer generator (mulberry32: the same draws on every engine): some
  // buy on until today, some stop, so the refresh has the spread of repeat buyers a CLV fit needs.
  const random = createRandom(7)
  const client = createNodeClient({ writeKey: 'wk', endpoint: server.url, queueDir: join(dir, 'queue') })
  let sent = 0
  const orderCounts = new Map()
  for (let buyer = 0; buyer < 80; buyer += 1) {
    const userId = `u-${buyer}`
    const ageDays = 30 + Math.floor(random() * 330)
    const meanGapDays = 5 + Math.floor(random() ** 2 * 120)
    const dropout = random() ** 3
    const spendLevel = 15 + Math.floor(random() * random() * 150)
    const firstAt = now - ageDays * DAY
    client.identify({ userId, traits: { email: `buyer${buyer}@shop.example` }, timestamp: new Date(firstAt) })
    sent += 1
    for (let order = 0, day = 0; day < ageDays; order += 1) {
      client.track({
        userId,
        event: 'Order Completed',
        timestamp: new Date(firstAt + day * DAY),
        properties: {
          order_id: `o-${buyer}-${order}`,
          total: Math.max(1, Math.round(spendLevel * (0.1 + 1.8 * random()))),
          currency: 'EUR',
        },
      })
      sent += 1
      orderCounts.set(userId, order + 1)
      if (random() < dropout) break
      day += 1 + Math.floor(meanGapDays * 2 * random())
    }
  }
  await client.close()

  const [{ count }] = await store.query('select count(*)::int as count from ecrm_events')
  assert.equal(Number(count), sent, 'every event stored once')
  const refreshed = await store.refresh({ now })
  assert.equal(refreshed.clvFitted, true, `the CLV model fitted (${JSON.stringify(refreshed)})`)

  // The first buyer with three orders or more: a repeat buyer, so P(alive) and the CLV say something.
  const [probe, probeOrders] = [...orderCounts].find(([, orders]) => orders >= 3)
  const refused = await fetch(`${server.url}/v1/profiles/${probe}`, { headers: { authorization: 'Bearer wk' } })
  assert.equal(refused.status, 401, 'the read API refuses a write key')
  const response = await fetch(`${server.url}/v1/profiles/${probe}`, {
    headers: { authorization: `Bearer ${SECRET}` },
  })
  const body = await response.text()
  assert.equal(response.status, 200, `GET /v1/profiles/${probe} answered ${response.status}: ${body}`)
  const { profile } = JSON.parse(body)
  assert.equal(profile.money.orderCount, probeOrders, `the profile counts every order of ${probe}`)
  assert.ok(profile.rfm?.segment, 'the profile has an RFM segment')
  assert.ok(profile.lead && Number.isFinite(profile.lead.score), 'the profile has a lead score')
  assert.ok(profile.clv && profile.clv.value > 0, 'the profile has a CLV')

  assert.equal(applyLogic({ '>': [{ var: 'orders' }, 2] }, { orders: 3 }), true)
  assert.equal(hashFnv('', 'a', 1), 0.22)
  const rfm = scoreRfm([{ id: 'u-1', lastOrderAt: now, orderCount: 50, monetary: 1725 }], { now })
  assert.ok(rfm.get('u-1'), 'RFM scored')

  const round = (value) => (typeof value === 'number' ? Number(value.toPrecision(5)) : value)
  const fingerprint = {
    rfm: profile.rfm.segment,
    lead: [profile.lead.score, profile.lead.grade].map(round),
    clv: [profile.clv.pAlive, profile.clv.expectedPurchases, profile.clv.value].map(round),
  }
  console.log(`runtime smoke test passed on ${runtime} (PGlite store, ${server.kind})`)
  console.log(`fingerprint ${JSON.stringify(fingerprint)}`)
} catch (error) {
  console.error(`runtime smoke test FAILED on ${runtime}: ${error?.stack ?? error}`)
  process.exitCode = 1
} finally {
  await server.close()
  await store.close()
  await rm(dir, { recursive: true, force: true })
}
