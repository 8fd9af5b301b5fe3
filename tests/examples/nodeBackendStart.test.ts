import { spawn } from 'node:child_process'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { createPgliteStore } from '../../packages/node/src/store/pgliteStore.js'

const exampleDir = fileURLToPath(new URL('../../examples/node-backend/', import.meta.url))
const hooks = fileURLToPath(new URL('./support/registerSourceHooks.mjs', import.meta.url))

describe('examples/node-backend server.js (what `npm start` runs)', () => {
  it('prints its URLs, takes an order, and on SIGINT delivers it before exiting 0', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'ecrm-node-backend-start-'))
    const dataDir = join(folder, 'data')
    // The packages' sources instead of their dist (see sourceHooks.mjs): no build needed.
    const child = spawn(process.execPath, ['--import', hooks, 'server.js'], {
      cwd: exampleDir,
      env: { ...process.env, PORT: '0', ECRM_DATA_DIR: dataDir, ECRM_QUEUE_DIR: join(folder, 'queue') },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let output = ''
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()))
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()))
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
    try {
      const deadline = Date.now() + 100_000
      while (!/listening on (http:\/\/\S+)/.test(output)) {
        if (Date.now() > deadline || child.exitCode !== null) throw new Error(`server.js did not start:\n${output}`)
        await new Promise((resolve) => setTimeout(resolve, 100))
      }
      const url = /listening on (http:\/\/\S+)/.exec(output)?.[1] ?? ''
      expect(output).toContain(`collector  POST ${url}/v1/batch`)
      const response = await fetch(`${url}/orders`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          orderId: 'o-start',
          userId: 'u-start',
          products: [{ product_id: 'sku-1', price: 12.5, quantity: 2 }],
        }),
      })
      expect(await response.json()).toMatchObject({ orderId: 'o-start', total: 25 })
      // Right away: the order is still in the server client's queue, and Ctrl-C must deliver it.
      child.kill('SIGINT')
      expect(await exited).toBe(0)
      expect(output).toContain('stopping: delivering queued events')

      const store = await createPgliteStore(dataDir) // the same folder, as the next start would
      try {
        const rows = await store.query<{ user_id: string; total: number }>(
          "select user_id, (payload->'properties'->>'total')::float8 as total from ecrm_events where event = 'Order Completed'",
        )
        expect(rows).toEqual([{ user_id: 'u-start', total: 25 }])
      } finally {
        await store.close()
      }
      expect(await readFile(join(dataDir, 'emails.log'), 'utf8').catch(() => '')).toBe('') // nobody identified, no rule due
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL')
      await rm(folder, { recursive: true, force: true })
    }
  }, 150_000)
})
