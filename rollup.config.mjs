// Builds every package: ESM + .d.ts per package, plus the minified script-tag bundle and loader
// snippet of @ecrm/browser. Configs run in order, so core's dist exists before the adapters resolve it.
import { existsSync, readFileSync } from 'node:fs'
import nodeResolve from '@rollup/plugin-node-resolve'
import terser from '@rollup/plugin-terser'
import typescript from '@rollup/plugin-typescript'
import MagicString from 'magic-string'

const version = JSON.parse(readFileSync('packages/core/package.json', 'utf8')).version
const isBare = (id) => !id.startsWith('.') && !id.startsWith('/') && !id.startsWith('\0')
const replaceVersion = () => ({
  name: 'ecrm-version',
  transform(code) {
    if (!code.includes('__ECRM_VERSION__')) return null
    const edited = new MagicString(code).replaceAll('__ECRM_VERSION__', version)
    return { code: edited.toString(), map: edited.generateMap({ hires: true }) }
  },
})

/** ESM build of one package with declarations; dependencies stay external. */
function esm(pkg, entries, banner) {
  const input = Object.fromEntries(
    entries
      .filter((name) => existsSync(`packages/${pkg}/src/${name}.ts`) || existsSync(`packages/${pkg}/src/${name}.tsx`))
      .map((name) => [
        name,
        existsSync(`packages/${pkg}/src/${name}.ts`)
          ? `packages/${pkg}/src/${name}.ts`
          : `packages/${pkg}/src/${name}.tsx`,
      ]),
  )
  return {
    input,
    external: isBare,
    // A bare `import 'node:fs'` left behind for a dependency would make every importer load it: edge
    // bundlers then fail on the entry although the handler never calls it. External modules are
    // imported for their exports only.
    treeshake: { moduleSideEffects: 'no-external' },
    plugins: [
      replaceVersion(),
      typescript({
        tsconfig: `packages/${pkg}/tsconfig.json`,
        outDir: `packages/${pkg}/dist`,
        declaration: true,
        declarationDir: `packages/${pkg}/dist`,
        noEmitOnError: true,
        sourceMap: true,
        inlineSources: true,
      }),
    ],
    output: {
      dir: `packages/${pkg}/dist`,
      format: 'esm',
      entryFileNames: '[name].js',
      sourcemap: true,
      // One file per module, so bundlers of ESM users drop what they do not import (zod included).
      preserveModules: true,
      preserveModulesRoot: `packages/${pkg}/src`,
      ...(banner === undefined ? {} : { banner }),
    },
  }
}

/**
 * A self-contained minified IIFE for the browser. Core's dist keeps one file per module and core is
 * side-effect free, so only what the browser client reaches is bundled: zod stays out.
 */
function iife(entry, file) {
  return {
    input: `packages/browser/src/${entry}.ts`,
    plugins: [
      replaceVersion(),
      nodeResolve({ browser: true }),
      typescript({
        tsconfig: 'packages/browser/tsconfig.json',
        declaration: false,
        outDir: 'packages/browser/dist',
        noEmitOnError: true,
        sourceMap: true,
        inlineSources: true,
      }),
      // pure_getters: core and the adapter read no getters with side effects; unsafe_arrows/methods only
      // rewrite functions that never use `this` or `arguments`. Property names are never mangled.
      terser({
        ecma: 2020,
        compress: { passes: 3, pure_getters: true, unsafe_arrows: true, unsafe_methods: true },
        format: { comments: false },
      }),
    ],
    // 'hidden': the map is written beside the bundle without a sourceMappingURL comment, so the
    // bytes every page downloads stay the same; load the .map in devtools by hand to debug.
    output: { file: `packages/browser/dist/${file}`, format: 'iife', sourcemap: 'hidden' },
  }
}

const configs = [
  esm('core', ['index']),
  esm('browser', ['index']),
  iife('iife', 'ecrm.min.js'),
  iife('iifeOnsite', 'ecrm-onsite.min.js'),
  iife('snippet', 'snippet.min.js'),
  iife('push/serviceWorker', 'ecrm-sw.js'),
  // Next.js App Router needs the directive on the built file; rollup drops it from sources.
  esm('react', ['index'], "'use client'"),
  esm('node', ['index', 'edge', 'cli']),
].filter(Boolean)

export default configs
