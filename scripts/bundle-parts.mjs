// What each module costs in a script-tag bundle: builds the bundle with the project's own rollup
// config (same plugins, same terser options), prints its minified and gzip size, then each module's
// share. A module's share is its code minified alone (names mangled, nothing else) over the sum of
// those, applied to the gzip total: gzip cannot be split exactly by module, so the per-module
// figures are an attribution, the total is measured.
//
//   node scripts/bundle-parts.mjs                      dist/ecrm.min.js
//   node scripts/bundle-parts.mjs ecrm-onsite.min.js   the on-site bundle
import { gzipSync } from 'node:zlib'
import { relative } from 'node:path'
import { rollup } from 'rollup'
import { minify } from 'terser'
import configs from '../rollup.config.mjs'

const file = process.argv[2] ?? 'ecrm.min.js'
const config = configs.find((entry) => entry.output.file?.endsWith(`/${file}`))
if (config === undefined) {
  console.error(`No bundle named ${file} in rollup.config.mjs (try ecrm.min.js or ecrm-onsite.min.js)`)
  process.exit(1)
}

const bundle = await rollup({ ...config, onwarn: () => undefined })
const { output } = await bundle.generate(config.output)
await bundle.close()
const [chunk] = output
const gzip = gzipSync(chunk.code, { level: 9 }).length

const parts = []
for (const [id, module] of Object.entries(chunk.modules)) {
  if (module.code === null || module.code.trim() === '') continue
  const alone = await minify(module.code, { compress: false, mangle: { toplevel: true }, module: true })
  parts.push({ id: relative(process.cwd(), id), minified: alone.code?.length ?? 0 })
}
const sum = parts.reduce((total, part) => total + part.minified, 0)
parts.sort((a, b) => b.minified - a.minified)

console.log(`${file}: ${chunk.code.length} B minified, ${gzip} B gzip (level 9, as size-limit measures a file)`)
console.log('gzip share  minified alone  module')
for (const part of parts) {
  const share = Math.round((part.minified / sum) * gzip)
  console.log(`${String(share).padStart(10)}  ${String(part.minified).padStart(14)}  ${part.id}`)
}
