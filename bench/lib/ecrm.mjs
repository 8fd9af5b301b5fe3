// Loads ecrm the way users get it: from the built dist (packages/*/dist). While the lead has not yet
// wired an area into a package index, dist lacks its names; then (and only then) the benchmark runs
// the same TypeScript sources transpiled one file at a time (no bundling, no minification, same code),
// and the report says so, so a number is never silently taken from somewhere else.
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'
import { pathToFileURL } from 'node:url'
import { createRequire } from 'node:module'
import { repoRoot } from './paths.mjs'

const cacheDir = join(repoRoot, 'bench', '.cache', 'src')
const require = createRequire(join(repoRoot, 'package.json'))

function walk(dir) {
  if (!existsSync(dir)) return []
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    return statSync(path).isDirectory() ? walk(path) : [path]
  })
}

let transpiled = false
/** Transpiles packages/<pkg>/src/** to bench/.cache/src/<pkg>/src/**, rewriting '@ecrm/core' to the core shim. */
function transpileSources() {
  if (transpiled) return
  const ts = require('typescript')
  for (const pkg of ['core', 'browser', 'node']) {
    const srcDir = join(repoRoot, 'packages', pkg, 'src')
    for (const file of walk(srcDir)) {
      if (!/\.tsx?$/.test(file) || file.endsWith('.d.ts')) continue
      const out = join(cacheDir, pkg, 'src', relative(srcDir, file)).replace(/\.tsx?$/, '.js')
      const code = ts.transpileModule(readFileSync(file, 'utf8'), {
        fileName: file,
        compilerOptions: {
          target: ts.ScriptTarget.ES2022,
          module: ts.ModuleKind.ESNext,
          verbatimModuleSyntax: true,
          jsx: ts.JsxEmit.ReactJSX,
        },
      }).outputText
      const shim = relative(dirname(out), join(cacheDir, 'core', 'all.js'))
      mkdirSync(dirname(out), { recursive: true })
      writeFileSync(
        out,
        code.replaceAll(/from (['"])@ecrm\/core\1/g, `from '${shim.startsWith('.') ? shim : `./${shim}`}'`),
      )
    }
  }
  // Every core module, so the shim holds a name before the lead lists it in the index. `export *`
  // drops a name two modules export with different bindings instead of failing; it is just absent.
  const coreSrc = join(cacheDir, 'core', 'src')
  const lines = walk(coreSrc)
    .filter((file) => file.endsWith('.js'))
    .map((file) => `export * from './src/${relative(coreSrc, file)}'`)
  writeFileSync(join(cacheDir, 'core', 'all.js'), `${lines.join('\n')}\n`)
  transpiled = true
}

/**
 * Imports `names` of ecrm package `pkg`. Returns { api, origin } where origin is 'dist' or a note
 * saying the sources were used and why; throws (with a reason fit for a skip) when a name is nowhere.
 * `transpile: false` uses the sources a parent process has already transpiled instead of loading
 * the TypeScript compiler, so a child that measures its own peak RSS does not count the compiler.
 */
export async function loadEcrm(pkg, names, { transpile = true } = {}) {
  const distFile = join(repoRoot, 'packages', pkg, 'dist', 'index.js')
  let missing = names
  if (existsSync(distFile)) {
    const dist = await import(pathToFileURL(distFile).href)
    missing = names.filter((name) => typeof dist[name] === 'undefined')
    if (missing.length === 0) return { api: dist, origin: 'dist' }
  }
  if (transpile) transpileSources()
  const entry = pkg === 'core' ? join(cacheDir, 'core', 'all.js') : join(cacheDir, pkg, 'src', 'index.js')
  let api = {}
  try {
    api = await import(pathToFileURL(entry).href)
  } catch (error) {
    throw new Error(`@ecrm/${pkg} sources do not load (${error.message.split('\n')[0]})`)
  }
  // A package index that is still a stub: look in the source files themselves.
  const found = { ...api }
  for (const name of names.filter((n) => found[n] === undefined)) {
    for (const file of walk(join(cacheDir, pkg, 'src')).filter((f) => f.endsWith('.js'))) {
      if (
        !readFileSync(file, 'utf8').includes(`export function ${name}`) &&
        !readFileSync(file, 'utf8').includes(`export const ${name}`)
      )
        continue
      const module = await import(pathToFileURL(file).href)
      if (module[name] !== undefined) {
        found[name] = module[name]
        break
      }
    }
  }
  const absent = names.filter((name) => found[name] === undefined)
  if (absent.length > 0) throw new Error(`@ecrm/${pkg} has no ${absent.join(', ')} yet (neither in dist nor in src)`)
  return { api: found, origin: `src (transpiled; packages/${pkg}/dist/index.js lacks ${missing.join(', ')})` }
}
