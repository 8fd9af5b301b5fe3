// The ingest handler as an edge app ships it: @ecrm/node/edge from the built dist, bundled by
// esbuild for a web-platform target (no Node built-ins), then run inside edge-runtime (the Vercel
// Edge sandbox) answering a real batch. The store lives in the host process, as a remote store
// would for an edge function; the events land in a real PGlite.
import { execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { build } from 'esbuild'
import { EdgeRuntime } from 'edge-runtime'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createPgliteStore } from '../../packages/node/src/store/pgliteStore.js'
import type { Store } from '../../packages/node/src/store/storeTypes.js'

const entry = 'packages/node/dist/edge.js'

describe('@ecrm/node/edge on an edge runtime', () => {
  let code: string
  let store: Store
  beforeAll(async () => {
    if (!existsSync(entry)) execFileSync('npm', ['run', '--silent', 'build'], { stdio: 'inherit' })
    const outdir = mkdtempSync(join(tmpdir(), 'ecrm-edge-'))
    const app = join(outdir, 'app.js')
    await build({
      stdin: {
        contents: `import { createIngestHandler } from '@ecrm/node/edge'
          const ingest = createIngestHandler({ store: globalThis.hostStore, writeKeys: ['wk_edge'] })
          addEventListener('fetch', (event) => event.respondWith(ingest(event.request)))`,
        resolveDir: process.cwd(),
        loader: 'js',
      },
      bundle: true,
      platform: 'browser',
      format: 'iife',
      minify: true,
      outfile: app,
      logLevel: 'silent',
    })
    code = readFileSync(app, 'utf8')
    store = await createPgliteStore('memory://')
  }, 120_000)
  afterAll(async () => {
    await store?.close()
  })

  it('the bundle holds no node: import', () => {
    expect(code).not.toMatch(/["']node:/)
  })

  it('answers 200 to a browser batch and stores it', async () => {
    const runtime = new EdgeRuntime({
      initialCode: code,
      extend: (context) => Object.assign(context, { hostStore: store }),
    })
    const body = JSON.stringify({
      writeKey: 'wk_edge',
      batch: [
        {
          type: 'track',
          event: 'Order Completed',
          messageId: 'edge-1',
          anonymousId: 'anon-edge',
          timestamp: new Date().toISOString(),
          properties: { order_id: 'o-1', total: 12.5 },
        },
      ],
    })
    const response = await runtime.dispatchFetch('https://collect.shop.example/v1/batch', {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body,
    })
    expect(response.status, await response.clone().text()).toBe(200)
    const rows = await store.query<{ n: number }>(
      "select count(*)::int as n from ecrm_events where payload->>'messageId' = 'edge-1'",
    )
    expect(rows).toEqual([{ n: 1 }])
  })
})
