import { createServer } from 'node:http'
import type { IncomingMessage, Server, ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createIngestHandler, createPgliteStore, createRuleRunner, toNodeListener } from '@ecrm/node'
import type { Store } from '@ecrm/node'
import { computeDashboard } from './dashboardData.js'
import type { DashboardData } from './dashboardData.js'
import { renderDashboardBody, renderDashboardPage } from './dashboardPage.js'
import { cartRules, customerRules } from './demoRules.js'
import { DEMO_WRITE_KEY, serveStorefront, warmStorefront } from './storefrontSite.js'

/** Options of {@link startDemo}. */
export interface DemoOptions {
  /** Port to listen on; when taken, the next free one (up to +20) is used. 0 picks any free port. @default 8787 */
  readonly port?: number
  /** @default '127.0.0.1' */
  readonly host?: string
  /** The PGlite data folder (created if missing, reused by the next start). Undefined: in memory. */
  readonly dataDir?: string
  /** The cart-abandonment window, ms (1 h in production). @default 20_000 */
  readonly abandonMs?: number
  /** The win-back window, ms: an order, then no other order this long. @default 120_000 */
  readonly winBackMs?: number
  /** Real ms that count as one day for the CLV models. @default 60_000 (a demo minute is a day) */
  readonly clvDayMs?: number
  /** Where start-up, firings and failures are told. @default console.log */
  readonly log?: (line: string) => void
}

/** A running demo. */
export interface Demo {
  /** `http://127.0.0.1:<port>`: the shop. */
  readonly url: string
  readonly dashboardUrl: string
  /** The collector's batch endpoint (`<url>/v1/batch`). */
  readonly collectorUrl: string
  readonly port: number
  /** The event store. */
  readonly store: Store
  /** The dashboard's numbers, as `/dashboard.json` serves them. */
  readonly dashboard: () => Promise<DashboardData>
  /** Closes the server (connections included), stops the rule timers, closes the store. Idempotent. */
  readonly close: () => Promise<void>
}

/**
 * Starts the demo in one `node:http` server: the ingest handler at `/v1/*` on the embedded PGlite
 * store, the storefront with the real loader snippet, and `/dashboard` (+ `/dashboard.json`)
 * computed from the store, with @ecrm/node's rule runner fed by every newly stored event.
 *
 * @example
 * const demo = await startDemo({ port: 0, dataDir: '/tmp/ecrm-demo', abandonMs: 5_000 })
 * console.log(demo.url, demo.dashboardUrl)
 * await demo.close()
 */
export async function startDemo(options: DemoOptions = {}): Promise<Demo> {
  const { port = 8787, host = '127.0.0.1', abandonMs = 20_000, winBackMs = 120_000, clvDayMs = 60_000 } = options
  const log = options.log ?? ((line: string) => console.log(line))
  await warmStorefront()
  const store = await createPgliteStore(options.dataDir)
  const windows = { abandonMs, winBackMs }
  const cart = cartRules(windows)
  // @ecrm/node's runner: state and timers in the store's ecrm_rule_state, firings tracked into the
  // store (the dashboard lists them). The cart follows the browser (see cartRules).
  const rules = createRuleRunner({
    store,
    rules: [...cart, ...customerRules(windows)],
    customerKey: Object.fromEntries(cart.map((rule) => [rule.id, 'anonymousId' as const])),
    onFire: (firing) => log(`rule ${firing.ruleId} fired for ${firing.customerId} → ${firing.event.event}`),
    logger: { debug: () => undefined, warn: (message) => log(message), error: (message, error) => log(`${message}: ${String(error)}`) },
  })
  const ingest = toNodeListener(
    createIngestHandler({
      store,
      writeKeys: [DEMO_WRITE_KEY],
      // After the commit, only events new to the store (a retried batch feeds nobody).
      onEvents: rules.processEvents,
      onError: (error) => log(`ingest: storing or running the rules failed: ${String(error)}`),
    }),
  )
  const dashboard = async (): Promise<DashboardData> => computeDashboard(store, { now: Date.now(), clvDayMs, pending: await rules.pending() })
  // Ingest derives the customers each batch touched; the full refresh recuts RFM and refits CLV on
  // the whole base now and then, as `ecrm serve` does on its schedule.
  let refreshing: Promise<unknown> = Promise.resolve()
  const refresher = setInterval(() => {
    refreshing = refreshing.then(() => store.refresh()).catch((error: unknown) => log(`demo: refreshing profiles failed: ${String(error)}`))
  }, 60_000)
  refresher.unref()

  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://demo.local')
    if (url.pathname.startsWith('/v1/')) {
      ingest(request, response)
      return
    }
    respond(request, response, url, dashboard).catch((error: unknown) => {
      log(`demo: ${url.pathname} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`)
      if (!response.headersSent) response.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' })
      response.end(`The demo failed on ${url.pathname}: ${String(error)}`)
    })
  })
  const bound = await listen(server, port, host)
  await rules.start()
  const url = `http://${host}:${bound}`
  let closing: Promise<void> | undefined
  return {
    url,
    dashboardUrl: `${url}/dashboard`,
    collectorUrl: `${url}/v1/batch`,
    port: bound,
    store,
    dashboard,
    close: () =>
      (closing ??= (async () => {
        rules.stop()
        clearInterval(refresher)
        await new Promise<void>((resolve) => {
          server.close(() => resolve())
          server.closeAllConnections()
        })
        await refreshing
        await store.close()
      })()),
  }
}

async function respond(request: IncomingMessage, response: ServerResponse, url: URL, dashboard: () => Promise<DashboardData>): Promise<void> {
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    response.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' }).end('Only GET here (events go to /v1/batch)')
    return
  }
  if (url.pathname === '/dashboard' || url.pathname === '/dashboard/') {
    send(response, 200, 'text/html; charset=utf-8', renderDashboardPage(await dashboard()))
    return
  }
  if (url.pathname === '/dashboard.json') {
    const data = await dashboard()
    const body = url.searchParams.get('html') === '1' ? { ...data, html: renderDashboardBody(data) } : data
    send(response, 200, 'application/json; charset=utf-8', JSON.stringify(body))
    return
  }
  const answer = await serveStorefront(url.pathname)
  send(response, answer.status, answer.type, answer.body)
}

function send(response: ServerResponse, status: number, type: string, body: string | Buffer): void {
  response.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' })
  response.end(body)
}

/** Listens on `port`, or the next free port when it is taken (up to 20 tries); 0 picks any. */
async function listen(server: Server, port: number, host: string): Promise<number> {
  for (let candidate = port; ; candidate += 1) {
    try {
      await new Promise<void>((resolve, reject) => {
        const fail = (error: Error): void => reject(error)
        server.once('error', fail)
        server.listen(candidate, host, () => {
          server.off('error', fail)
          resolve()
        })
      })
      return (server.address() as AddressInfo).port
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code
      if (port === 0 || code !== 'EADDRINUSE' || candidate >= port + 20) throw error
    }
  }
}
