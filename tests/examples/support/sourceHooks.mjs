// Module hooks for running an example in a child process against the packages' TypeScript
// sources, so the e2e tests need no `npm run build` first: `@ecrm/<pkg>` resolves to
// packages/<pkg>/src/index.ts, `./x.js` imported from a .ts file to `./x.ts`, and .ts files are
// transpiled one by one with esbuild (types erased only; `npm run typecheck` checks them).
import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { transform } from 'esbuild'

const packagesUrl = new URL('../../../packages/', import.meta.url)
const ecrmPackage = /^@ecrm\/(core|node|browser|react)$/

export async function resolve(specifier, context, nextResolve) {
  const workspace = ecrmPackage.exec(specifier)
  if (workspace !== null) return { url: new URL(`${workspace[1]}/src/index.ts`, packagesUrl).href, shortCircuit: true }
  const fromTs = context.parentURL !== undefined && context.parentURL.endsWith('.ts')
  if (fromTs && specifier.startsWith('.') && specifier.endsWith('.js')) {
    const sibling = new URL(`${specifier.slice(0, -'.js'.length)}.ts`, context.parentURL)
    if (existsSync(fileURLToPath(sibling))) return { url: sibling.href, shortCircuit: true }
  }
  return nextResolve(specifier, context)
}

export async function load(url, context, nextLoad) {
  if (!url.startsWith('file:') || !url.endsWith('.ts')) return nextLoad(url, context)
  const fileName = fileURLToPath(url)
  const output = await transform(await readFile(fileName, 'utf8'), {
    loader: 'ts',
    format: 'esm',
    target: 'es2022',
    sourcefile: fileName,
  })
  return { format: 'module', source: output.code, shortCircuit: true }
}
