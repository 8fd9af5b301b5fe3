// A quick loop for working on the ingest path: bundles the current sources of @ecrm/node (esbuild,
// dependencies external), then posts 10,000 Order Completed events in batches of 100 (5,000
// customers, as bench/node.bench.mjs does) to createIngestHandler over a PGlite store in a temp
// folder. Prints events/s (all, first and last quarter) and peak RSS. Not the published benchmark.
//
//   node bench/node/ingest.mjs                 PGlite
//   TOTAL=5000 PROF=1 node bench/node/ingest.mjs   fewer events; a CPU profile in /tmp/ecrm-ingest/prof
//   SRC_ROOT=/tmp/base ...                     another checkout, to compare
import { spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, existsSync, symlinkSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { repoRoot } from '../lib/paths.mjs'

const TOTAL = Number(process.env.TOTAL ?? 10_000)
const srcRoot = process.env.SRC_ROOT ?? repoRoot
const outDir = process.env.SRC_ROOT ? '/tmp/ecrm-ingest-base' : '/tmp/ecrm-ingest'
const bundle = join(outDir, 'node.mjs')

async function child() {
  const { createIngestHandler, createPgliteStore } = await import(pathToFileURL(bundle).href)
  const dir = mkdtempSync(join(tmpdir(), 'ecrm-ingest-'))
  const store = await createPgliteStore(dir)
  const handler = createIngestHandler({ store, writeKeys: ['bench'] })
  const now = Date.now()
  const userOf = (i) => `user-${i % 5_000}`
  const propertiesOf = (i) => ({
    order_id: `o-${i}`, total: 42.5 + (i % 100), currency: 'EUR',
    products: [{ product_id: `sku-${i % 500}`, price: 19.99, quantity: 1 }, { product_id: `sku-${(i * 7) % 500}`, price: 22.51, quantity: 2 }],
  })
  const bodies = []
  for (let b = 0; b < TOTAL / 100; b++) {
    const batch = Array.from({ length: 100 }, (_, k) => {
      const i = b * 100 + k
      return { type: 'track', event: 'Order Completed', userId: userOf(i), properties: propertiesOf(i), messageId: `m-${i}`, timestamp: new Date(now - i).toISOString() }
    })
    bodies.push(JSON.stringify({ batch, writeKey: 'bench', sentAt: new Date(now).toISOString() }))
  }
  const batchMs = []
  const start = performance.now()
  let failed = 0
  for (const body of bodies) {
    const t = performance.now()
    const response = await handler(new Request('http://127.0.0.1/v1/batch', { method: 'POST', body, headers: { 'content-type': 'text/plain' } }))
    batchMs.push(performance.now() - t)
    if (response.status >= 300) failed++
  }
  const ms = performance.now() - start
  const quarter = Math.max(1, Math.floor(batchMs.length / 4))
  const rateOf = (list) => (list.length * 100 * 1000) / list.reduce((a, b) => a + b, 0)
  const [{ size }] = await store.query("select pg_total_relation_size('ecrm_profiles') as size")
  await store.close()
  rmSync(dir, { recursive: true, force: true })
  console.log(`${Math.round((TOTAL / ms) * 1000)} events/s (first quarter ${Math.round(rateOf(batchMs.slice(0, quarter)))}, last ${Math.round(rateOf(batchMs.slice(-quarter)))}), ${failed} failed, profiles table ${Math.round(Number(size) / 1024)} KB, peak RSS ${Math.round(process.resourceUsage().maxRSS / 1024)} MB`)
}

if (process.argv.includes('--child')) await child()
else {
  const esbuild = createRequire(join(repoRoot, 'package.json'))('esbuild')
  mkdirSync(outDir, { recursive: true })
  await esbuild.build({
    entryPoints: [join(srcRoot, 'packages/node/src/index.ts')], bundle: true, format: 'esm', platform: 'node', target: 'node20', outfile: bundle,
    external: ['ky', 'zod', 'pg', '@electric-sql/pglite'], alias: { '@ecrm/core': join(srcRoot, 'packages/core/src/index.ts') }, logLevel: 'warning',
  })
  if (!existsSync(join(outDir, 'node_modules'))) symlinkSync(join(repoRoot, 'node_modules'), join(outDir, 'node_modules'))
  const prof = process.env.PROF === '1' ? ['--cpu-prof', `--cpu-prof-dir=${join(outDir, 'prof')}`] : []
  spawnSync(process.execPath, [...prof, fileURLToPath(import.meta.url), '--child'], { stdio: 'inherit' })
}
