import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildCli } from './serveProcess.js'

let cli: string
const dataDir = mkdtempSync(join(tmpdir(), 'ecrm-cli-'))

beforeAll(async () => {
  cli = await buildCli()
}, 60_000)
afterAll(() => rmSync(dataDir, { recursive: true, force: true }))

describe('ecrm serve', () => {
  it('logs where it listens on 127.0.0.1, ingests, and stops cleanly on SIGTERM', async () => {
    const child = spawn(process.execPath, [cli, 'serve', '--port', '0', '--data-dir', dataDir, '--write-key', 'wk_cli'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let output = ''
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()))
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()))
    const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no "listening" line within 60 s:\n${output}`)), 60_000)
      child.stdout.on('data', () => {
        const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output)
        if (match?.[1] !== undefined) {
          clearTimeout(timer)
          resolve(match[1])
        }
      })
    })
    expect(output).toMatch(new RegExp(`storing in PGlite in ${dataDir}`))
    const send = (key: string) =>
      fetch(`${url}/v1/track`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Basic ${Buffer.from(`${key}:`).toString('base64')}` },
        body: JSON.stringify({ messageId: 'cli-1', userId: 'u-1', event: 'Signed Up' }),
      })
    const accepted = await send('wk_cli')
    expect(accepted.status).toBe(200)
    expect(await accepted.json()).toMatchObject({ accepted: 1 })
    expect((await send('other')).status).toBe(401)
    child.kill('SIGTERM')
    expect(await exit).toBe(0)
    expect(output).toMatch(/SIGTERM received, stopping[\s\S]*stopped/)
  }, 90_000)

  it('exits 2 with the usage on an unknown command', async () => {
    const child = spawn(process.execPath, [cli, 'nonsense'], { stdio: ['ignore', 'pipe', 'pipe'] })
    let errors = ''
    child.stderr.on('data', (chunk: Buffer) => (errors += chunk.toString()))
    const code = await new Promise((resolve) => child.once('exit', resolve))
    expect(code).toBe(2)
    expect(errors).toMatch(/unknown command "nonsense"[\s\S]*Usage: ecrm/)
  })
})
