import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import type { BrowserContext, Page } from 'playwright-core'
import { startRecordingBackend } from '../support/recordingBackend.js'
import type { RecordingBackend } from '../support/recordingBackend.js'

/** The write key the storefront pages use. */
export const WRITE_KEY = 'wk_e2e_storefront'

const dist = (file: string): string => fileURLToPath(new URL(`../../packages/browser/dist/${file}`, import.meta.url))
/** The built bundles the pages load (`npm run build` makes them). */
export const BUNDLE = dist('ecrm.min.js')
/** The script-tag bundle with the on-site intelligence. */
export const ONSITE_BUNDLE = dist('ecrm-onsite.min.js')
export const SNIPPET = dist('snippet.min.js')

/** Throws with the fix when the bundles were not built. */
export function requireBundles(): void {
  for (const file of [BUNDLE, ONSITE_BUNDLE, SNIPPET]) {
    if (!existsSync(file))
      throw new Error(`Missing ${file}: run \`npm run build\` (or \`npx rollup -c\`) before the e2e tests`)
  }
}

/**
 * A strict Content-Security-Policy: scripts only from the page's origin, no inline code, no eval.
 * The SDK must work under it.
 */
export const STRICT_CSP =
  "default-src 'self'; script-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'"

const page = (title: string, head: string): string =>
  `<!doctype html><html><head><meta charset="utf-8"><title>${title}</title>${head}</head>` +
  `<body><h1>${title}</h1><a id="next" href="/next">next</a></body></html>`

/** Options of {@link startStorefront}. */
export interface StorefrontOptions {
  /** Body of `/app.js`, the storefront's own script (runs after the snippet). */
  readonly app: string
  /** Delay before the bundle is served, in ms (keeps calls buffered in the snippet). */
  readonly bundleDelayMs?: number
  /** Another origin the page may send to (a cross-origin collector), added to `connect-src`. */
  readonly collectorOrigin?: string
}

/**
 * Starts the backend with a static storefront: `/` and `/next` load the snippet then `/app.js`;
 * `/plain` has no ecrm at all; `/tagged` loads the bundle alone, configured by data attributes.
 * Every page is served with {@link STRICT_CSP}; `/app.js` records CSP violations in `window.__csp`.
 */
export async function startStorefront(options: StorefrontOptions): Promise<RecordingBackend> {
  requireBundles()
  const csp =
    options.collectorOrigin === undefined
      ? STRICT_CSP
      : STRICT_CSP.replace("connect-src 'self'", `connect-src 'self' ${options.collectorOrigin}`)
  const backend = await startRecordingBackend({ staticHeaders: { 'Content-Security-Policy': csp } })
  const head = '<script src="/snippet.min.js"></script><script src="/app.js"></script>'
  backend.serve('/', { type: 'text/html', body: page('Storefront', head) })
  backend.serve('/next', { type: 'text/html', body: page('Next page', head) })
  backend.serve('/plain', { type: 'text/html', body: page('Plain page', '') })
  backend.serve('/tagged', {
    type: 'text/html',
    body: page(
      'Tagged',
      `<script async src="/ecrm.min.js" data-write-key="${WRITE_KEY}" data-endpoint="${backend.origin}"></script>`,
    ),
  })
  backend.serve('/snippet.min.js', { type: 'text/javascript', file: SNIPPET })
  backend.serve('/ecrm.min.js', {
    type: 'text/javascript',
    file: BUNDLE,
    ...(options.bundleDelayMs === undefined ? {} : { delayMs: options.bundleDelayMs }),
  })
  backend.serve('/ecrm-onsite.min.js', { type: 'text/javascript', file: ONSITE_BUNDLE })
  backend.serve('/app.js', {
    type: 'text/javascript',
    body:
      "window.__csp = []; document.addEventListener('securitypolicyviolation', (e) => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));\n" +
      options.app,
  })
  return backend
}

/**
 * The `ecrm.load(...)` line of `/app.js`, with test-friendly timings (and `extra` options source);
 * `endpointSource` is the JavaScript expression of the collector's URL (the page's own origin by default).
 * `maxDelayMs` stays above the 2 s Retry-After of scenario 3: core caps a Retry-After at it.
 */
export function loadCall(extra = '', endpointSource = 'location.origin'): string {
  return (
    `ecrm.load('${WRITE_KEY}', { endpoint: ${endpointSource}, src: '/ecrm.min.js', debug: true, ` +
    `batch: { flushIntervalMs: 200 }, retry: { baseDelayMs: 200, maxDelayMs: 3000, maxAttempts: 1000 }, ` +
    `requestTimeoutMs: 2000, leaseMs: 5000, ${extra} })\n`
  )
}

/** Waits until the bundle has replaced the stub and created the client. */
export async function waitForClient(tab: Page): Promise<void> {
  await tab.waitForFunction(() => {
    const ecrm = (window as unknown as { ecrm?: { loaded?: boolean; client?: () => unknown } }).ecrm
    return ecrm?.loaded === true && ecrm.client?.() !== undefined
  })
}

/** Reads `ecrm.stats()` in the page. */
export function readStats(tab: Page): Promise<Record<string, unknown>> {
  return tab.evaluate(() => (window as unknown as { ecrm: { stats: () => Record<string, unknown> } }).ecrm.stats())
}

/** A fresh browser context whose console errors are collected. */
export async function openTab(
  context: BrowserContext,
  url: string,
  errors: string[] = [],
  waitUntil: 'load' | 'domcontentloaded' = 'load',
): Promise<Page> {
  const tab = await context.newPage()
  tab.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`))
  await tab.goto(url, { waitUntil })
  return tab
}

/** Events of the delivered batches with this event name. */
export function eventsNamed(backend: RecordingBackend, name: string): Record<string, any>[] {
  return backend.deliveredEvents().filter((event) => event['event'] === name)
}
