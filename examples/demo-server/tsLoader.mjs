// Node module hooks that run the demo straight from the TypeScript sources (Node 20 cannot strip
// types by itself): `@ecrm/<package>` resolves to packages/<package>/src/index.ts, a `./x.js`
// import from a .ts file finds `./x.ts`, and .ts files are transpiled (types erased, no checks:
// `npm run typecheck` does those) with the compiler the repository already has.
import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import ts from 'typescript'

const root = new URL('../../', import.meta.url)
const workspace = /^@ecrm\/(core|node|browser)$/

/** Resolve hook: workspace packages to their sources, `.js` specifiers to `.ts` siblings. */
export async function resolve(specifier, context, next) {
  const match = workspace.exec(specifier)
  if (match) return { url: new URL(`packages/${match[1]}/src/index.ts`, root).href, shortCircuit: true }
  if (specifier.startsWith('.') && specifier.endsWith('.js') && context.parentURL?.endsWith('.ts')) {
    const candidate = new URL(`${specifier.slice(0, -3)}.ts`, context.parentURL)
    if (existsSync(fileURLToPath(candidate))) return { url: candidate.href, shortCircuit: true }
  }
  return next(specifier, context)
}

/** Load hook: transpiles TypeScript to an ES module. */
export async function load(url, context, next) {
  if (!url.startsWith('file:') || !url.endsWith('.ts')) return next(url, context)
  const fileName = fileURLToPath(url)
  const { outputText } = ts.transpileModule(await readFile(fileName, 'utf8'), {
    fileName,
    compilerOptions: {
      module: ts.ModuleKind.ESNext,
      target: ts.ScriptTarget.ES2022,
      verbatimModuleSyntax: true,
      inlineSourceMap: true,
    },
  })
  return { format: 'module', source: outputText, shortCircuit: true }
}
