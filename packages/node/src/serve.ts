import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { MESSAGE_LINKS_PREFIX } from '@ecrm/core'
import type { DeriveConfig, Destination, RuleDefinition } from '@ecrm/core'
import { createReadApiHandler, isReadApiPath } from './api/readApiHandler.js'
import { serveHealth } from './serve/health.js'
import { loadStaticBundles, serveStaticBundle } from './serve/staticBundles.js'
import { createIngestHandler } from './ingest/ingestHandler.js'
import type { NewCustomerLimit } from './ingest/ingestHandler.js'
import type { RateLimitOptions } from './ingest/rateLimiter.js'
import { toNodeListener } from './ingest/nodeListener.js'
import { errorResponse } from './ingest/responses.js'
import { createPgliteStore } from './store/pgliteStore.js'
import { createRuleRunner } from './rules/ruleRunner.js'
import type { RuleRunner } from './rules/ruleRunner.js'
import { createPostgresStore } from './store/postgresStore.js'
import type { Store, StoreOptions } from './store/storeTypes.js'
import { serveMessages } from './messages/serveMessages.js'
import type { ServeMessagesOptions, ServedMessages } from './messages/serveMessages.js'
import { serveDestinations } from './destinations/serveDestinations.js'
import type { ServedDestinations } from './destinations/serveDestinations.js'

/** Options of {@link startIngestServer}. */
export interface IngestServerOptions {
  /** @default 8080 (0 picks a free port) */
  readonly port?: number
  /** @default '127.0.0.1' (only this machine; pass '0.0.0.0' to listen on every interface) */
  readonly host?: string
  /** The embedded store's data directory, when no `databaseUrl` is given. @default '.ecrm-data' */
  readonly dataDir?: string
  /** A PostgreSQL connection string; when given, events go there instead of the embedded store. */
  readonly databaseUrl?: string
  /** Accepted public write keys. @default any key (development only: say so in the log) */
  readonly writeKeys?: readonly string[]
  /**
   * Secret keys for the shop's servers: their events are trusted (see `createIngestHandler`), and
   * they open the read API (`/v1/profiles/:id`, `/v1/segments`, ...) mounted beside ingest on the
   * same port. @default none (no trusted sender; the read API is off and its routes answer 404)
   */
  readonly secretKeys?: readonly string[]
  /** Identity verification secrets, for `context.userHash` (see `signUserId`). @default none */
  readonly identitySecrets?: readonly string[]
  /**
   * Requests a second per write key + client IP (secret keys are exempt), or `false` for none.
   * @default { requestsPerSecond: 50, burst: 100 }
   */
  readonly rateLimit?: RateLimitOptions | false
  /**
   * New customers a minute a write key may create, in all and per client IP, or `false` for no bound.
   * @default { perKeyPerMinute: 6000, perIpPerMinute: 300 }
   */
  readonly newCustomerLimit?: NewCustomerLimit | false
  /** Take the client IP from `X-Forwarded-For` (only behind a proxy you run). @default false */
  readonly trustProxy?: boolean
  /** Longest wait for a request's headers, in ms (slowloris). @default 10_000 */
  readonly headersTimeoutMs?: number
  /** Longest wait for a whole request, body included, in ms. @default 30_000 */
  readonly requestTimeoutMs?: number
  /** Browser origins allowed to send. @default any */
  readonly allowedOrigins?: readonly string[]
  /** Where start-up and failures are told. @default console.log / console.error */
  readonly log?: (line: string) => void
  /**
   * Rules to run on the ingested events (validated, e.g. by `loadRules`): a durable rule runner
   * over the same store, its firings tracked into the store and logged. @default none
   */
  readonly rules?: readonly RuleDefinition[]
  /** What the store derives on every profile (from `ecrm.config.json`). @default see `StoreOptions.derive` */
  readonly derive?: DeriveConfig
  /**
   * Minutes between full refreshes (`store.refresh()`), plus one at start when none ever ran;
   * 0 turns the schedule off. @default 60
   */
  readonly refreshEveryMinutes?: number
  /** Segment ids a batch's answer may tell the visitor (`createIngestHandler`'s `exposeSegments`). @default none */
  readonly exposeSegments?: readonly string[]
  /**
   * Channels and templates: the rules' `then.send` steps are rendered into the message outbox,
   * a sender loop delivers them, and `/v1/m/…` answers their links. Stopped (channels closed)
   * by `close`. @default none (rules only track their firings)
   */
  readonly messages?: ServeMessagesOptions
  /**
   * Webhook and CRM destinations (e.g. from `createDestinations`): each gets its own queue in the
   * store, fed with the ingested events (queued before the collector answers), the rule firings
   * and the segment changes, and drained by core's delivery engine. @default none
   */
  readonly destinations?: readonly Destination[]
  /** How often the destination queues look for work other processes queued or left leased, in ms. @default 30_000 */
  readonly destinationPollMs?: number
}

/** A running ingest server. */
export interface IngestServer {
  /** e.g. `http://127.0.0.1:8080` */
  readonly url: string
  readonly store: Store
  /** The rule runner, when `rules` were given. */
  readonly runner: RuleRunner | undefined
  /** The destination fan-out, when `destinations` were given (its `stats()` and `flush()`). */
  readonly destinations: ServedDestinations | undefined
  /** Stops accepting connections, lets requests in flight finish, closes the store. Idempotent. */
  readonly close: () => Promise<void>
}

/**
 * Starts the ingest handler on `node:http` with the embedded PGlite store (or PostgreSQL when
 * `databaseUrl` is given): what `ecrm serve` runs.
 *
 * @example
 * const server = await startIngestServer({ port: 8080, writeKeys: ['WRITE_KEY'] })
 * console.log(server.url)
 * await server.close()
 */
export async function startIngestServer(options: IngestServerOptions = {}): Promise<IngestServer> {
  const {
    port = 8080,
    host = '127.0.0.1',
    dataDir = '.ecrm-data',
    databaseUrl,
    writeKeys = [],
    allowedOrigins,
  } = options
  const {
    rateLimit = DEFAULT_RATE_LIMIT,
    newCustomerLimit = DEFAULT_NEW_CUSTOMER_LIMIT,
    headersTimeoutMs = 10_000,
    requestTimeoutMs = 30_000,
  } = options
  const log = options.log ?? ((line: string) => console.log(line))
  const rules = options.rules ?? []
  // Segment changes go to the rule runner (created next, over this store) as rule events, each
  // customer keyed as its rules key it (the change names the store's customer id).
  let runner: RuleRunner | undefined
  let destinations: ServedDestinations | undefined
  const storeOptions: StoreOptions = {
    ...(options.derive === undefined ? {} : { derive: options.derive }),
    onSegmentChanges: async (events) => {
      await destinations?.deliverSegmentChanges(events)
      await runner?.processSegmentChanges(events)
    },
    onError: (error) => log(`ecrm: processing segment changes failed: ${String(error)}`),
  }
  const store =
    databaseUrl === undefined
      ? await createPgliteStore(dataDir, storeOptions)
      : await createPostgresStore(databaseUrl, storeOptions)
  let readApi: ReturnType<typeof createReadApiHandler> | undefined
  try {
    const { secretKeys = [] } = options
    const segments = options.derive?.segments
    readApi =
      secretKeys.length === 0
        ? undefined
        : createReadApiHandler({
            store,
            secretKeys,
            writeKeys,
            ...(segments === undefined ? {} : { segments }),
            onError: (error) => log(`ecrm: read API store failure: ${String(error)}`),
          })
  } catch (error) {
    await store.close()
    throw error
  }
  const messages: ServedMessages | undefined =
    options.messages === undefined ? undefined : serveMessages(options.messages, store)
  destinations =
    (options.destinations?.length ?? 0) === 0
      ? undefined
      : serveDestinations(
          {
            destinations: options.destinations ?? [],
            log,
            ...(options.destinationPollMs === undefined ? {} : { pollMs: options.destinationPollMs }),
          },
          store,
        )
  const served = destinations
  runner =
    rules.length === 0
      ? undefined
      : createRuleRunner({
          store,
          rules,
          ...(messages === undefined ? {} : { messages: messages.composer }),
          onFire: async (firing) => {
            log(`ecrm: rule ${firing.ruleId} fired for ${firing.customerId} (${firing.event.event})`)
            // A throw leaves the firing for redelivery; the queue keeps its id once.
            await served?.deliverFiring(firing)
          },
          logger: {
            debug: () => undefined,
            warn: (message) => log(`ecrm: ${message}`),
            error: (message, detail) => log(`ecrm: ${message}: ${String(detail)}`),
          },
        })
  await runner?.start()
  const handler = createIngestHandler({
    // Accepted events enter the destination queues before the answer: a crash in between fails
    // the request, the client sends again, and the queues keep each event id once.
    store:
      served === undefined
        ? store
        : {
            ...store,
            insertEvents: async (events, insertOptions) => {
              const result = await store.insertEvents(events, insertOptions)
              const refused = new Set((result.refused ?? []).map((entry) => entry.event))
              await served.deliverEvents(events.filter((event) => !refused.has(event)))
              return result
            },
          },
    writeKeys: writeKeys.length > 0 ? writeKeys : () => true,
    secretKeys: options.secretKeys ?? [],
    identitySecrets: options.identitySecrets ?? [],
    trustProxy: options.trustProxy ?? false,
    ...(rateLimit === false ? {} : { rateLimit }),
    ...(newCustomerLimit === false ? {} : { newCustomerLimit }),
    ...(allowedOrigins === undefined ? {} : { allowedOrigins }),
    ...(runner === undefined ? {} : { onEvents: runner.processEvents }),
    ...(options.exposeSegments === undefined || options.exposeSegments.length === 0
      ? {}
      : { exposeSegments: options.exposeSegments }),
    onError: (error) => log(`ecrm: storing or processing events failed: ${String(error)}`),
  })
  const { bundles, missing } = await loadStaticBundles()
  // Node waits 60 s for headers and 5 min for a request by default: a slow client would hold a
  // socket (and a body-borne key's buffer) that long.
  const server = createServer(
    { headersTimeout: headersTimeoutMs, requestTimeout: requestTimeoutMs },
    toNodeListener(async (request, info) => {
      const extra = serveStaticBundle(bundles, request) ?? (await serveHealth(store, request))
      if (extra !== undefined) return extra
      const path = new URL(request.url).pathname
      if (messages !== undefined && path.startsWith(MESSAGE_LINKS_PREFIX)) return messages.handle(request)
      if (!isReadApiPath(path)) return handler(request, info)
      return (
        readApi?.(request) ??
        errorResponse(
          404,
          'read_api_disabled',
          'The read API is off on this server (start it with --secret-key or ECRM_SECRET_KEYS)',
        )
      )
    }),
  )
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(port, host, () => {
        server.off('error', reject)
        resolve()
      })
    })
  } catch (error) {
    // Nothing listens (e.g. EADDRINUSE): release what was opened, or the store's handles and the
    // runner's timers would outlive the failed start.
    runner?.stop()
    await messages?.stop()
    await destinations?.close()
    await store
      .close()
      .catch((closeError: unknown) =>
        log(`ecrm: closing the store after the failed start failed too: ${String(closeError)}`),
      )
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'EADDRINUSE')
      log(`ecrm: cannot listen on ${host}:${port}: the port is in use (stop the other server, or pass another --port)`)
    throw error
  }
  const address = server.address() as AddressInfo
  const url = `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`
  const where = databaseUrl === undefined ? `PGlite in ${dataDir}` : `PostgreSQL at ${redact(databaseUrl)}`
  log(`ecrm: listening on ${url} (POST ${url}/v1/batch), storing in ${where}`)
  for (const bundle of bundles.values()) log(`ecrm: script tag ${url}${bundle.path} integrity="${bundle.integrity}"`)
  if (missing.length > 0) log(`ecrm: not serving ${missing.join(', ')} (install @ecrm/browser next to @ecrm/node)`)
  log(`ecrm: health check at ${url}/healthz`)
  if (writeKeys.length === 0) log('ecrm: accepting ANY write key (development mode; pass --write-key to restrict)')
  if (readApi !== undefined)
    log(
      `ecrm: read API on ${url}/v1/profiles/{id}, /v1/segments (Bearer secret key); OpenAPI at ${url}/v1/openapi.json`,
    )
  const limits = [
    rateLimit === false ? 'no request limit' : `${rateLimit.requestsPerSecond} requests/s per write key + IP`,
    newCustomerLimit === false
      ? 'no new-customer bound'
      : `new customers ${newCustomerLimit.perKeyPerMinute ?? 'unbounded'}/min per write key, ${newCustomerLimit.perIpPerMinute ?? 'unbounded'}/min per IP`,
  ]
  log(
    `ecrm: limits: ${limits.join('; ')}; ${options.secretKeys?.length ?? 0} secret key(s), identity verification ${(options.identitySecrets?.length ?? 0) > 0 ? 'on' : 'off'}`,
  )
  if (runner !== undefined) log(`ecrm: running ${rules.length} rule(s): ${rules.map((rule) => rule.id).join(', ')}`)
  if (messages !== undefined && options.messages !== undefined) {
    messages.start(store, log)
    log(
      `ecrm: sending messages through ${Object.keys(options.messages.channels).join(', ')}; links on ${url}${MESSAGE_LINKS_PREFIX}`,
    )
    for (const callback of options.messages.statusCallbacks ?? []) {
      // The Kavenegar token is a credential: named, never printed.
      log(
        callback.provider === 'twilio'
          ? `ecrm: Twilio status callbacks on ${url}${callback.path} (signatures checked for ${callback.publicOrigin}${callback.path})`
          : `ecrm: Kavenegar delivery callbacks for ${callback.channels.join(', ')} on ${url}${MESSAGE_LINKS_PREFIX}kavenegar/<statusToken> (set ${options.messages.baseUrl.replace(/\/+$/, '')}${MESSAGE_LINKS_PREFIX}kavenegar/<statusToken> in Kavenegar's panel)`,
      )
    }
  }
  if (destinations !== undefined)
    log(
      `ecrm: delivering to destination(s) ${(options.destinations ?? []).map((destination) => destination.name).join(', ')}, each from its own queue in the store`,
    )
  const refresher = scheduleRefresh(store, options.refreshEveryMinutes ?? 60, log)
  let closing: Promise<void> | undefined
  return {
    url,
    store,
    runner,
    destinations,
    close() {
      closing ??= (async () => {
        await new Promise<void>((resolve) => {
          server.close(() => resolve())
          // Idle keep-alive sockets would hold close() open; requests in flight still finish.
          server.closeIdleConnections()
        })
        runner?.stop()
        await messages?.stop()
        await refresher.stop()
        await destinations?.close()
        await store.close()
      })()
      return closing
    },
  }
}

/**
 * Runs `store.refresh()` every `everyMinutes` (never two at once), and once right away when no
 * refresh ever ran (no stored model). `stop` cancels the timer and waits for a run in flight.
 */
function scheduleRefresh(
  store: Store,
  everyMinutes: number,
  log: (line: string) => void,
): { stop: () => Promise<void> } {
  if (!(everyMinutes > 0)) return { stop: async () => undefined }
  let running: Promise<void> | undefined
  const run = (): void => {
    if (running !== undefined) return
    running = store
      .refresh()
      .then(
        (result) =>
          log(
            `ecrm: refreshed ${result.customers} profiles (${result.buyers} buyers, RFM by ${result.rfmMethod}, CLV ${result.clvFitted ? 'fitted' : 'not fitted'}, ${result.segmentChanges} segment changes) in ${result.durationMs} ms`,
          ),
        (error: unknown) => log(`ecrm: refreshing profiles failed: ${String(error)}`),
      )
      .finally(() => {
        running = undefined
      })
  }
  const timer = setInterval(run, everyMinutes * 60_000)
  timer.unref()
  const first = store.query<{ n: number }>('select count(*)::int as n from ecrm_models').then(
    ([row]) => {
      if ((row?.n ?? 0) === 0) run()
    },
    (error: unknown) => log(`ecrm: reading the refresh state failed: ${String(error)}`),
  )
  return {
    async stop() {
      clearInterval(timer)
      await first
      await running
    },
  }
}

/** `ecrm serve`'s request limit when none is given. */
const DEFAULT_RATE_LIMIT: RateLimitOptions = { requestsPerSecond: 50, burst: 100 }

/**
 * `ecrm serve`'s bound on new customers when none is given: a busy shop's new visitors a
 * minute fit easily, while one key can no longer create 100,000 customers in 25 s.
 */
const DEFAULT_NEW_CUSTOMER_LIMIT: NewCustomerLimit = { perKeyPerMinute: 6_000, perIpPerMinute: 300 }

/** A connection string without its password, for logs. */
function redact(connectionString: string): string {
  try {
    const url = new URL(connectionString)
    if (url.password !== '') url.password = '***'
    return url.toString()
  } catch {
    return '(connection string)'
  }
}
