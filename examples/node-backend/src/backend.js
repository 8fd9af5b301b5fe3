import { mkdir } from 'node:fs/promises'
import { createServer } from 'node:http'
import { join } from 'node:path'
import { createIngestHandler, createNodeClient, createPgliteStore, createRuleRunner, toNodeListener } from '@ecrm/node'
import { createEmailOutbox } from './emailOutbox.js'
import { parseOrder, trackOrder } from './orders.js'
import { productionWindows, shopRules } from './rules.js'

/**
 * @typedef {object} BackendOptions
 * @property {number} [port] 0 picks a free port. Default 8080.
 * @property {string} [host] Default '127.0.0.1' (only this machine).
 * @property {string} [dataDir] PGlite data folder; undefined keeps the database in memory.
 * @property {string} [queueDir] The server client's durable queue; undefined keeps it in memory.
 * @property {string} [emailLog] The "sent emails" file (JSON lines). Default `<dataDir>/emails.log`, or `./emails.log`.
 * @property {string} [writeKey] The write key browsers and this server send with. Default 'dev_write_key'.
 * @property {Partial<import('./rules.js').RuleWindows>} [windows] Rule windows in ms. Default 1 h and 60 days.
 * @property {number} [flushIntervalMs] How long the server client holds an event before sending, ms. Default 1000.
 * @property {(line: string) => void} [log] Default console.log.
 */

/**
 * Starts the shop backend: one node:http server with
 * - `POST /v1/batch` (and the other Segment routes): the ecrm ingest handler, storing in PGlite;
 * - `POST /orders`: the shop's own order endpoint, tracking "Order Completed" with the server client;
 * - `GET /emails`: the emails the rules "sent"; `GET /customers/<id>`: a customer's profile.
 * Rules run on every stored event and send their emails to a log file.
 *
 * @param {BackendOptions} [options]
 */
export async function startBackend(options = {}) {
  const { host = '127.0.0.1', writeKey = 'dev_write_key', log = (line) => console.log(line) } = options
  const windows = { ...productionWindows, ...options.windows }
  // PGlite creates its folder but not the folders above it.
  if (options.dataDir !== undefined) await mkdir(options.dataDir, { recursive: true })
  const store = await createPgliteStore(options.dataDir)

  /** @type {((req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => void) | undefined} */
  let route
  const server = createServer((req, res) => {
    if (route !== undefined) return route(req, res)
    res.writeHead(503, { 'retry-after': '1' }).end() // still starting (a few ms)
  })
  await new Promise((resolve) => server.listen(options.port ?? 8080, host, () => resolve(undefined)))
  const address = /** @type {import('node:net').AddressInfo} */ (server.address())
  const url = `http://${host}:${address.port}`

  // The shop backend's own events (orders) go through the same collector as the
  // browsers', over HTTP: in production the endpoint is your collector's URL.
  const client = createNodeClient({
    writeKey,
    endpoint: url,
    batch: { flushIntervalMs: options.flushIntervalMs ?? 1_000 },
    ...(options.queueDir === undefined ? {} : { queueDir: options.queueDir }),
    onError: (error) => log(`ecrm client: ${error.message}`),
  })
  const outbox = createEmailOutbox({ file: options.emailLog ?? join(options.dataDir ?? '.', 'emails.log'), log })
  // @ecrm/node's rule runner: its state and timers live in the store (a restart re-arms them),
  // and it keys customers by the store's customer id, so an anonymous cart and a signed-in order
  // are one customer and the order cancels the reminder.
  const runner = createRuleRunner({
    store,
    rules: shopRules(windows),
    customerKey: 'profile',
    logger: { debug: () => {}, warn: log, error: (message, detail) => log(`${message} ${String(detail ?? '')}`) },
    async onFire(firing) {
      // Read the profile when the timer fires: an email address given after the cart was filled is used.
      const profile = await store.getProfile(firing.customerId)
      if (profile === undefined) return // erased since the timer was armed
      const template = String(firing.event.properties['template'])
      const to =
        typeof profile.traits['email'] === 'string' ? profile.traits['email'] : (profile.identities.emails[0] ?? null)
      const data = {
        trigger: firing.event.properties['trigger_event'] ?? null,
        ...asRecord(firing.event.properties['trigger_properties']),
      }
      // The runner records the firing in ecrm_firings (not as the customer's event) and marks it
      // delivered when this returns; a throw gets it here again, with the same firing.id.
      await outbox.send({ to, template, ruleId: firing.ruleId, customerId: profile.id, data })
    },
  })
  await runner.start() // timers of the previous run: due ones fire now
  const ingest = toNodeListener(
    createIngestHandler({
      store,
      writeKeys: [writeKey],
      // Runs after the batch is stored, on the events new to the store (a retry feeds nobody).
      onEvents: runner.processEvents,
      onError: (error) => log(`ingest: storing or running the rules failed: ${String(error)}`),
    }),
  )

  route = (req, res) => {
    const path = new URL(req.url ?? '/', url).pathname
    if (path.startsWith('/v1/')) return ingest(req, res)
    void handleShopRoute(req, res, path).catch((error) => sendJson(res, 500, { error: String(error) }))
  }

  /**
   * @param {import('node:http').IncomingMessage} req
   * @param {import('node:http').ServerResponse} res
   * @param {string} path
   */
  async function handleShopRoute(req, res, path) {
    // The React example calls /orders from another origin (its dev server).
    res.setHeader('access-control-allow-origin', '*')
    if (req.method === 'OPTIONS') {
      res
        .writeHead(204, { 'access-control-allow-methods': 'GET, POST', 'access-control-allow-headers': 'content-type' })
        .end()
      return
    }
    if (req.method === 'POST' && path === '/orders') {
      const parsed = parseOrder(await readJson(req))
      if (!parsed.ok) return sendJson(res, 400, { error: `Invalid order: ${parsed.message}` })
      return sendJson(res, 202, trackOrder(client, parsed))
    }
    if (req.method === 'GET' && path === '/emails') return sendJson(res, 200, await outbox.read())
    const customer = /^\/customers\/([^/]+)$/.exec(path)
    if (req.method === 'GET' && customer !== null) {
      const profile = await store.getProfile(decodeURIComponent(customer[1] ?? ''))
      return profile === undefined ? sendJson(res, 404, { error: 'No such customer' }) : sendJson(res, 200, profile)
    }
    if (req.method === 'GET' && path === '/') {
      res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' })
      res.end(
        `ecrm example shop backend\n\nPOST ${url}/v1/batch      ecrm collector (write key ${writeKey})\nPOST ${url}/orders        place an order\nGET  ${url}/emails        emails the rules sent\nGET  ${url}/customers/ID  a customer's profile\n`,
      )
      return
    }
    sendJson(res, 404, { error: `No route ${req.method} ${path}` })
  }

  let closing
  return {
    url,
    writeKey,
    store,
    client,
    outbox,
    runner,
    /** Stops the rules' timers, delivers the client's queue, then closes the server and the store. */
    close() {
      closing ??= (async () => {
        runner.stop()
        await client.close() // sends to our own collector: the server is still up
        server.closeIdleConnections()
        await new Promise((resolve) => server.close(() => resolve(undefined)))
        await store.close()
      })()
      return closing
    },
  }
}

/** @param {unknown} value @returns {Record<string, unknown>} */
const asRecord = (value) =>
  typeof value === 'object' && value !== null && !Array.isArray(value)
    ? /** @type {Record<string, unknown>} */ (value)
    : {}

/** Reads a JSON body of at most 64 KB; undefined when it is not JSON. @param {import('node:http').IncomingMessage} req */
async function readJson(req) {
  let text = ''
  for await (const chunk of req) {
    text += chunk
    if (text.length > 65_536) return undefined
  }
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

/** @param {import('node:http').ServerResponse} res @param {number} status @param {unknown} body */
function sendJson(res, status, body) {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(body))
}
