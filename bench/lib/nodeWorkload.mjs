// The workload the Node benchmarks share: bench/node.bench.mjs (ecrm beside its peers) and the
// profiling loops in bench/node/ (ecrm alone) send the same events to the same kind of sink, so a
// number from one can be read next to the other.
import { createServer } from 'node:http'
import { performance } from 'node:perf_hooks'
import { gunzipSync } from 'node:zlib'

/** The customer of the i-th event: 5,000 customers, round robin. */
export const userOf = (i) => `user-${i % 5_000}`

/** Properties of the i-th Order Completed event: a total in EUR (units, not cents) and two products. */
export const propertiesOf = (i) => ({
  order_id: `o-${i}`,
  total: 42.5 + (i % 100),
  currency: 'EUR',
  products: [
    { product_id: `sku-${i % 500}`, price: 19.99, quantity: 1 },
    { product_id: `sku-${(i * 7) % 500}`, price: 22.51, quantity: 2 },
  ],
})

/**
 * Starts a node:http sink on 127.0.0.1 that answers 200 to everything and counts the events of
 * each batch body (Segment and PostHog `batch`, gzip or not) and the requests.
 * `take()` returns the counts since the last `take()` and resets them.
 */
export function startSink() {
  let events = 0
  let requests = 0
  const server = createServer((req, res) => {
    const chunks = []
    req.on('data', (chunk) => chunks.push(chunk))
    req.on('end', () => {
      requests++
      try {
        let body = Buffer.concat(chunks)
        if (req.headers['content-encoding'] === 'gzip' || (body[0] === 0x1f && body[1] === 0x8b))
          body = gunzipSync(body)
        const parsed = JSON.parse(body.toString('utf8'))
        events += Array.isArray(parsed.batch) ? parsed.batch.length : Array.isArray(parsed) ? parsed.length : 1
      } catch {
        // Not a batch (e.g. a flags request): answer and move on.
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"success":true,"status":1}')
    })
  })
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        endpoint: `http://127.0.0.1:${server.address().port}`,
        take() {
          const taken = { events, requests }
          events = 0
          requests = 0
          return taken
        },
        close: () =>
          new Promise((done) => {
            server.closeAllConnections()
            server.close(done)
          }),
      }),
    ),
  )
}

/** `total` Order Completed events as ingest request bodies of 100 (messageIds `m-<i>`, one ms apart before `now`). */
export function ingestBodies(total, now) {
  const bodies = []
  for (let b = 0; b < total / 100; b++) {
    const batch = Array.from({ length: 100 }, (_, k) => {
      const i = b * 100 + k
      return {
        type: 'track',
        event: 'Order Completed',
        userId: userOf(i),
        properties: propertiesOf(i),
        messageId: `m-${i}`,
        timestamp: new Date(now - i).toISOString(),
      }
    })
    bodies.push(JSON.stringify({ batch, writeKey: 'bench', sentAt: new Date(now).toISOString() }))
  }
  return bodies
}

/**
 * Posts `bodies` to an ingest `handler` (fetch Request in, Response out), `inFlight` at a time
 * (default one after another). Returns the wall time, the batches not answered 2xx, and the
 * events/s over the first and the last quarter of the batches (by completion time), which show
 * whether ingest slows as the tables grow.
 */
export async function postBodies(handler, bodies, { inFlight = 1 } = {}) {
  const doneAt = []
  let failed = 0
  let next = 0
  const start = performance.now()
  const lane = async () => {
    while (next < bodies.length) {
      const body = bodies[next++]
      const response = await handler(
        new Request('http://127.0.0.1/v1/batch', { method: 'POST', body, headers: { 'content-type': 'text/plain' } }),
      )
      doneAt.push(performance.now())
      if (response.status >= 300) failed++
    }
  }
  await Promise.all(Array.from({ length: inFlight }, lane))
  const ms = performance.now() - start
  const quarter = Math.max(1, Math.floor(doneAt.length / 4))
  const rateOf = (from, to, batches) => (batches * 100 * 1000) / Math.max(to - from, 0.001)
  return {
    ms,
    failed,
    firstRate: rateOf(start, doneAt[quarter - 1], quarter),
    lastRate: rateOf(doneAt[doneAt.length - 1 - quarter] ?? start, doneAt[doneAt.length - 1], quarter),
  }
}
