import { mkdtempSync, rmSync } from 'node:fs'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { signUserId } from '../../packages/node/src/index.js'
import { createPgliteStore } from '../../packages/node/src/store/pgliteStore.js'
import { buildCli, failServe, startServe } from './serveProcess.js'
import type { ServeProcess } from './serveProcess.js'

const WRITE_KEY = 'wk_public'
const SECRET_KEY = 'sk_server_of_the_shop_0123'
const IDENTITY_SECRET = 'id_secret_of_the_shop'
const basic = (key: string): string => `Basic ${Buffer.from(`${key}:`).toString('base64')}`

let cli: string
let server: ServeProcess
let dataDir: string
let sequence = 0
const id = (prefix: string): string => `${prefix}-${(sequence += 1)}`

/** A browser's request: text/plain, the write key in the body, from a page of another origin. */
async function fromBrowser(
  events: readonly Record<string, unknown>[],
): Promise<{ status: number; body: any; headers: Headers }> {
  const response = await fetch(`${server.url}/v1/batch`, {
    method: 'POST',
    headers: { 'content-type': 'text/plain', origin: 'https://anywhere.example' },
    body: JSON.stringify({ writeKey: WRITE_KEY, batch: events }),
  })
  return { status: response.status, body: await response.json(), headers: response.headers }
}

/** A shop server's request: the secret key as Basic auth. */
async function fromServer(events: readonly Record<string, unknown>[]): Promise<{ status: number; body: any }> {
  const response = await fetch(`${server.url}/v1/batch`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: basic(SECRET_KEY) },
    body: JSON.stringify({ batch: events }),
  })
  return { status: response.status, body: await response.json() }
}

const track = (fields: Record<string, unknown>): Record<string, unknown> => ({
  type: 'track',
  messageId: id('m'),
  event: 'Signed Up',
  ...fields,
})

beforeAll(async () => {
  cli = await buildCli('cli-security')
  dataDir = mkdtempSync(join(tmpdir(), 'ecrm-serve-security-'))
  server = await startServe(cli, [
    '--data-dir',
    dataDir,
    '--write-key',
    WRITE_KEY,
    '--secret-key',
    SECRET_KEY,
    '--identity-secret',
    IDENTITY_SECRET,
    // Generous, so the other tests never meet it; the bounds have their own servers below.
    '--rate-limit',
    '1000',
    '--new-customers-per-ip-per-minute',
    '100000',
    '--new-customers-per-minute',
    '100000',
  ])
}, 120_000)
afterAll(async () => {
  await server?.stop()
  rmSync(dataDir, { recursive: true, force: true })
})

describe('ecrm serve: one poison event never sinks a batch', () => {
  it('stores the valid events and lists each poison one, by kind, with its path', async () => {
    const poison: [string, Record<string, unknown>, (string | number)[]][] = [
      ['NUL in a property', track({ anonymousId: 'p-a', properties: { note: 'a\u0000b' } }), ['properties', 'note']],
      [
        'lone surrogate in typed text',
        track({ anonymousId: 'p-a', properties: { search: 'shoes \ud83d' } }),
        ['properties', 'search'],
      ],
      ['NUL in a key', track({ anonymousId: 'p-a', properties: { 'gift\u0000': true } }), ['properties', 'gift\u0000']],
      ['NUL in the userId', track({ userId: 'u\u0000', anonymousId: 'p-a' }), ['userId']],
      [
        'lone surrogate under an unknown key',
        track({ anonymousId: 'p-a', extra: { text: '\udc00' } }),
        ['extra', 'text'],
      ],
      ['year 0000', track({ anonymousId: 'p-a', timestamp: '0000-01-01T00:00:00.000Z' }), ['timestamp']],
      ['offset +23:59', track({ anonymousId: 'p-a', timestamp: '2026-01-01T00:00:00+23:59' }), ['timestamp']],
    ]
    const valid = [
      track({ anonymousId: 'p-a' }),
      track({ anonymousId: 'p-b', properties: { emoji: 'on sale 😀' } }),
      track({ anonymousId: 'p-c' }),
    ]
    const batch = [valid[0], ...poison.map(([, event]) => event), valid[1], valid[2]] as Record<string, unknown>[]
    const { status, body, headers } = await fromBrowser(batch)
    expect(status).toBe(200)
    expect(headers.get('x-content-type-options')).toBe('nosniff')
    expect(body.accepted).toBe(3)
    expect(body.rejected.map((r: { index: number }) => r.index)).toEqual(poison.map((_, n) => n + 1))
    poison.forEach(([, , path], n) => {
      expect(body.rejected[n].issues[0].path).toEqual(['batch', n + 1, ...path])
    })
    // Sent again, the valid ones are duplicates: they were stored.
    expect((await fromBrowser(valid)).body).toMatchObject({ accepted: 0, duplicates: 3 })
  })
})

describe('ecrm serve: the public key acts on its own device only', () => {
  /** A victim with a userId, a device and an order, stored by the shop's server. */
  async function victim(): Promise<{ userId: string; anonymousId: string; events: Record<string, unknown>[] }> {
    const userId = id('victim')
    const anonymousId = id('victim-device')
    const events = [
      { type: 'identify', messageId: id('m'), userId, anonymousId, traits: { email: `${userId}@shop.example` } },
      track({ userId, anonymousId, event: 'Order Completed', properties: { order_id: id('o'), total: 42 } }),
    ]
    const result = await fromServer(events)
    expect(result.body.accepted).toBe(2)
    return { userId, anonymousId, events }
  }
  const erasure = (fields: Record<string, unknown>): Record<string, unknown> =>
    track({ event: 'Data Erasure Requested', ...fields })
  /** Duplicates on a re-send of the victim's two events mean they are still stored. */
  const isStored = async (messages: readonly Record<string, unknown>[]): Promise<number> =>
    (await fromServer(messages)).body.duplicates

  it('refuses an erasure of a victim by userId with the write key, from any origin, and erases nothing', async () => {
    const userId = id('victim')
    const stored = [
      track({
        userId,
        anonymousId: id('victim-device'),
        event: 'Order Completed',
        properties: { order_id: id('o'), total: 5 },
      }),
    ]
    await fromServer(stored)
    const { status, body } = await fromBrowser([erasure({ userId })])
    expect(status).toBe(400)
    expect(body.error.rejected[0].issues[0]).toMatchObject({
      path: ['batch', 0, 'userId'],
      code: 'identity_not_verified',
    })
    expect(await isStored(stored)).toBe(1)
  })

  it('erases only the sender’s own device when a browser names a victim beside its anonymousId', async () => {
    const { userId, events } = await victim()
    const attackerDevice = id('attacker-device')
    const { status, body } = await fromBrowser([erasure({ userId, anonymousId: attackerDevice })])
    expect(status).toBe(200)
    expect(body.rejected).toEqual([])
    expect(await isStored(events)).toBe(2)
  })

  it('lets a browser forget() its own device', async () => {
    const anonymousId = id('own-device')
    const visit = [track({ anonymousId }), track({ anonymousId, event: 'Newsletter Opened' })]
    await fromBrowser(visit)
    expect((await fromBrowser([erasure({ anonymousId, properties: { anonymousId, userId: null } })])).status).toBe(200)
    // Erased: the same messages are new again.
    expect((await fromServer(visit)).body).toMatchObject({ accepted: 2, duplicates: 0 })
  })

  it('refuses an alias that would move a victim’s user id onto the sender, and changes nothing', async () => {
    const { userId } = await victim()
    const attacker = id('attacker')
    await fromBrowser([{ type: 'identify', messageId: id('m'), userId: attacker, anonymousId: id('attacker-device') }])
    const { status, body } = await fromBrowser([
      { type: 'alias', messageId: id('m'), userId: attacker, previousId: userId },
    ])
    expect(status).toBe(400)
    expect(body.error.rejected[0].issues[0]).toMatchObject({
      path: ['batch', 0, 'previousId'],
      code: 'identity_not_verified',
    })
    const store = await openStoreAfter()
    try {
      const owners = await store.query<{ value: string; customer_id: string }>(
        "select value, customer_id from ecrm_identities where kind = 'user_id' and value = any($1::text[])",
        [[userId, attacker]],
      )
      expect(new Set(owners.map((row) => row.customer_id)).size).toBe(2)
    } finally {
      await reopen(store)
    }
  }, 120_000)

  it('erases and aliases with the secret key', async () => {
    const { userId, events } = await victim()
    const other = id('renamed')
    expect(
      (await fromServer([{ type: 'alias', messageId: id('m'), userId: other, previousId: userId }])).body.accepted,
    ).toBe(1)
    const result = await fromServer([erasure({ userId: other })])
    expect(result.status).toBe(200)
    // Everything of the customer went, under both user ids: its events are new again.
    expect(await isStored(events)).toBe(0)
  })

  it('trusts a browser’s identify carrying a valid userHash, and refuses a forged one', async () => {
    const { userId, events } = await victim()
    const device = id('second-identified-device')
    const other = id('other-user')
    await fromServer([{ type: 'identify', messageId: id('m'), userId: other, anonymousId: device }])
    // `device` belongs to another identified customer: merging needs a verified userHash.
    const forged = await fromBrowser([
      {
        type: 'identify',
        messageId: id('m'),
        userId,
        anonymousId: device,
        context: { userHash: signUserId(userId, 'wrong secret') },
      },
    ])
    expect(forged.status).toBe(400)
    expect(forged.body.error.rejected[0].issues[0].code).toBe('identity_merge_refused')
    const verified = await fromBrowser([
      {
        type: 'identify',
        messageId: id('m'),
        userId,
        anonymousId: device,
        context: { userHash: signUserId(userId, IDENTITY_SECRET) },
      },
    ])
    expect(verified.body).toMatchObject({ accepted: 1, rejected: [] })
    // And a verified erasure by userId erases the customer.
    expect(
      (await fromBrowser([erasure({ userId, context: { userHash: signUserId(userId, IDENTITY_SECRET) } })])).status,
    ).toBe(200)
    expect(await isStored(events)).toBe(0)
  })
})

describe('ecrm serve: requests an attacker shapes', () => {
  it('answers an invalid Host header with 400, not 500', async () => {
    const port = Number(new URL(server.url).port)
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => {
        socket.write(
          'POST /v1/batch HTTP/1.1\r\nHost: bad host[\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}',
        )
      })
      let text = ''
      socket.on('data', (chunk) => (text += chunk.toString()))
      socket.on('end', () => resolve(text))
      socket.on('error', reject)
    })
    expect(answer).toMatch(/^HTTP\/1\.1 400 /)
    expect(answer.toLowerCase()).toContain('x-content-type-options: nosniff')
    expect(answer).toContain('"code":"invalid_request"')
  })
})

describe('ecrm serve: limits on by default', () => {
  it('answers 429 with Retry-After once a write key + IP passes the default request rate', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ecrm-serve-rate-'))
    const limited = await startServe(cli, ['--data-dir', dir, '--write-key', WRITE_KEY])
    try {
      // 600 at once: the default bucket holds 100 and refills 50 a second.
      const answers = await Promise.all(
        Array.from({ length: 600 }, () =>
          fetch(`${limited.url}/v1/batch`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: basic(WRITE_KEY) },
            body: '{}',
          }),
        ),
      )
      const refused = answers.filter((answer) => answer.status === 429)
      expect(refused.length).toBeGreaterThan(0)
      expect(Number(refused[0]?.headers.get('retry-after'))).toBeGreaterThanOrEqual(1)
      await Promise.all(answers.map((answer) => answer.arrayBuffer()))
      expect(limited.output()).toContain(
        'limits: 50 requests/s per write key + IP; new customers 6000/min per write key, 300/min per IP',
      )
    } finally {
      await limited.stop()
      rmSync(dir, { recursive: true, force: true })
    }
  }, 120_000)

  it('bounds the customers one key + IP may create a minute, with 429 and Retry-After', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ecrm-serve-new-'))
    const bounded = await startServe(cli, [
      '--data-dir',
      dir,
      '--write-key',
      WRITE_KEY,
      '--new-customers-per-ip-per-minute',
      '20',
    ])
    try {
      const send = (count: number): Promise<Response> =>
        fetch(`${bounded.url}/v1/batch`, {
          method: 'POST',
          headers: { 'content-type': 'text/plain' },
          body: JSON.stringify({
            writeKey: WRITE_KEY,
            batch: Array.from({ length: count }, () => ({ type: 'page', messageId: id('m'), anonymousId: id('new') })),
          }),
        })
      expect((await send(25)).status).toBe(200)
      const refused = await send(1)
      expect(refused.status).toBe(429)
      expect(await refused.json()).toMatchObject({ error: { code: 'new_customer_limit' } })
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1)
    } finally {
      await bounded.stop()
      rmSync(dir, { recursive: true, force: true })
    }
  }, 120_000)
})

describe('ecrm serve: one data folder, one owner', () => {
  it('refuses to start a second process on the same data folder, with a clear message, and the first keeps serving', async () => {
    const second = await failServe(cli, ['--data-dir', dataDir, '--write-key', WRITE_KEY])
    expect(second.code).toBe(1)
    expect(second.output).toContain(`Opening the PGlite store failed: ${dataDir} (process ${server.child.pid} owns it`)
    expect((await fromBrowser([track({ anonymousId: id('still') })])).status).toBe(200)
  }, 120_000)
})

/** Stops the shared server to read its data folder directly (one owner at a time). */
async function openStoreAfter(): Promise<Awaited<ReturnType<typeof createPgliteStore>>> {
  await server.stop()
  return createPgliteStore(dataDir)
}

/** Closes the direct store and starts the shared server again on the same folder. */
async function reopen(store: Awaited<ReturnType<typeof createPgliteStore>>): Promise<void> {
  await store.close()
  server = await startServe(cli, [
    '--data-dir',
    dataDir,
    '--write-key',
    WRITE_KEY,
    '--secret-key',
    SECRET_KEY,
    '--identity-secret',
    IDENTITY_SECRET,
    '--rate-limit',
    '1000',
    '--new-customers-per-ip-per-minute',
    '100000',
    '--new-customers-per-minute',
    '100000',
  ])
}
