// A quick loop for working on the ingest path: bundles the current sources of @ecrm/node (esbuild,
// dependencies external), then posts 10,000 Order Completed events in batches of 100 (5,000
// customers, the bodies bench/node.bench.mjs posts, from bench/lib/nodeWorkload.mjs) to createIngestHandler over a PGlite store in a temp
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
import { ingestBodies, postBodies } from '../lib/nodeWorkload.mjs'
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
  const { ms, failed, firstRate, lastRate } = await postBodies(handler, ingestBodies(TOTAL, Date.now()))
  const [{ size }] = await store.query("select pg_total_relation_size('ecrm_profiles') as size")
  await store.close()
  rmSync(dir, { recursive: true, force: true })
  console.log(
    `${Math.round((TOTAL / ms) * 1000)} events/s (first quarter ${Math.round(firstRate)}, last ${Math.round(lastRate)}), ${failed} failed, profiles table ${Math.round(Number(size) / 1024)} KB, peak RSS ${Math.round(process.resourceUsage().maxRSS / 1024)} MB`,
  )
}

if (process.argv.includes('--child')) await child()
else {
  const esbuild = createRequire(join(repoRoot, 'package.json'))('esbuild')
  mkdirSync(outDir, { recursive: true })
  await esbuild.build({
    entryPoints: [join(srcRoot, 'packages/node/src/index.ts')],
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    outfile: bundle,
    external: ['ky', 'zod', 'pg', '@electric-sql/pglite'],
    alias: { '@ecrm/core': join(srcRoot, 'packages/core/src/index.ts') },
    logLevel: 'warning',
  })
  if (!existsSync(join(outDir, 'node_modules')))
    symlinkSync(join(repoRoot, 'node_modules'), join(outDir, 'node_modules'))
  const prof = process.env.PROF === '1' ? ['--cpu-prof', `--cpu-prof-dir=${join(outDir, 'prof')}`] : []
  spawnSync(process.execPath, [...prof, fileURLToPath(import.meta.url), '--child'], { stdio: 'inherit' })
}
