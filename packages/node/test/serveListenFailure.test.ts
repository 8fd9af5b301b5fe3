import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { createServer } from 'node:net'
import type { Server } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { defineRule } from '@ecrm/core'
import { startIngestServer } from '../src/serve.js'
import { createPgliteStore } from '../src/store/pgliteStore.js'

// The sources run in a child Node through the repository's TypeScript hooks (no build needed).
const hooks = fileURLToPath(new URL('../../../tests/examples/support/registerSourceHooks.mjs', import.meta.url))
const serveSource = fileURLToPath(new URL('../src/serve.ts', import.meta.url))

describe('startIngestServer when the port is taken', () => {
  let blocker: Server
  let port: number
  let folder: string

  beforeAll(async () => {
    folder = await mkdtemp(join(tmpdir(), 'ecrm-serve-busy-'))
    blocker = createServer()
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', () => resolve()))
    port = (blocker.address() as { port: number }).port
  })

  afterAll(async () => {
    await new Promise<void>((resolve) => blocker.close(() => resolve()))
    await rm(folder, { recursive: true, force: true })
  })

  it('rejects with EADDRINUSE, says which port, and leaves the data folder usable', async () => {
    const log: string[] = []
    const dataDir = join(folder, 'in-process')
    const rule = defineRule({
      id: 'cart_abandoned',
      when: 'Product Added',
      unless: 'Order Completed',
      within: '1h',
      then: { event: 'Cart Abandoned' },
    })
    await expect(
      startIngestServer({ port, dataDir, rules: [rule], log: (line) => void log.push(line) }),
    ).rejects.toMatchObject({ code: 'EADDRINUSE' })
    expect(log.some((line) => line.includes(`127.0.0.1:${port}`) && line.includes('in use'))).toBe(true)
    // PGlite holds postmaster.pid in its folder while open and removes it on close.
    expect(existsSync(join(dataDir, 'postmaster.pid'))).toBe(false)
    // The folder opens again and holds the schema the failed start made.
    const store = await createPgliteStore(dataDir)
    try {
      expect(await store.query('select count(*)::int as n from ecrm_events')).toEqual([{ n: 0 }])
    } finally {
      await store.close()
    }
  }, 60_000)

  it('lets the process exit on its own after the failed start (no handle left open)', async () => {
    const script = `
      import { startIngestServer } from ${JSON.stringify(serveSource)}
      try {
        await startIngestServer({ port: ${port}, dataDir: ${JSON.stringify(join(folder, 'child'))}, log: () => {} })
        console.log('started?!')
      } catch (error) {
        console.log('failed: ' + error.code)
      }`
    const child = spawn(process.execPath, ['--import', hooks, '--input-type=module', '-e', script], {
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let output = ''
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()))
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()))
    const timer = setTimeout(() => child.kill('SIGKILL'), 45_000)
    const code = await new Promise<number | null>((resolve) => child.on('exit', (exitCode) => resolve(exitCode)))
    clearTimeout(timer)
    expect({ code, output: output.trim() }).toEqual({ code: 0, output: 'failed: EADDRINUSE' })
  }, 60_000)
})
