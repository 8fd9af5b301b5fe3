import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'rolldown'

const root = fileURLToPath(new URL('../../', import.meta.url))
// Inside the repo so the bundle resolves the optional peers (PGlite's WASM files) from node_modules.
const outDir = join(root, 'node_modules', '.cache', 'ecrm-tests')

/**
 * Bundles the `ecrm` CLI from the sources into one file a test runs with `node`, as users run
 * the `ecrm` binary; returns its path. `name` keeps parallel test files from sharing a bundle.
 */
export async function buildCli(name = '.'): Promise<string> {
  // Named cli.mjs: the CLI runs its main only when invoked under that name (or `ecrm`).
  const cli = join(outDir, name, 'cli.mjs')
  mkdirSync(join(outDir, name), { recursive: true })
  await build({
    input: join(root, 'packages/node/src/cli.ts'),
    platform: 'node',
    // The optional peers stay external (PGlite loads its WASM next to its package); `ecrm analyze`
    // is another area with its own tests, kept out so this test builds whatever state it is in.
    external: ['@electric-sql/pglite', 'pg', /[\\/]analyze[\\/]index\.(?:js|ts)$/, './analyze/index.js'],
    resolve: { alias: { '@ecrm/core': join(root, 'packages/core/src/index.ts') } },
    output: { file: cli, format: 'esm', inlineDynamicImports: true },
    logLevel: 'silent',
  })
  return cli
}

/** A running `ecrm serve` child process. */
export interface ServeProcess {
  readonly child: ChildProcess
  /** e.g. `http://127.0.0.1:41234`, from its "listening on" line. */
  readonly url: string
  /** Everything it printed so far (stdout and stderr). */
  readonly output: () => string
  /** Resolves with the exit code. */
  readonly exit: Promise<number | null>
  /** SIGTERM, then the exit code. */
  readonly stop: () => Promise<number | null>
}

/** Runs `node <cli> serve --port 0 ...args` (with `env` added to this process's) and waits for its "listening on" line. */
export async function startServe(
  cli: string,
  args: readonly string[],
  env: Readonly<Record<string, string>> = {},
): Promise<ServeProcess> {
  const child = spawn(process.execPath, [cli, 'serve', '--port', '0', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  })
  let output = ''
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()))
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()))
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no "listening" line within 60 s:\n${output}`)), 60_000)
    const look = (): void => {
      const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output)
      if (match?.[1] !== undefined) {
        clearTimeout(timer)
        resolve(match[1])
      }
    }
    child.stdout.on('data', look)
    void exit.then((code) => {
      clearTimeout(timer)
      reject(new Error(`ecrm serve exited with ${code} before listening:\n${output}`))
    })
  })
  return {
    child,
    url,
    output: () => output,
    exit,
    stop: () => {
      child.kill('SIGTERM')
      return exit
    },
  }
}

/** Runs `node <cli> serve --port 0 ...args` expecting it to fail; resolves with its code and output. */
export async function failServe(
  cli: string,
  args: readonly string[],
): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, [cli, 'serve', '--port', '0', ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()))
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()))
  const code = await new Promise<number | null>((resolve) => child.once('exit', (exitCode) => resolve(exitCode)))
  return { code, output }
}
