import { createServer } from 'node:http'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import {
  createIngestHandler,
  createPgliteStore,
  createRuleRunner,
  createSmtpChannel,
  loadTemplates,
  serveMessages,
  toNodeListener,
} from '@ecrm/node'
import type { Store } from '@ecrm/node'
import { MESSAGE_LINKS_PREFIX } from '@ecrm/core'
import { computeDashboard } from './dashboardData.js'
import type { DashboardData } from './dashboardData.js'
import { renderDashboardBody, renderDashboardPage } from './dashboardPage.js'
import { startDemoMailServer } from './demoMailServer.js'
import type { DemoMailServer, ReceivedMail } from './demoMailServer.js'
import { cartRules, customerRules } from './demoRules.js'
import { listenOnFreePort } from './listenOnFreePort.js'
import { computeOutbox } from './outboxData.js'
import type { OutboxData } from './outboxData.js'
import { renderMailPage, renderOutboxPage } from './outboxPage.js'
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
  /** How often the scheduled rules (birthday) run over every profile, ms. @default 60_000 */
  readonly scheduleMs?: number
  /** The demo's SMTP server's port; when taken, the next free one (up to +20). 0 picks any. @default 2525 */
  readonly smtpPort?: number
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
  /** The SMTP server the demo runs and sends its emails to (what it received: `mail.mails()`). */
  readonly mail: DemoMailServer
  /** `<url>/dashboard/outbox`: the messages the rules wrote and the mails the SMTP server received. */
  readonly outboxUrl: string
  /** The event store. */
  readonly store: Store
  /** The dashboard's numbers, as `/dashboard.json` serves them. */
  readonly dashboard: () => Promise<DashboardData>
  /** Closes the server (connections included), stops the rule timers and the sender, the SMTP server and the store. Idempotent. */
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
  const mail = await startDemoMailServer({
    port: options.smtpPort ?? 2525,
    ...(options.dataDir === undefined ? {} : { folder: join(options.dataDir, 'mail') }),
  })
  const templates = await loadTemplates({ folder: TEMPLATES, offerSecret: DEMO_LINK_SECRET })
  // Bound before the messages are wired: their links point at this server's origin. Requests are
  // answered once everything below exists (nobody knows the URL before startDemo returns).
  const server = createServer()
  const bound = await listenOnFreePort(server, port, host)
  const url = `http://${host}:${bound}`
  // What `ecrm serve` runs with channels configured: rendering with tracked links into the outbox,
  // the /v1/m/ routes and the sender loop.
  const email = createSmtpChannel({ host: mail.host, port: mail.port, from: 'Bean There <hello@bean-there.example>' })
  // Opt-out: the shop asks no marketing consent, so its reminders go to everyone who has not
  // unsubscribed (the mails' one-click link records that, and the sender then suppresses them).
  const messages = serveMessages(
    { channels: { email }, templates, baseUrl: url, linkSecret: DEMO_LINK_SECRET, policy: { consent: 'opt-out' } },
    store,
  )
  const windows = { abandonMs, winBackMs, shopUrl: url }
  const cart = cartRules(windows)
  // @ecrm/node's runner: state and timers in the store's ecrm_rule_state, firings and their
  // messages recorded in its ecrm_firings and ecrm_messages. The cart follows the browser (see cartRules).
  const rules = createRuleRunner({
    store,
    rules: [...cart, ...customerRules(windows)],
    messages: messages.composer,
    scheduleIntervalMs: options.scheduleMs ?? 60_000,
    customerKey: Object.fromEntries(cart.map((rule) => [rule.id, 'anonymousId' as const])),
    onFire: (firing) => log(`rule ${firing.ruleId} fired for ${firing.customerId} → ${firing.event.event}`),
    logger: {
      debug: () => undefined,
      warn: (message) => log(message),
      error: (message, error) => log(`${message}: ${String(error)}`),
    },
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
  const messageLinks = toNodeListener((request) => messages.handle(request))
  const pages: Pages = {
    dashboard: async () => computeDashboard(store, { now: Date.now(), clvDayMs, pending: await rules.pending() }),
    outbox: async () => computeOutbox(store, mail.mails(), Date.now()),
    mails: () => mail.mails(),
  }
  // Ingest derives the customers each batch touched; the full refresh recuts RFM and refits CLV on
  // the whole base now and then, as `ecrm serve` does on its schedule.
  let refreshing: Promise<unknown> = Promise.resolve()
  const refresher = setInterval(() => {
    refreshing = refreshing
      .then(() => store.refresh())
      .catch((error: unknown) => log(`demo: refreshing profiles failed: ${String(error)}`))
  }, 60_000)
  refresher.unref()

  server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    const path = new URL(request.url ?? '/', 'http://demo.local')
    if (path.pathname.startsWith(MESSAGE_LINKS_PREFIX)) {
      messageLinks(request, response)
      return
    }
    if (path.pathname.startsWith('/v1/')) {
      ingest(request, response)
      return
    }
    respond(request, response, path, pages).catch((error: unknown) => {
      log(`demo: ${path.pathname} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`)
      if (!response.headersSent) response.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' })
      response.end(`The demo failed on ${path.pathname}: ${String(error)}`)
    })
  })
  await rules.start()
  messages.start(store, log)
  let closing: Promise<void> | undefined
  return {
    url,
    dashboardUrl: `${url}/dashboard`,
    collectorUrl: `${url}/v1/batch`,
    port: bound,
    mail,
    outboxUrl: `${url}/dashboard/outbox`,
    store,
    dashboard: pages.dashboard,
    close: () =>
      (closing ??= (async () => {
        rules.stop()
        await messages.stop()
        clearInterval(refresher)
        await new Promise<void>((resolve) => {
          server.close(() => resolve())
          server.closeAllConnections()
        })
        await refreshing
        await mail.close()
        await store.close()
      })()),
  }
}

/** The templates the demo's rules send (en and fa). */
const TEMPLATES = fileURLToPath(new URL('./templates/', import.meta.url))
/** Signs the demo's message links and keys its offer codes. A local demo only: production reads one from the environment. */
const DEMO_LINK_SECRET = 'ecrm-demo-link-secret-not-for-production'

/** What the dashboard pages are computed from. */
interface Pages {
  readonly dashboard: () => Promise<DashboardData>
  readonly outbox: () => Promise<OutboxData>
  readonly mails: () => readonly ReceivedMail[]
}

async function respond(request: IncomingMessage, response: ServerResponse, url: URL, pages: Pages): Promise<void> {
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    response
      .writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' })
      .end('Only GET here (events go to /v1/batch)')
    return
  }
  if (url.pathname === '/dashboard' || url.pathname === '/dashboard/') {
    send(response, 200, 'text/html; charset=utf-8', renderDashboardPage(await pages.dashboard()))
    return
  }
  if (url.pathname === '/dashboard/outbox') {
    send(response, 200, 'text/html; charset=utf-8', renderOutboxPage(await pages.outbox()))
    return
  }
  // What the scripted shoppers read their mail from (examples/shoppers/inbox.mjs): the list, and
  // each mail's raw MIME as the SMTP server received it.
  if (url.pathname === '/dashboard/mails.json') {
    send(
      response,
      200,
      'application/json; charset=utf-8',
      JSON.stringify({
        mails: pages.mails().map(({ n, to, subject, receivedAt }) => ({ n, to, subject, receivedAt })),
      }),
    )
    return
  }
  const [, mailNumber, raw] = /^\/dashboard\/mail\/(\d+)(\.eml)?$/.exec(url.pathname) ?? []
  if (mailNumber !== undefined) {
    const received = pages.mails()[Number(mailNumber) - 1]
    if (received === undefined)
      send(response, 404, 'text/plain; charset=utf-8', `No mail ${mailNumber} (see /dashboard/outbox)`)
    else if (raw === undefined) send(response, 200, 'text/html; charset=utf-8', renderMailPage(received))
    else send(response, 200, 'message/rfc822', received.raw)
    return
  }
  if (url.pathname === '/dashboard.json') {
    const data = await pages.dashboard()
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
