import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'rolldown'

const root = fileURLToPath(new URL('../../', import.meta.url))

/**
 * Bundles the `ecrm` CLI from the sources into node_modules/.cache/<folder>/cli.mjs (inside the
 * repo, so the optional peers such as PGlite's WASM resolve from node_modules; named cli.mjs, as
 * the CLI runs only under its own name) and returns the file to run.
 */
export async function buildCli(folder: string): Promise<string> {
  const outDir = join(root, 'node_modules', '.cache', 'ecrm-tests', folder)
  mkdirSync(outDir, { recursive: true })
  const file = join(outDir, 'cli.mjs')
  await build({
    input: join(root, 'packages/node/src/cli.ts'),
    platform: 'node',
    external: ['@electric-sql/pglite', 'pg', /[\\/]analyze[\\/]index\.(?:js|ts)$/, './analyze/index.js'],
    resolve: { alias: { '@ecrm/core': join(root, 'packages/core/src/index.ts') } },
    output: { file, format: 'esm', inlineDynamicImports: true },
    logLevel: 'silent',
  })
  return file
}

/** A running `ecrm serve`: its URL, everything it printed so far, and a way to stop it. */
export interface ServeProcess {
  readonly url: string
  readonly output: () => string
  /** Waits until the output matches, failing after `timeoutMs` with the output so far. */
  readonly waitFor: (pattern: RegExp, timeoutMs?: number) => Promise<void>
  /** SIGTERM, then the exit code. */
  readonly stop: () => Promise<number | null>
  readonly child: ChildProcess
}

/** Starts `node <cli> serve <args>` and resolves once it logs where it listens. */
export async function startServe(cli: string, args: readonly string[]): Promise<ServeProcess> {
  const child = spawn(process.execPath, [cli, 'serve', ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  const waiters = new Set<() => void>()
  const onData = (chunk: Buffer): void => {
    output += chunk.toString()
    for (const wake of [...waiters]) wake()
  }
  child.stdout?.on('data', onData)
  child.stderr?.on('data', onData)
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  const waitFor = (pattern: RegExp, timeoutMs = 60_000): Promise<void> =>
    new Promise((resolve, reject) => {
      const check = (): void => {
        if (!pattern.test(output)) return
        clearTimeout(timer)
        waiters.delete(check)
        resolve()
      }
      const timer = setTimeout(() => {
        waiters.delete(check)
        reject(new Error(`no output matching ${pattern} within ${timeoutMs} ms:\n${output}`))
      }, timeoutMs)
      waiters.add(check)
      check()
    })
  await waitFor(/listening on http:\/\/127\.0\.0\.1:\d+/)
  const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1] as string
  return {
    url,
    output: () => output,
    waitFor,
    stop: async () => {
      child.kill('SIGTERM')
      return exit
    },
    child,
  }
}
