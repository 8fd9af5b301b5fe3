import { spawn } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createPgliteStore } from '../../packages/node/src/store/pgliteStore.js'
import { buildCli, startServe } from './serveProcess.js'

let cli: string
const dataDir = mkdtempSync(join(tmpdir(), 'ecrm-cli-'))

beforeAll(async () => {
  cli = await buildCli()
}, 60_000)
afterAll(() => rmSync(dataDir, { recursive: true, force: true }))

describe('ecrm serve', () => {
  it('logs where it listens on 127.0.0.1, ingests, and stops cleanly on SIGTERM', async () => {
    const { url, output, stop } = await startServe(cli, ['--data-dir', dataDir, '--write-key', 'wk_cli'])
    expect(output()).toMatch(new RegExp(`storing in PGlite in ${dataDir}`))
    const send = (key: string) =>
      fetch(`${url}/v1/track`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `Basic ${Buffer.from(`${key}:`).toString('base64')}`,
        },
        body: JSON.stringify({ messageId: 'cli-1', userId: 'u-1', event: 'Signed Up' }),
      })
    const accepted = await send('wk_cli')
    expect(accepted.status).toBe(200)
    expect(await accepted.json()).toMatchObject({ accepted: 1 })
    expect((await send('other')).status).toBe(401)
    expect(await stop()).toBe(0)
    expect(output()).toMatch(/SIGTERM received, stopping[\s\S]*stopped/)
  }, 90_000)

  it('mounts the read API beside ingest with ECRM_SECRET_KEYS: a customer sent to /v1/batch is read at /v1/profiles/:id', async () => {
    const secret = 'sk_cli_0123456789abcdef'
    const readDir = mkdtempSync(join(tmpdir(), 'ecrm-cli-read-'))
    const { url, stop } = await startServe(cli, ['--data-dir', readDir, '--write-key', 'wk_cli'], {
      ECRM_SECRET_KEYS: secret,
    })
    const batch = [
      {
        type: 'identify',
        messageId: 'cli-r-1',
        userId: 'reader-1',
        traits: { email: 'Reader@Example.com' },
        timestamp: new Date(Date.now() - 60_000).toISOString(),
      },
      {
        type: 'track',
        messageId: 'cli-r-2',
        userId: 'reader-1',
        event: 'Order Completed',
        properties: { order_id: 'r-1', total: 30, currency: 'EUR' },
        timestamp: new Date().toISOString(),
      },
    ]
    const sent = await fetch(`${url}/v1/batch`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: JSON.stringify({ writeKey: 'wk_cli', batch }),
    })
    expect(sent.status).toBe(200)
    const read = await fetch(`${url}/v1/profiles/reader%40example.com`, {
      headers: { authorization: `Bearer ${secret}` },
    })
    expect(read.status).toBe(200)
    const { profile } = (await read.json()) as {
      profile: {
        identities: { userIds: string[] }
        money: { revenue: number }
        rfm: { segment: string } | null
        lead: { grade: string } | null
      }
    }
    expect(profile.identities.userIds).toEqual(['reader-1'])
    expect(profile.money.revenue).toBe(30)
    expect(profile.rfm?.segment).toMatch(/^[a-z_]+$/)
    expect(profile.lead?.grade).toMatch(/^[A-D][1-3]$/)
    // The write key never reads; without a key only the OpenAPI document answers.
    expect((await fetch(`${url}/v1/profiles/reader-1`, { headers: { authorization: 'Bearer wk_cli' } })).status).toBe(
      401,
    )
    expect((await fetch(`${url}/v1/openapi.json`)).status).toBe(200)
    expect(await stop()).toBe(0)
    rmSync(readDir, { recursive: true, force: true })
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

/** Runs the built CLI to its exit; resolves with the code and everything it printed. */
function runCli(args: string[]): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, [cli, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()))
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()))
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, output })))
}

describe('ecrm serve --config and ecrm refresh', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ecrm-cli-refresh-'))
  const data = join(dir, 'data')
  const config = join(dir, 'ecrm.config.json')
  afterAll(() => rmSync(dir, { recursive: true, force: true }))
  writeFileSync(
    config,
    JSON.stringify({
      segments: { vip: { name: 'VIP', when: { '>=': [{ var: 'money.revenue' }, 100] } } },
      loyalty: {
        pointsPerUnit: 1,
        tiers: [
          { id: 'member', minPoints: 0 },
          { id: 'gold', minPoints: 100 },
        ],
      },
      rfm: { method: 'auto', recencyEdgesDays: [7, 30, 90, 180] },
      refresh: { everyMinutes: 0 },
      exposeSegments: ['vip'],
    }),
  )

  it("serves with the config (the batch answer names the visitor's allowed segments), then refresh re-derives the stored profiles", async () => {
    const { url, stop } = await startServe(cli, ['--data-dir', data, '--config', config])
    const now = Date.now()
    const batch = [60, 70].map((total, n) => ({
      type: 'track',
      messageId: `cfg-${n}`,
      userId: 'cfg-u',
      event: 'Order Completed',
      timestamp: new Date(now - (n + 1) * 1000).toISOString(),
      properties: { order_id: `cfg-o${n}`, total },
    }))
    const answer = await fetch(`${url}/v1/batch`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: JSON.stringify({ writeKey: 'any', batch }),
    })
    expect(await answer.json()).toMatchObject({ accepted: 2, segments: ['vip'] })
    expect(await stop()).toBe(0)

    const refreshed = await runCli(['refresh', '--data-dir', data, '--config', config, '--page-size', '10'])
    expect(refreshed.code).toBe(0)
    expect(refreshed.output).toMatch(/ecrm refresh: 1 profiles \(1 buyers\), RFM by fixed, CLV not fitted/)
    const store = await createPgliteStore(data)
    try {
      const profile = await store.getProfile('cfg-u')
      expect(profile).toMatchObject({
        segments: ['vip'],
        loyalty: { balance: 130, tier: 'gold' },
        rfm: { r: 5, method: 'fixed' },
      })
      expect(await store.query('select count(*)::int as n from ecrm_models')).toEqual([{ n: 1 }])
    } finally {
      await store.close()
    }
  }, 120_000)

  it('exits 2 naming the path of a fault in the config file', async () => {
    const bad = join(dir, 'bad.json')
    writeFileSync(
      bad,
      JSON.stringify({
        rfm: { recencyEdgesDays: [7, 30] },
        segments: { vip: { name: 'VIP', when: { nonsense_op: [1] } } },
      }),
    )
    const { code, output } = await runCli(['refresh', '--data-dir', data, '--config', bad])
    expect(code).toBe(2)
    expect(output).toMatch(/Invalid config file .*bad\.json: rfm\.recencyEdgesDays/)
  }, 60_000)
})
