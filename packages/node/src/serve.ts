import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { RuleDefinition } from '@ecrm/core'
import { createIngestHandler } from './ingest/ingestHandler.js'
import type { NewCustomerLimit } from './ingest/ingestHandler.js'
import type { RateLimitOptions } from './ingest/rateLimiter.js'
import { toNodeListener } from './ingest/nodeListener.js'
import { createPgliteStore } from './store/pgliteStore.js'
import { createRuleRunner } from './rules/ruleRunner.js'
import type { RuleRunner } from './rules/ruleRunner.js'
import { createPostgresStore } from './store/postgresStore.js'
import type { Store } from './store/storeTypes.js'

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
  /** Secret keys for the shop's servers (trusted events; see `createIngestHandler`). @default none */
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
}

/** A running ingest server. */
export interface IngestServer {
  /** e.g. `http://127.0.0.1:8080` */
  readonly url: string
  readonly store: Store
  /** The rule runner, when `rules` were given. */
  readonly runner: RuleRunner | undefined
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
  const { port = 8080, host = '127.0.0.1', dataDir = '.ecrm-data', databaseUrl, writeKeys = [], allowedOrigins } = options
  const { rateLimit = DEFAULT_RATE_LIMIT, newCustomerLimit = DEFAULT_NEW_CUSTOMER_LIMIT, headersTimeoutMs = 10_000, requestTimeoutMs = 30_000 } = options
  const log = options.log ?? ((line: string) => console.log(line))
  const store = databaseUrl === undefined ? await createPgliteStore(dataDir) : await createPostgresStore(databaseUrl)
  const rules = options.rules ?? []
  const runner =
    rules.length === 0
      ? undefined
      : createRuleRunner({
          store,
          rules,
          onFire: (firing) => log(`ecrm: rule ${firing.ruleId} fired for ${firing.customerId} (${firing.event.event})`),
          logger: { debug: () => undefined, warn: (message) => log(`ecrm: ${message}`), error: (message, detail) => log(`ecrm: ${message}: ${String(detail)}`) },
        })
  await runner?.start()
  const handler = createIngestHandler({
    store,
    writeKeys: writeKeys.length > 0 ? writeKeys : () => true,
    secretKeys: options.secretKeys ?? [],
    identitySecrets: options.identitySecrets ?? [],
    trustProxy: options.trustProxy ?? false,
    ...(rateLimit === false ? {} : { rateLimit }),
    ...(newCustomerLimit === false ? {} : { newCustomerLimit }),
    ...(allowedOrigins === undefined ? {} : { allowedOrigins }),
    ...(runner === undefined ? {} : { onEvents: runner.processEvents }),
    onError: (error) => log(`ecrm: storing or processing events failed: ${String(error)}`),
  })
  // Node waits 60 s for headers and 5 min for a request by default: a slow client would hold a
  // socket (and a body-borne key's buffer) that long.
  const server = createServer({ headersTimeout: headersTimeoutMs, requestTimeout: requestTimeoutMs }, toNodeListener(handler))
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
    await store.close().catch((closeError: unknown) => log(`ecrm: closing the store after the failed start failed too: ${String(closeError)}`))
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'EADDRINUSE') log(`ecrm: cannot listen on ${host}:${port}: the port is in use (stop the other server, or pass another --port)`)
    throw error
  }
  const address = server.address() as AddressInfo
  const url = `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`
  const where = databaseUrl === undefined ? `PGlite in ${dataDir}` : `PostgreSQL at ${redact(databaseUrl)}`
  log(`ecrm: listening on ${url} (POST ${url}/v1/batch), storing in ${where}`)
  if (writeKeys.length === 0) log('ecrm: accepting ANY write key (development mode; pass --write-key to restrict)')
  const limits = [
    rateLimit === false ? 'no request limit' : `${rateLimit.requestsPerSecond} requests/s per write key + IP`,
    newCustomerLimit === false ? 'no new-customer bound' : `new customers ${newCustomerLimit.perKeyPerMinute ?? 'unbounded'}/min per write key, ${newCustomerLimit.perIpPerMinute ?? 'unbounded'}/min per IP`,
  ]
  log(`ecrm: limits: ${limits.join('; ')}; ${options.secretKeys?.length ?? 0} secret key(s), identity verification ${(options.identitySecrets?.length ?? 0) > 0 ? 'on' : 'off'}`)
  if (runner !== undefined) log(`ecrm: running ${rules.length} rule(s): ${rules.map((rule) => rule.id).join(', ')}`)
  let closing: Promise<void> | undefined
  return {
    url,
    store,
    runner,
    close() {
      closing ??= (async () => {
        await new Promise<void>((resolve) => {
          server.close(() => resolve())
          // Idle keep-alive sockets would hold close() open; requests in flight still finish.
          server.closeIdleConnections()
        })
        runner?.stop()
        await store.close()
      })()
      return closing
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
