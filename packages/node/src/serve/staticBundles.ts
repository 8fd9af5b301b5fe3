import { readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { createHash } from 'node:crypto'

/** The script-tag bundles `ecrm serve` hands out, by path; the loader snippet defaults to `${endpoint}/ecrm.min.js`. */
const BUNDLES: Readonly<Record<string, string>> = {
  '/ecrm.min.js': '@ecrm/browser/ecrm.min.js',
  '/ecrm-onsite.min.js': '@ecrm/browser/ecrm-onsite.min.js',
  // The push service worker: registrable only from the page's origin (collector on the shop's origin or proxied).
  '/ecrm-sw.js': '@ecrm/browser/ecrm-sw.js',
}

/** A served bundle: its bytes and the Subresource Integrity hash printed at start. */
export interface StaticBundle {
  readonly path: string
  readonly body: Uint8Array<ArrayBuffer>
  readonly integrity: string
}

/**
 * Reads the installed `@ecrm/browser` script-tag bundles once (they change only with the package),
 * so a request never touches the disk. Missing bundles are left out and named in `missing`.
 */
export async function loadStaticBundles(): Promise<{ bundles: Map<string, StaticBundle>; missing: string[] }> {
  const require = createRequire(import.meta.url)
  const bundles = new Map<string, StaticBundle>()
  const missing: string[] = []
  for (const [path, specifier] of Object.entries(BUNDLES)) {
    try {
      const body = new Uint8Array(await readFile(require.resolve(specifier)))
      bundles.set(path, { path, body, integrity: `sha384-${createHash('sha384').update(body).digest('base64')}` })
    } catch {
      missing.push(specifier)
    }
  }
  return { bundles, missing }
}

/**
 * Answers GET/HEAD for a bundle path, or undefined for any other request. Cached for an hour and
 * revalidated by ETag: the URL has no version in it, so a long immutable cache would pin old code.
 */
export function serveStaticBundle(bundles: ReadonlyMap<string, StaticBundle>, request: Request): Response | undefined {
  if (request.method !== 'GET' && request.method !== 'HEAD') return undefined
  const bundle = bundles.get(new URL(request.url).pathname)
  if (bundle === undefined) return undefined
  const etag = `"${bundle.integrity}"`
  const headers = {
    'content-type': 'text/javascript; charset=utf-8',
    'cache-control': 'public, max-age=3600, stale-while-revalidate=86400',
    etag,
    'access-control-allow-origin': '*',
  }
  if (request.headers.get('if-none-match') === etag) return new Response(null, { status: 304, headers })
  return new Response(request.method === 'HEAD' ? null : bundle.body, { status: 200, headers })
}
