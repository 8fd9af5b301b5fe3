// tests/postgres/postgresServer.ts, transpiled for benchmarks (which must not import test code
// through vitest), so a bench can start its own PostgreSQL 15 server as the tests do.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { repoRoot } from './paths.mjs'

const cached = join(repoRoot, 'bench', '.cache', 'postgresServer.mjs')

/** Transpiles the test helper once; returns its module ({ hasPostgres, startPostgres }), or null when absent. */
export async function loadPostgresServer() {
  const source = join(repoRoot, 'tests', 'postgres', 'postgresServer.ts')
  if (!existsSync(source)) return null
  if (!existsSync(cached)) {
    const ts = createRequire(join(repoRoot, 'package.json'))('typescript')
    mkdirSync(join(repoRoot, 'bench', '.cache'), { recursive: true })
    writeFileSync(
      cached,
      ts.transpileModule(readFileSync(source, 'utf8'), {
        compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
      }).outputText,
    )
  }
  return import(pathToFileURL(cached).href)
}
