import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { extname, join, normalize } from 'node:path'
import { fileURLToPath } from 'node:url'

/** The write key the demo accepts and the storefront's snippet uses. */
export const DEMO_WRITE_KEY = 'demo-write-key'

/** examples/storefront, served as the shop. */
export const STOREFRONT_DIR = fileURLToPath(new URL('../storefront/', import.meta.url))
/** Where `npx rollup -c` puts the script-tag bundle and the loader snippet. */
export const BROWSER_DIST_DIR = fileURLToPath(new URL('../../packages/browser/dist/', import.meta.url))

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json; charset=utf-8',
}

/** The last good copy of each built file: a rebuild in progress (dist emptied) does not break the shop. */
const lastGood = new Map<string, Buffer>()

/** Reads a built file, falling back to the last copy read while a rebuild replaces it. */
async function readBuilt(file: string): Promise<Buffer | undefined> {
  try {
    const content = await readFile(file)
    if (content.byteLength > 0) lastGood.set(file, content)
    return content.byteLength > 0 ? content : lastGood.get(file)
  } catch {
    return lastGood.get(file)
  }
}

/** A static answer: status, content type and body. */
export interface StaticAnswer {
  readonly status: number
  readonly type: string
  readonly body: string | Buffer
}

/**
 * The loader snippet as a customer pastes it in the page head: the minified loader, then the
 * calls that load the bundle from the collector's origin and record the first page view.
 */
export async function loaderSnippet(writeKey = DEMO_WRITE_KEY): Promise<string> {
  const file = join(BROWSER_DIST_DIR, 'snippet.min.js')
  const built = await readBuilt(file)
  if (built === undefined) throw new Error(`${file} is not built: run \`npx rollup -c\` (npm start does it)`)
  const loader = built.toString('utf8').trim()
  return `<script>\n${loader}\necrm.load('${writeKey}', { endpoint: location.origin });\necrm.page();\n</script>`
}

/** Reads the built bundles once, so a later rebuild of dist/ cannot leave the shop without them. */
export async function warmStorefront(): Promise<void> {
  await Promise.all(['ecrm.min.js', 'snippet.min.js'].map((file) => readBuilt(join(BROWSER_DIST_DIR, file))))
}

/**
 * Serves the shop: its files, `index.html` with the real snippet in place of the
 * `<!-- ecrm:snippet -->` placeholder, the bundle at `/ecrm.min.js` (where the snippet loads it
 * from), and `index.html` for any unknown path without a file extension (the shop is a SPA).
 */
export async function serveStorefront(pathname: string): Promise<StaticAnswer> {
  if (pathname === '/ecrm.min.js' || pathname === '/snippet.min.js') {
    const built = await readBuilt(join(BROWSER_DIST_DIR, pathname.slice(1)))
    if (built === undefined)
      return {
        status: 503,
        type: 'text/plain; charset=utf-8',
        body: `${pathname} is not built: run \`npx rollup -c\` (npm start does it)`,
      }
    return { status: 200, type: TYPES['.js'] ?? 'text/javascript', body: built }
  }
  const relative = normalize(decodeURIComponent(pathname))
    .replace(/^(\.\.[/\\])+/, '')
    .replace(/^[/\\]+/, '')
  const extension = extname(relative)
  if (relative !== '' && relative !== 'index.html' && extension !== '') {
    const file = join(STOREFRONT_DIR, relative)
    if (!file.startsWith(STOREFRONT_DIR) || !existsSync(file))
      return { status: 404, type: 'text/plain; charset=utf-8', body: `Not found: ${pathname}` }
    return { status: 200, type: TYPES[extension] ?? 'application/octet-stream', body: await readFile(file) }
  }
  const page = await readFile(join(STOREFRONT_DIR, 'index.html'), 'utf8')
  return {
    status: 200,
    type: TYPES['.html'] ?? 'text/html',
    body: page.replace('<!-- ecrm:snippet -->', await loaderSnippet()),
  }
}
