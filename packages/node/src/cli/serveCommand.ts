import { isEcrmError } from '@ecrm/core'
import { startIngestServer } from '../serve.js'
import { defineCommand } from './command.js'
import { readConfig } from './readConfig.js'

/** `ecrm serve`: the ingest server (with the read API, rules and messages when configured) until SIGINT/SIGTERM. */
export const serveCommand = defineCommand({
  name: 'serve',
  summary: 'Start the ingest server (POST /v1/batch, /v1/track, ..., the script tag, /healthz)',
  usage: `Usage: ecrm serve [options]

Starts the ingest server; stops cleanly on SIGINT or SIGTERM.
  --port <n>            port to listen on (default 8080, env PORT)
  --host <address>      interface (default 127.0.0.1)
  --data-dir <path>     embedded PGlite data directory (default .ecrm-data)
  --database-url <url>  PostgreSQL instead of PGlite (env DATABASE_URL)
  --write-key <key>     accepted public write key; repeat for more (env ECRM_WRITE_KEYS, comma-separated)
  --secret-key <key>    secret key for your servers (Authorization header only): trusted events,
                        i.e. erasure by userId, merges of identified customers, alias of user ids;
                        repeat for more (env ECRM_SECRET_KEYS, comma-separated)
  --identity-secret <s> identity verification: trust a write-key event whose context.userHash is
                        HMAC-SHA256(userId) under this secret (env ECRM_IDENTITY_SECRETS, comma-separated)
  --allowed-origin <o>  browser origin allowed to send; repeat for more (default any)
  --rate-limit <n>      requests/s per write key + client IP, burst 2n (default 50; 0 = off)
  --new-customers-per-minute <n>         per write key (default 6000; 0 = off)
  --new-customers-per-ip-per-minute <n>  per write key + client IP (default 300; 0 = off)
  --trust-proxy         client IP from X-Forwarded-For (only behind your own proxy)
  --headers-timeout <s> seconds to wait for request headers (default 10)
  --request-timeout <s> seconds to wait for a whole request, body included (default 30)
  --rules <file>        run the rules in this JSON file on incoming events (durable timers in the store)
  --config <file>       ecrm.config.json: segments, lead model, loyalty, RFM, CLV, refresh, rules,
                        channels, templates, messages (with channels: sends the rules' messages),
                        destinations (webhook and CRMs fed from their own queues)
  -h, --help            this text`,
  options: {
    port: { type: 'string' },
    host: { type: 'string' },
    'data-dir': { type: 'string' },
    'database-url': { type: 'string' },
    'write-key': { type: 'string', multiple: true },
    'secret-key': { type: 'string', multiple: true },
    'identity-secret': { type: 'string', multiple: true },
    'allowed-origin': { type: 'string', multiple: true },
    'rate-limit': { type: 'string' },
    'new-customers-per-minute': { type: 'string' },
    'new-customers-per-ip-per-minute': { type: 'string' },
    'trust-proxy': { type: 'boolean' },
    'headers-timeout': { type: 'string' },
    'request-timeout': { type: 'string' },
    rules: { type: 'string' },
    config: { type: 'string' },
  },
  run: async ({ values }) => {
    const config = await readConfig('serve', values.config)
    if (config === 2) return 2
    const port = Number(values.port ?? process.env['PORT'] ?? 8080)
    if (!Number.isInteger(port) || port < 0 || port > 65_535) {
      console.error(`ecrm serve: --port must be an integer from 0 to 65535 (got ${values.port})`)
      return 2
    }
    /** A flag's non-negative number, its default when absent; `undefined` (after saying why) when it is no such number. */
    const amount = (name: keyof typeof values, fallback: number): number | undefined => {
      const text = values[name]
      if (text === undefined) return fallback
      const parsed = Number(text)
      if (typeof text === 'string' && text.trim() !== '' && Number.isFinite(parsed) && parsed >= 0) return parsed
      console.error(`ecrm serve: --${name} must be a number of 0 or more (got ${String(text)})`)
      return undefined
    }
    const rate = amount('rate-limit', 50)
    const perKey = amount('new-customers-per-minute', 6_000)
    const perIp = amount('new-customers-per-ip-per-minute', 300)
    const headersTimeout = amount('headers-timeout', 10)
    const requestTimeout = amount('request-timeout', 30)
    if (
      rate === undefined ||
      perKey === undefined ||
      perIp === undefined ||
      headersTimeout === undefined ||
      requestTimeout === undefined
    )
      return 2
    if (requestTimeout > 0 && headersTimeout > requestTimeout) {
      console.error(
        `ecrm serve: --headers-timeout (${headersTimeout}) must not be longer than --request-timeout (${requestTimeout})`,
      )
      return 2
    }
    const list = (name: string): string[] =>
      process.env[name]
        ?.split(',')
        .map((key) => key.trim())
        .filter(Boolean) ?? []
    const writeKeys = values['write-key'] ?? list('ECRM_WRITE_KEYS')
    const secretKeys = values['secret-key'] ?? list('ECRM_SECRET_KEYS')
    const identitySecrets = values['identity-secret'] ?? list('ECRM_IDENTITY_SECRETS')
    const databaseUrl = values['database-url'] ?? process.env['DATABASE_URL']
    let rules = config?.rules
    if (values.rules !== undefined) {
      const { loadRules } = await import('../rules/loadRules.js')
      try {
        rules = await loadRules(values.rules)
      } catch (error) {
        console.error(`ecrm serve: ${error instanceof Error ? error.message : String(error)}`)
        return 2
      }
    }
    let messages: Awaited<ReturnType<typeof import('../config/configMessages.js').serveMessagesOf>> | undefined
    let destinations: ReturnType<typeof import('../destinations/destinationConfig.js').createDestinations> | undefined
    if (config !== undefined) {
      const { serveMessagesOf } = await import('../config/configMessages.js')
      const { createDestinations } = await import('../destinations/destinationConfig.js')
      try {
        messages = await serveMessagesOf(config, process.env)
        destinations = createDestinations(config.destinations, process.env)
      } catch (error) {
        console.error(`ecrm serve: ${error instanceof Error ? error.message : String(error)}`)
        return 2
      }
    }
    // An invalid option (e.g. a short secret key) is the user's to fix: say it, exit 2.
    const server = await startIngestServer({
      port,
      writeKeys,
      secretKeys,
      identitySecrets,
      rateLimit: rate === 0 ? false : { requestsPerSecond: rate },
      newCustomerLimit:
        perKey === 0 && perIp === 0
          ? false
          : { ...(perKey === 0 ? {} : { perKeyPerMinute: perKey }), ...(perIp === 0 ? {} : { perIpPerMinute: perIp }) },
      trustProxy: values['trust-proxy'] === true,
      headersTimeoutMs: headersTimeout * 1_000,
      requestTimeoutMs: requestTimeout * 1_000,
      ...(values.host === undefined ? {} : { host: values.host }),
      ...(values['data-dir'] === undefined ? {} : { dataDir: values['data-dir'] }),
      ...(databaseUrl === undefined || databaseUrl === '' ? {} : { databaseUrl }),
      ...(values['allowed-origin'] === undefined ? {} : { allowedOrigins: values['allowed-origin'] }),
      ...(rules === undefined ? {} : { rules }),
      ...(messages === undefined ? {} : { messages }),
      ...(destinations === undefined || destinations.length === 0 ? {} : { destinations }),
      ...(config === undefined
        ? {}
        : {
            derive: config.derive,
            refreshEveryMinutes: config.refreshEveryMinutes,
            exposeSegments: config.exposeSegments,
          }),
    }).catch((error: unknown) => {
      // A data folder another process owns is no usage error: it fails the start (exit 1).
      if (!isEcrmError(error) || error.code === 'data_dir_locked') throw error
      console.error(`ecrm serve: ${error.message}`)
      return undefined
    })
    if (server === undefined) return 2
    const signal = await new Promise<NodeJS.Signals>((resolve) => {
      process.once('SIGINT', () => resolve('SIGINT'))
      process.once('SIGTERM', () => resolve('SIGTERM'))
    })
    console.log(`ecrm: ${signal} received, stopping`)
    await server.close()
    console.log('ecrm: stopped')
    return 0
  },
})
