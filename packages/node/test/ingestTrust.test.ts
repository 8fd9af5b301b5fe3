import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { request as httpRequest } from 'node:http'
import { describe, expect, it } from 'vitest'
import type { EcrmEvent } from '@ecrm/core'
import { createIngestHandler } from '../src/ingest/ingestHandler.js'
import type { IngestHandlerOptions } from '../src/ingest/ingestHandler.js'
import { createKeyMatcher } from '../src/ingest/keyMatcher.js'
import { toNodeListener } from '../src/ingest/nodeListener.js'
import { createRateLimiter } from '../src/ingest/rateLimiter.js'
import { signUserId } from '../src/ingest/signUserId.js'
import { createUserHashCheck } from '../src/ingest/userHash.js'
import { createPgliteStore } from '../src/store/pgliteStore.js'
import type { InsertEventsOptions, InsertEventsResult } from '../src/store/storeTypes.js'

const KEY = 'wk_public'
const SECRET = 'sk_server'
const basic = (key: string): string => `Basic ${Buffer.from(`${key}:`).toString('base64')}`

/** A store fake that records what the handler passed and refuses events by messageId. */
function createRecordingStore(refuse: ReadonlySet<string> = new Set()) {
  const calls: { events: readonly EcrmEvent[]; trusted: boolean[] }[] = []
  return {
    calls,
    async insertEvents(events: readonly EcrmEvent[], options: InsertEventsOptions = {}): Promise<InsertEventsResult> {
      calls.push({ events, trusted: events.map((event) => options.isTrusted?.(event) ?? true) })
      const refused = events
        .filter((event) => refuse.has(event.messageId))
        .map((event) => ({ event, issue: { path: ['anonymousId'], code: 'identity_merge_refused', message: 'no' } }))
      return {
        inserted: events.length - refused.length,
        duplicates: 0,
        erased: 0,
        refused,
        customersCreated: events.length - refused.length,
      }
    },
  }
}

function setup(overrides: Partial<IngestHandlerOptions> = {}, refuse?: ReadonlySet<string>) {
  const store = createRecordingStore(refuse)
  let time = Date.parse('2026-03-01T12:00:00.000Z')
  const handler = createIngestHandler({
    store,
    writeKeys: [KEY],
    secretKeys: [SECRET],
    identitySecrets: ['id-secret'],
    now: () => time,
    ...overrides,
  })
  return { store, handler, advance: (ms: number) => (time += ms) }
}

const event = (n: number, extra: Record<string, unknown> = {}) => ({
  type: 'track',
  messageId: `m-${n}`,
  anonymousId: 'a-1',
  event: 'Signed Up',
  ...extra,
})
const post = (body: unknown, headers: Record<string, string> = {}): Request =>
  new Request('http://collect.test/v1/batch', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  })

describe('createKeyMatcher', () => {
  it('matches exactly the known keys', async () => {
    const matches = createKeyMatcher(['alpha', 'beta'])
    expect(await Promise.all(['alpha', 'beta', 'alph', 'alphaa', '', 'BETA'].map(matches))).toEqual([
      true,
      true,
      false,
      false,
      false,
      false,
    ])
  })
})

describe('signUserId and createUserHashCheck', () => {
  it('agree, on a known HMAC-SHA256 vector, and refuse a hash of another user or secret', async () => {
    // RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?".
    expect(signUserId('what do ya want for nothing?', 'Jefe')).toBe(
      '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843',
    )
    const check = createUserHashCheck(['old', 'new'])
    expect(await check('user-42', signUserId('user-42', 'new'))).toBe(true)
    expect(await check('user-42', signUserId('user-42', 'old').toUpperCase())).toBe(true)
    expect(await check('user-43', signUserId('user-42', 'new'))).toBe(false)
    expect(await check('user-42', signUserId('user-42', 'other'))).toBe(false)
    expect(await check('user-42', 'not hex')).toBe(false)
  })
})

describe('createRateLimiter', () => {
  it('checks without taking, and charges after the fact into debt', () => {
    let time = 0
    const limit = createRateLimiter({ requestsPerSecond: 1, burst: 10 }, () => time)
    expect(limit.check('k')).toEqual({ ok: true })
    limit.charge('k', 25)
    expect(limit.check('k')).toEqual({ ok: false, retryAfterSeconds: 16 })
    time += 16_000
    expect(limit.check('k')).toEqual({ ok: true })
    expect(limit.take('k')).toEqual({ ok: true })
    expect(limit.take('k')).toEqual({ ok: false, retryAfterSeconds: 1 })
  })
})

describe('createIngestHandler: trust', () => {
  it('trusts every event sent with a secret key in the header, Basic or Bearer', async () => {
    const { handler, store } = setup()
    for (const authorization of [basic(SECRET), `Bearer ${SECRET}`]) {
      expect((await handler(post({ batch: [event(1)] }, { authorization }))).status).toBe(200)
    }
    expect(store.calls.map((call) => call.trusted)).toEqual([[true], [true]])
  })

  it('does not take a secret key from the body, where browsers put keys', async () => {
    const { handler, store } = setup()
    const response = await handler(post({ writeKey: SECRET, batch: [event(1)] }))
    expect(response.status).toBe(401)
    expect(store.calls).toHaveLength(0)
  })

  it('trusts a write-key event only with a valid userHash, and never stores the hash', async () => {
    const { handler, store } = setup()
    const batch = [
      event(1, { userId: 'u-1', context: { userHash: signUserId('u-1', 'id-secret'), locale: 'de-DE' } }),
      event(2, { userId: 'u-1', context: { userHash: signUserId('u-2', 'id-secret') } }),
      event(3, { userId: 'u-1' }),
    ]
    expect((await handler(post({ batch }, { authorization: basic(KEY) }))).status).toBe(200)
    expect(store.calls[0]?.trusted).toEqual([true, false, false])
    expect(store.calls[0]?.events.map((stored) => stored.context)).toEqual([{ locale: 'de-DE' }, {}, undefined])
  })

  it('lists the events the store refused with their batch index and path', async () => {
    const { handler } = setup({}, new Set(['m-2']))
    const response = await handler(
      post({ batch: [event(1), event(2), { type: 'track' }] }, { authorization: basic(KEY) }),
    )
    const body = await response.json()
    expect(body.accepted).toBe(1)
    expect(
      body.rejected.map((r: { index: number; issues: { path: unknown[] }[] }) => [r.index, r.issues[0]?.path]),
    ).toEqual([
      [1, ['batch', 1, 'anonymousId']],
      [2, ['batch', 2, 'messageId']],
    ])
  })

  it('refuses a key that is both public and secret', () => {
    expect(() => createIngestHandler({ store: createRecordingStore(), writeKeys: ['k'], secretKeys: ['k'] })).toThrow(
      /both a public write key and a secret key/,
    )
  })

  it('bounds new customers per key + IP, charged after each request, exempting secret keys', async () => {
    const { handler, advance } = setup({ newCustomerLimit: { perIpPerMinute: 3 } })
    const send = (n: number, authorization = basic(KEY)) =>
      handler(post({ batch: [event(n), event(n + 100)] }, { authorization }), { clientIp: '10.0.0.1' })
    expect((await send(1)).status).toBe(200)
    expect((await send(2)).status).toBe(200)
    const refused = await send(3)
    expect(refused.status).toBe(429)
    // 4 created against a bucket of 3 refilled at 3 a minute: 2 in debt, 40 s to one token again.
    expect(refused.headers.get('retry-after')).toBe('40')
    expect((await send(4, basic(SECRET))).status).toBe(200)
    advance(40_000)
    expect((await send(5)).status).toBe(200)
  })
})

describe('createIngestHandler over PGlite: a poison value past validation', () => {
  it('stores the rest of the batch and answers 200, never 503', async () => {
    const store = await createPgliteStore()
    try {
      // A store wrapper that corrupts one event after validation, as a buggy plugin might.
      const corrupting = {
        insertEvents(events: readonly EcrmEvent[], options?: InsertEventsOptions) {
          for (const e of events) if (e.messageId === 'm-2') Object.assign(e, { properties: { x: 'a\u0000' } })
          return store.insertEvents(events, options)
        },
      }
      const handler = createIngestHandler({ store: corrupting, writeKeys: [KEY] })
      const response = await handler(post({ batch: [event(1), event(2), event(3)] }, { authorization: basic(KEY) }))
      const body = await response.json()
      expect(response.status).toBe(200)
      expect(body).toMatchObject({ accepted: 2, rejected: [{ index: 1, issues: [{ code: 'unstorable' }] }] })
    } finally {
      await store.close()
    }
  }, 60_000)
})

describe('toNodeListener', () => {
  it('answers a Host that makes no URL with 400 and nosniff', async () => {
    const server = createServer(toNodeListener(setup().handler))
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    try {
      const { port } = server.address() as AddressInfo
      const status = await new Promise<[number | undefined, string | undefined]>((resolve, reject) => {
        const req = httpRequest(
          {
            host: '127.0.0.1',
            port,
            method: 'POST',
            path: '/v1/batch',
            headers: { host: 'exa mple:1', 'content-type': 'application/json' },
          },
          (res) => {
            res.resume()
            resolve([res.statusCode, res.headers['x-content-type-options'] as string | undefined])
          },
        )
        req.on('error', reject)
        req.end('{}')
      })
      expect(status).toEqual([400, 'nosniff'])
    } finally {
      server.close()
    }
  })
})
