#!/usr/bin/env node
import { parseArgs } from 'node:util'
import { isEcrmError } from '@ecrm/core'
import type { LoadedConfig } from './config/loadConfig.js'
import { startIngestServer } from './serve.js'

const USAGE = `Usage: ecrm <command> [options]

Commands:
  serve     Start the ingest server (POST /v1/batch, /v1/track, ...)
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
  refresh   Refit and re-derive every stored profile (RFM, lead, CLV, segments, loyalty), then exit
              --data-dir <path>     embedded PGlite data directory (default .ecrm-data)
              --database-url <url>  PostgreSQL instead of PGlite (env DATABASE_URL)
              --config <file>       ecrm.config.json (what to derive)
              --page-size <n>       profiles per page and transaction (default 5000)
  preview   Render a template for a stored customer: prints subject, HTML and text
              ecrm preview <template> --customer <id> --config <file> [--locale <l>]
              --data-dir <path> / --database-url <url>   the store (as for serve)
  analyze   Customer analysis from an orders file (see ecrm analyze --help)
  help      Show this text`

/** Runs the `ecrm` command line; resolves with the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv
  if (command === 'serve') return serve(rest)
  if (command === 'refresh') return refresh(rest)
  if (command === 'analyze') return analyze(rest)
  if (command === 'preview') return preview(rest)
  if (command === undefined || command === 'help' || command === '--help' || command === '-h') {
    console.log(USAGE)
    return 0
  }
  console.error(`ecrm: unknown command "${command}"\n\n${USAGE}`)
  return 2
}

async function serve(args: readonly string[]): Promise<number> {
  const { values } = parseArgs({
    args: [...args],
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
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  })
  if (values.help === true) {
    console.log(USAGE)
    return 0
  }
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
  if (rate === undefined || perKey === undefined || perIp === undefined || headersTimeout === undefined || requestTimeout === undefined) return 2
  if (requestTimeout > 0 && headersTimeout > requestTimeout) {
    console.error(`ecrm serve: --headers-timeout (${headersTimeout}) must not be longer than --request-timeout (${requestTimeout})`)
    return 2
  }
  const list = (name: string): string[] => process.env[name]?.split(',').map((key) => key.trim()).filter(Boolean) ?? []
  const writeKeys = values['write-key'] ?? list('ECRM_WRITE_KEYS')
  const secretKeys = values['secret-key'] ?? list('ECRM_SECRET_KEYS')
  const identitySecrets = values['identity-secret'] ?? list('ECRM_IDENTITY_SECRETS')
  const databaseUrl = values['database-url'] ?? process.env['DATABASE_URL']
  let rules = config?.rules
  if (values.rules !== undefined) {
    const { loadRules } = await import('./rules/loadRules.js')
    try {
      rules = await loadRules(values.rules)
    } catch (error) {
      console.error(`ecrm serve: ${error instanceof Error ? error.message : String(error)}`)
      return 2
    }
  }
  let messages
  let destinations
  if (config !== undefined) {
    const { serveMessagesOf } = await import('./config/configMessages.js')
    const { createDestinations } = await import('./destinations/destinationConfig.js')
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
    newCustomerLimit: perKey === 0 && perIp === 0 ? false : { ...(perKey === 0 ? {} : { perKeyPerMinute: perKey }), ...(perIp === 0 ? {} : { perIpPerMinute: perIp }) },
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
      : { derive: config.derive, refreshEveryMinutes: config.refreshEveryMinutes, exposeSegments: config.exposeSegments }),
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
}

/** Loads `--config`, printing its faults; 2 (the exit code) when it is invalid or unreadable. */
async function readConfig(command: string, path: string | undefined): Promise<LoadedConfig | undefined | 2> {
  if (path === undefined) return undefined
  const { loadConfig } = await import('./config/loadConfig.js')
  try {
    return await loadConfig(path)
  } catch (error) {
    console.error(`ecrm ${command}: ${error instanceof Error ? error.message : String(error)}`)
    return 2
  }
}

async function refresh(args: readonly string[]): Promise<number> {
  const { values } = parseArgs({
    args: [...args],
    options: {
      'data-dir': { type: 'string' },
      'database-url': { type: 'string' },
      config: { type: 'string' },
      'page-size': { type: 'string' },
    },
    strict: true,
  })
  const config = await readConfig('refresh', values.config)
  if (config === 2) return 2
  const pageSize = Number(values['page-size'] ?? 5_000)
  if (!Number.isInteger(pageSize) || pageSize < 1) {
    console.error(`ecrm refresh: --page-size must be a positive integer (got ${values['page-size']})`)
    return 2
  }
  const databaseUrl = values['database-url'] ?? process.env['DATABASE_URL']
  const storeOptions = config === undefined ? {} : { derive: config.derive }
  const store =
    databaseUrl === undefined || databaseUrl === ''
      ? await (await import('./store/pgliteStore.js')).createPgliteStore(values['data-dir'] ?? '.ecrm-data', storeOptions)
      : await (await import('./store/postgresStore.js')).createPostgresStore(databaseUrl, storeOptions)
  try {
    const result = await store.refresh({ pageSize })
    console.log(
      `ecrm refresh: ${result.customers} profiles (${result.buyers} buyers), RFM by ${result.rfmMethod}, ` +
        `CLV ${result.clvFitted ? 'fitted' : 'not fitted (too few repeat buyers)'}, ${result.segmentChanges} segment changes, ${result.durationMs} ms`,
    )
    return 0
  } finally {
    await store.close()
  }
}

async function preview(args: readonly string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...args],
    allowPositionals: true,
    strict: true,
    options: {
      customer: { type: 'string' },
      locale: { type: 'string' },
      config: { type: 'string' },
      'data-dir': { type: 'string' },
      'database-url': { type: 'string' },
    },
  })
  const [template] = positionals
  if (template === undefined || values.customer === undefined || values.config === undefined) {
    console.error('ecrm preview: usage: ecrm preview <template> --customer <id> --config <file> [--locale <l>] [--data-dir <path> | --database-url <url>]')
    return 2
  }
  const config = await readConfig('preview', values.config)
  if (config === 2 || config === undefined) return 2
  const { templatesOf } = await import('./config/configMessages.js')
  let templates
  try {
    templates = await templatesOf(config, process.env)
  } catch (error) {
    console.error(`ecrm preview: ${error instanceof Error ? error.message : String(error)}`)
    return 2
  }
  if (templates === undefined) {
    console.error(`ecrm preview: ${values.config} has no "templates" folder`)
    return 2
  }
  const databaseUrl = values['database-url'] ?? process.env['DATABASE_URL']
  const store =
    databaseUrl === undefined || databaseUrl === ''
      ? await (await import('./store/pgliteStore.js')).createPgliteStore(values['data-dir'] ?? '.ecrm-data')
      : await (await import('./store/postgresStore.js')).createPostgresStore(databaseUrl)
  try {
    const profile = await store.getProfile(values.customer)
    if (profile === undefined) {
      console.error(`ecrm preview: no customer "${values.customer}" in the store`)
      return 2
    }
    const traitLocale = profile.traits['locale']
    const locale = values.locale ?? (typeof traitLocale === 'string' && traitLocale !== '' ? traitLocale : 'en')
    const at = Date.now()
    // A preview firing: what the customer would get if a rule fired now.
    const firing = { id: `preview-${at.toString(36)}`, ruleId: 'preview', customerId: profile.id, at, event: { event: 'Rule Fired', properties: {} } }
    const content = await templates.render({ template, locale, messageId: `${firing.id}:0`, profile, firing })
    console.log(`Subject: ${content.subject ?? ''}\n\n--- html ---\n${content.html ?? ''}\n\n--- text ---\n${content.text}`)
    return 0
  } catch (error) {
    console.error(`ecrm preview: ${error instanceof Error ? error.message : String(error)}`)
    return 2
  } finally {
    await store.close()
  }
}

const ANALYZE_USAGE = `Usage: ecrm analyze <orders file> [options]

Reads orders (customer, date, amount), fits BG/NBD and Gamma-Gamma, scores RFM, P(alive),
expected purchases and CLV per customer, and writes them plus an HTML report.
  --output <path>           per-customer results (default <input>.customers.csv)
  --format csv|json         results format (default csv)
  --report <path>           HTML report path (default: output with .html)   --no-report  none
  --customer <col>          customer id column (name or 0-based index; detected by default)
  --date <col>              order date column
  --amount <col>            order amount column (currency units)
  --calibration-end <date>  yyyy-mm-dd (default the last order's day)
  --unit weeks|days         model time unit (default weeks)
  --horizon <n>             CLV horizon in units (default 52 weeks / 365 days)
  --discount-rate <r>       annual discount rate (default 0.1)
  --margin <m>              profit share of revenue, 0-1 (default 1)
  --currency <symbol>       printed before money in the report
  --title <text>            report title`

async function analyze(args: readonly string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...args],
    allowPositionals: true,
    strict: true,
    options: {
      output: { type: 'string' },
      format: { type: 'string' },
      report: { type: 'string' },
      'no-report': { type: 'boolean' },
      customer: { type: 'string' },
      date: { type: 'string' },
      amount: { type: 'string' },
      'calibration-end': { type: 'string' },
      unit: { type: 'string' },
      horizon: { type: 'string' },
      'discount-rate': { type: 'string' },
      margin: { type: 'string' },
      currency: { type: 'string' },
      title: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  })
  const [input] = positionals
  if (values.help === true || input === undefined) {
    console.log(ANALYZE_USAGE)
    return input === undefined && values.help !== true ? 2 : 0
  }
  if (values.format !== undefined && values.format !== 'csv' && values.format !== 'json') {
    console.error(`ecrm analyze: --format must be csv or json (got ${values.format})`)
    return 2
  }
  if (values.unit !== undefined && values.unit !== 'weeks' && values.unit !== 'days') {
    console.error(`ecrm analyze: --unit must be weeks or days (got ${values.unit})`)
    return 2
  }
  const column = (value: string | undefined): string | number | undefined =>
    value === undefined ? undefined : /^\d+$/.test(value) ? Number(value) : value
  const columns = { customer: column(values.customer), date: column(values.date), amount: column(values.amount) }
  const numberOf = (name: string, value: string | undefined): number | undefined => {
    if (value === undefined) return undefined
    const parsed = Number(value)
    if (!Number.isFinite(parsed)) throw new Error(`--${name} must be a number (got ${value})`)
    return parsed
  }
  const format = values.format as 'csv' | 'json' | undefined
  const output = values.output ?? `${input.replace(/\.[^./\\]+$/, '')}.customers.${format ?? 'csv'}`
  const { runAnalyze } = await import('./analyze/index.js')
  const defined = <T extends object>(object: T): T =>
    Object.fromEntries(Object.entries(object).filter(([, value]) => value !== undefined)) as T
  const summary = await runAnalyze(
    defined({
      input,
      output,
      format,
      report: values['no-report'] === true ? (false as const) : values.report,
      columns: Object.values(columns).some((value) => value !== undefined) ? defined(columns) : undefined,
      calibrationEnd: values['calibration-end'],
      unit: values.unit as 'weeks' | 'days' | undefined,
      horizon: numberOf('horizon', values.horizon),
      discountRate: numberOf('discount-rate', values['discount-rate']),
      margin: numberOf('margin', values.margin),
      currency: values.currency,
      title: values.title,
      // A progress line on terminals only; pipes and CI logs stay clean.
      onProgress: process.stderr.isTTY
        ? (read: number, total: number) => process.stderr.write(`\rreading ${Math.floor((100 * read) / Math.max(total, 1))}%`)
        : undefined,
    }) as Parameters<typeof runAnalyze>[0],
  )
  if (process.stderr.isTTY) process.stderr.write('\n')
  console.log(`ecrm analyze: ${summary.customers} customers from ${summary.rows} rows in ${Math.round(summary.durationMs)} ms`)
  if (summary.badRowCount > 0) {
    console.log(`ecrm analyze: skipped ${summary.badRowCount} bad rows, e.g.`)
    for (const row of summary.badRows.slice(0, 5)) console.log(`  line ${row.line}: ${row.reason}`)
  }
  for (const note of summary.notes) console.log(`ecrm analyze: ${note}`)
  console.log(`ecrm analyze: wrote ${summary.output}${summary.report === null ? '' : ` and ${summary.report}`}`)
  return 0
}

// Run only when executed as the `ecrm` binary, not when imported.
const invokedAs = process.argv[1] ?? ''
if (/(?:^|[\\/])(?:ecrm|cli\.(?:js|mjs|ts))$/.test(invokedAs)) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code
    },
    (error: unknown) => {
      console.error(`ecrm: ${error instanceof Error ? error.message : String(error)}`)
      process.exitCode = 1
    },
  )
}
