// Bundle size: what a storefront downloads. ecrm's script-tag bundle, loader snippet and ESM entry
// points beside the minified browser bundles the peers publish (their CDN/IIFE files, taken from
// bench/node_modules), each raw, gzip (level 9) and brotli (quality 11), all with node:zlib.
import { existsSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { brotliCompressSync, constants, gzipSync } from 'node:zlib'
import { fmt, ratio } from './lib/measure.mjs'
import { peersDir, repoRoot } from './lib/paths.mjs'
import { emit, progress } from './lib/result.mjs'

const require = createRequire(join(repoRoot, 'package.json'))

/** The peers' browser bundles: the file their CDN serves or its npm twin. */
const peers = [
  {
    name: '@segment/analytics-next',
    file: '@segment/analytics-next/dist/umd/standalone.js',
    what: 'dist/umd/standalone.js (the analytics.js CDN build; destinations and some middleware load as extra chunks)',
  },
  {
    name: 'posthog-js',
    file: 'posthog-js/dist/array.js',
    what: 'dist/array.js (the CDN array.js; recorder, surveys, toolbar load later on demand)',
  },
  {
    name: '@rudderstack/analytics-js',
    file: '@rudderstack/analytics-js/dist/npm/modern/umd/index.js',
    what: 'dist/npm/modern/umd/index.js, minified here (npm ships it unminified; plugins load from the CDN)',
    minify: true,
  },
  {
    name: 'mixpanel-browser',
    file: 'mixpanel-browser/dist/mixpanel.min.js',
    what: 'dist/mixpanel.min.js (the CDN build)',
  },
  {
    name: '@snowplow/browser-tracker',
    file: '@snowplow/browser-tracker/dist/index.umd.min.js',
    what: 'dist/index.umd.min.js (core tracker, no plugins)',
  },
]

/** Bundles an ESM entry: its own chunks inlined; bare imports external, or resolved too when `withDeps`. */
async function bundle(entryCode, { withDeps = false } = {}) {
  const { rollup } = require('rollup')
  const plugins = [
    {
      name: 'entry',
      resolveId: (id) => (id === 'entry' ? id : null),
      load: (id) => (id === 'entry' ? entryCode : null),
    },
  ]
  if (withDeps) plugins.push(require('@rollup/plugin-node-resolve').default({ browser: true }))
  const isBare = (id) => !id.startsWith('.') && !id.startsWith('/') && !id.startsWith('\0') && id !== 'entry'
  const build = await rollup({ input: 'entry', external: withDeps ? [] : isBare, plugins, onwarn: () => {} })
  const { output } = await build.generate({ format: 'esm', inlineDynamicImports: true })
  await build.close()
  return output.map((chunk) => chunk.code ?? '').join('\n')
}

async function minify(code) {
  const { minify: terser } = require('terser')
  // The same settings as ecrm's own build (rollup.config.mjs), so the comparison is even.
  const out = await terser(code, { ecma: 2020, compress: { passes: 2 }, format: { comments: false } })
  return out.code
}

function measure(code) {
  const bytes = Buffer.from(code)
  return {
    raw: bytes.length,
    gzip: gzipSync(bytes, { level: 9 }).length,
    brotli: brotliCompressSync(bytes, {
      params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length },
    }).length,
  }
}

function version(name) {
  try {
    return JSON.parse(readFileSync(join(peersDir, name, 'package.json'), 'utf8')).version
  } catch {
    return '?'
  }
}

const rows = []
const notes = []
const stubBytes = 512
const ecrmFiles = [
  {
    label: 'ecrm script tag',
    path: 'packages/browser/dist/ecrm.min.js',
    what: 'packages/browser/dist/ecrm.min.js (IIFE, everything bundled)',
  },
  {
    label: 'ecrm script tag with on-site intelligence',
    path: 'packages/browser/dist/ecrm-onsite.min.js',
    what: 'packages/browser/dist/ecrm-onsite.min.js (IIFE: plus local profile, on-site rules, experiments, lead score)',
  },
  {
    label: 'ecrm snippet',
    path: 'packages/browser/dist/snippet.min.js',
    what: 'packages/browser/dist/snippet.min.js (inline loader)',
  },
  ...['core', 'browser', 'node', 'react'].map((pkg) => ({
    label: `@ecrm/${pkg} ESM`,
    path: `packages/${pkg}/dist/index.js`,
    what: `packages/${pkg}/dist/index.js and its chunks, minified here (dependencies external, nothing tree-shaken)`,
    minify: true,
    entry: (path) => `export * from ${JSON.stringify(path)}`,
  })),
  {
    label: '@ecrm/browser ESM, app bundle',
    path: 'packages/browser/dist/index.js',
    minify: true,
    withDeps: true,
    what: "what an app bundler ships for `import { createBrowserClient } from '@ecrm/browser'` (with the on-site intelligence): tree-shaken with core (rollup + terser here)",
    entry: (path) => `export { createBrowserClient } from ${JSON.stringify(path)}`,
  },
  {
    label: '@ecrm/browser ESM, basic app bundle',
    path: 'packages/browser/dist/index.js',
    minify: true,
    withDeps: true,
    what: "what an app bundler ships for `import { createBasicBrowserClient } from '@ecrm/browser'`: capture and delivery, tree-shaken with core",
    entry: (path) => `export { createBasicBrowserClient } from ${JSON.stringify(path)}`,
  },
]
for (const file of ecrmFiles) {
  const path = join(repoRoot, file.path)
  if (!existsSync(path)) {
    notes.push(`${file.label}: skipped, ${file.path} is missing (run \`npx rollup -c\`).`)
    continue
  }
  let code = readFileSync(path, 'utf8')
  try {
    if (file.entry) code = await bundle(file.entry(path), { withDeps: file.withDeps === true })
  } catch (error) {
    notes.push(`${file.label}: skipped, bundling failed (${String(error.message).split('\n')[0]}).`)
    continue
  }
  // Each package's dist is one file per module, so only the bundled size says whether it is real.
  if (code.length < stubBytes && file.entry) {
    notes.push(`${file.label}: skipped, ${file.path} bundles to ${code.length} bytes: still a stub.`)
    continue
  }
  if (file.minify) code = await minify(code)
  progress(file.label)
  // DESIGN.md: zod must not reach the browser's runtime path. Its error class names survive minification.
  if (file.label.startsWith('ecrm script') || file.withDeps) {
    const hasZod = /\$ZodType|ZodError|\$constructor/.test(code)
    notes.push(
      `${file.label}: ${hasZod ? 'CONTAINS zod code (look for $ZodType / ZodError): the browser path pulls zod in' : 'no zod code found (checked for $ZodType, ZodError)'}.`,
    )
  }
  rows.push({ label: file.label, kind: 'ecrm', what: file.what, ...measure(code) })
}
for (const peer of peers) {
  const path = join(peersDir, peer.file)
  if (!existsSync(path)) {
    notes.push(`${peer.name}: skipped, ${peer.file} is not installed (npm --prefix bench ci).`)
    continue
  }
  progress(peer.name)
  let code = readFileSync(path, 'utf8')
  if (peer.minify) code = await minify(code)
  rows.push({ label: `${peer.name} ${version(peer.name)}`, kind: 'peer', what: peer.what, ...measure(code) })
}

const script = rows.find((row) => row.label === 'ecrm script tag')
const columns = ['bundle', 'raw', 'gzip', 'brotli', script ? 'brotli vs ecrm script tag' : 'note', 'file']
emit({
  id: 'size',
  title: 'Bundle size',
  origin: 'dist (packages/*/dist)',
  intro:
    'Bytes a storefront downloads before the first event can be sent. gzip level 9 and brotli quality 11 (node:zlib). ' +
    'Smaller is better. There is no physical floor for a whole SDK; the snippet is the smallest piece any page needs inline.',
  sections: [
    {
      title: 'Script-tag and ESM bundles',
      table: {
        columns,
        rows: rows.map((row) => [
          row.label,
          fmt(row.raw),
          fmt(row.gzip),
          fmt(row.brotli),
          script ? ratio(row.brotli, script.brotli) : '',
          row.what,
        ]),
      },
      chart: {
        title: 'Bundle size, brotli (KB, smaller is better)',
        unit: 'KB',
        higherIsBetter: false,
        bars: rows
          .filter((row) => !row.label.includes('ESM') || row.label.includes('app bundle'))
          .map((row) => ({ label: row.label, value: row.brotli / 1024, kind: row.kind })),
      },
    },
  ],
  notes,
})
