import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { describe, expect, it } from 'vitest'
import type { EcrmEvent } from '@ecrm/core'
import { createIngestHandler } from '../src/ingest/ingestHandler.js'
import type { IngestHandlerOptions } from '../src/ingest/ingestHandler.js'
import { toNodeListener } from '../src/ingest/nodeListener.js'
import type { InsertEventsResult } from '../src/store/storeTypes.js'

const KEY = 'wk_test'
const T = Date.parse('2026-03-01T12:00:00.000Z')

/** A store fake: keeps events in an array, dedupes by messageId like the real ones. */
function createFakeStore(): {
  insertEvents: (events: readonly EcrmEvent[]) => Promise<InsertEventsResult>
  events: EcrmEvent[]
} {
  const events: EcrmEvent[] = []
  return {
    events,
    async insertEvents(batch) {
      let inserted = 0
      for (const event of batch) {
        if (events.some((stored) => stored.messageId === event.messageId)) continue
        events.push(event)
        inserted += 1
      }
      return { inserted, duplicates: batch.length - inserted, erased: 0 }
    },
  }
}

function setup(overrides: Partial<IngestHandlerOptions> = {}) {
  const store = createFakeStore()
  let time = T
  const handler = createIngestHandler({ store, writeKeys: [KEY], now: () => time, ...overrides })
  const advance = (ms: number): void => {
    time += ms
  }
  return { store, handler, advance }
}

const basic = (key: string): string => `Basic ${Buffer.from(`${key}:`).toString('base64')}`
const track = (n: number, extra: Record<string, unknown> = {}) => ({
  type: 'track',
  messageId: `msg-${n}`,
  anonymousId: 'anon-1',
  event: 'Signed Up',
  properties: { plan: 'pro' },
  timestamp: '2026-03-01T11:59:00.000Z',
  ...extra,
})

function post(path: string, body: unknown, headers: Record<string, string> = {}): Request {
  return new Request(`http://collect.test${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: basic(KEY), ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  })
}

async function answer(response: Response): Promise<{ status: number; body: any; headers: Headers }> {
  return { status: response.status, body: await response.json(), headers: response.headers }
}

describe('createIngestHandler', () => {
  it('stores a batch, sets receivedAt and answers with counts', async () => {
    const { store, handler } = setup()
    const { status, body } = await answer(await handler(post('/v1/batch', { batch: [track(1), track(2)] })))
    expect(status).toBe(200)
    expect(body).toEqual({ success: true, accepted: 2, duplicates: 0, rejected: [] })
    expect(store.events.map((e) => e.messageId)).toEqual(['msg-1', 'msg-2'])
    expect(store.events[0]).toMatchObject({ ...track(1), receivedAt: '2026-03-01T12:00:00.000Z' })
  })

  it('dedupes a re-sent batch by messageId', async () => {
    const { store, handler } = setup()
    await handler(post('/v1/batch', { batch: [track(1)] }))
    const { body } = await answer(await handler(post('/v1/batch', { batch: [track(1), track(2)] })))
    expect(body).toMatchObject({ accepted: 1, duplicates: 1 })
    expect(store.events).toHaveLength(2)
  })

  it('accepts a sendBeacon text/plain body with the write key in the body', async () => {
    const { store, handler } = setup()
    const request = new Request('http://collect.test/v1/batch', {
      method: 'POST',
      headers: { 'content-type': 'text/plain;charset=UTF-8' },
      body: JSON.stringify({ batch: [track(1)], writeKey: KEY, sentAt: '2026-03-01T12:00:00.000Z' }),
    })
    expect((await handler(request)).status).toBe(200)
    expect(store.events).toHaveLength(1)
  })

  it('serves the single-event routes, taking the type from the path', async () => {
    const { store, handler } = setup()
    const { type: _t, ...bare } = track(7)
    expect((await handler(post('/v1/track', bare))).status).toBe(200)
    expect(
      (
        await handler(
          post('/api/v1/identify', { messageId: 'i-1', userId: 'u-1', traits: { name: 'Ada' }, writeKey: KEY }),
        )
      ).status,
    ).toBe(200)
    expect((await handler(post('/v1/alias', { messageId: 'al-1', userId: 'u-1', previousId: 'anon-1' }))).status).toBe(
      200,
    )
    expect(store.events.map((e) => e.type)).toEqual(['track', 'identify', 'alias'])
    expect(store.events[1]).not.toHaveProperty('writeKey')
    const { status, body } = await answer(await handler(post('/v1/page', { ...track(8) })))
    expect(status).toBe(400)
    expect(body.error.rejected[0].issues[0]).toMatchObject({ path: ['type'], code: 'type_mismatch' })
  })

  it('stores the valid events of a mixed batch and locates each invalid one by index and path', async () => {
    const { store, handler } = setup()
    const batch = [
      track(1),
      track(2, { messageId: undefined }),
      track(3),
      track(4, { properties: { plan: 'pro', price: 'cheap' }, event: 'Product Added' }),
      { type: 'track', messageId: 'msg-5', event: 'No Ids' },
    ]
    const { status, body } = await answer(await handler(post('/v1/batch', { batch })))
    expect(status).toBe(200)
    expect(store.events.map((e) => e.messageId)).toEqual(['msg-1', 'msg-3'])
    expect(body.accepted).toBe(2)
    expect(body.rejected.map((r: { index: number }) => r.index)).toEqual([1, 3, 4])
    const paths = (index: number): unknown[] =>
      body.rejected.find((r: { index: number }) => r.index === index).issues.map((i: { path: unknown[] }) => i.path)
    expect(paths(1)).toContainEqual(['batch', 1, 'messageId'])
    expect(paths(3)).toContainEqual(['batch', 3, 'properties', 'price'])
    expect(paths(4)).toContainEqual(['batch', 4, 'userId'])
  })

  it('answers 400 invalid_events when no event is valid', async () => {
    const { store, handler } = setup()
    const { status, body } = await answer(await handler(post('/v1/batch', { batch: [{ type: 'nope' }] })))
    expect(status).toBe(400)
    expect(body.error.code).toBe('invalid_events')
    expect(body.error.rejected[0].index).toBe(0)
    expect(store.events).toHaveLength(0)
  })

  it('answers 400 invalid_body when the batch envelope is wrong', async () => {
    const { handler } = setup()
    const { status, body } = await answer(await handler(post('/v1/batch', { events: [] })))
    expect(status).toBe(400)
    expect(body.error.code).toBe('invalid_body')
    expect(body.error.issues[0].path).toEqual(['batch'])
  })

  it('answers 400 with the position of a JSON syntax error', async () => {
    const { handler } = setup()
    const text = '{"batch": [{"type": "track",}]}'
    const { status, body } = await answer(await handler(post('/v1/batch', text)))
    expect(status).toBe(400)
    expect(body.error.code).toBe('invalid_json')
    expect(body.error.position).toBe(text.indexOf(',}') + 1)
    expect(body.error.message).toMatch(/line 1, column 29 \(position 28\)/)
  })

  it('answers 415 for a content type other than JSON or text', async () => {
    const { handler } = setup()
    const { status, body } = await answer(
      await handler(post('/v1/batch', 'batch=1', { 'content-type': 'application/x-www-form-urlencoded' })),
    )
    expect(status).toBe(415)
    expect(body.error).toMatchObject({ code: 'unsupported_media_type' })
    expect(body.error.message).toMatch(/application\/x-www-form-urlencoded is not accepted/)
  })

  it('answers 413 for a body over maxBodyBytes, declared or streamed', async () => {
    const { handler, store } = setup({ maxBodyBytes: 1_000 })
    const big = { batch: [track(1, { properties: { blob: 'x'.repeat(2_000) } })] }
    const { status, body } = await answer(await handler(post('/v1/batch', big)))
    expect(status).toBe(413)
    expect(body.error).toMatchObject({ code: 'payload_too_large', limitBytes: 1_000 })
    // Without a content-length: the streamed count stops it.
    const chunks = new TextEncoder().encode(JSON.stringify(big))
    const stream = new ReadableStream({ start: (c) => (c.enqueue(chunks), c.close()) })
    const streamed = new Request('http://collect.test/v1/batch', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: basic(KEY) },
      body: stream,
      duplex: 'half',
    } as RequestInit)
    expect((await handler(streamed)).status).toBe(413)
    expect(store.events).toHaveLength(0)
  })

  it('answers 401 for a missing or unknown write key, in header or body', async () => {
    const { handler } = setup()
    const noKey = await answer(await handler(post('/v1/batch', { batch: [track(1)] }, { authorization: '' })))
    expect(noKey.status).toBe(401)
    expect(noKey.body.error.code).toBe('missing_write_key')
    const badHeader = await answer(
      await handler(post('/v1/batch', { batch: [track(1)] }, { authorization: basic('nope') })),
    )
    expect(badHeader.body.error.code).toBe('invalid_write_key')
    const badBody = await answer(
      await handler(post('/v1/batch', { batch: [track(1)], writeKey: 'nope' }, { authorization: '' })),
    )
    expect([badBody.status, badBody.body.error.code]).toEqual([401, 'invalid_write_key'])
    const garbled = await answer(
      await handler(post('/v1/batch', { batch: [track(1)] }, { authorization: 'Basic !!not-base64' })),
    )
    expect([garbled.status, garbled.body.error.code]).toEqual([401, 'missing_write_key'])
    // A key of non-ASCII characters survives the base64 round trip.
    const { handler: unicode } = setup({ writeKeys: ['clé-ü'] })
    const header = `Basic ${Buffer.from('clé-ü:').toString('base64')}`
    expect((await unicode(post('/v1/batch', { batch: [track(1)] }, { authorization: header }))).status).toBe(200)
  })

  it('answers 429 with Retry-After once a caller empties its bucket, per write key and IP', async () => {
    const { handler, advance } = setup({ rateLimit: { requestsPerSecond: 1, burst: 2 } })
    const from = (ip: string) => handler(post('/v1/batch', { batch: [track(Math.random())] }), { clientIp: ip })
    expect((await from('10.0.0.1')).status).toBe(200)
    expect((await from('10.0.0.1')).status).toBe(200)
    const limited = await answer(await from('10.0.0.1'))
    expect(limited.status).toBe(429)
    expect(limited.headers.get('retry-after')).toBe('1')
    expect(limited.body.error).toMatchObject({ code: 'rate_limited', retryAfterSeconds: 1 })
    expect((await from('10.0.0.2')).status).toBe(200)
    advance(1_000)
    expect((await from('10.0.0.1')).status).toBe(200)
  })

  it('answers CORS preflight for allowed origins and refuses others', async () => {
    const { handler } = setup({ allowedOrigins: ['https://shop.example'] })
    const preflight = (origin: string) =>
      handler(
        new Request('http://collect.test/v1/batch', {
          method: 'OPTIONS',
          headers: { origin, 'access-control-request-method': 'POST' },
        }),
      )
    const ok = await preflight('https://shop.example')
    expect(ok.status).toBe(204)
    expect(ok.headers.get('access-control-allow-origin')).toBe('https://shop.example')
    expect(ok.headers.get('access-control-allow-headers')).toMatch(/Authorization/)
    const refused = await answer(await preflight('https://evil.example'))
    expect(refused.status).toBe(403)
    expect(refused.body.error.code).toBe('origin_not_allowed')
    const posted = await handler(post('/v1/batch', { batch: [track(1)] }, { origin: 'https://shop.example' }))
    expect(posted.headers.get('access-control-allow-origin')).toBe('https://shop.example')
    // Retry-After is readable by the page only when exposed: on the preflight and on every answer.
    expect(ok.headers.get('access-control-expose-headers')).toBe('Retry-After')
    expect(posted.headers.get('access-control-expose-headers')).toBe('Retry-After')
  })

  it('exposes Retry-After on the cross-origin 429 and 503 answers, the ones that carry it', async () => {
    const shop = { origin: 'https://shop.example' }
    const { handler } = setup({
      allowedOrigins: ['https://shop.example'],
      rateLimit: { requestsPerSecond: 0.5, burst: 1 },
    })
    expect((await handler(post('/v1/batch', { batch: [track(1)] }, shop))).status).toBe(200)
    const limited = await handler(post('/v1/batch', { batch: [track(2)] }, shop))
    const down = await createIngestHandler({
      store: { insertEvents: () => Promise.reject(new Error('connection refused')) },
      writeKeys: [KEY],
      allowedOrigins: ['https://shop.example'],
    })(post('/v1/batch', { batch: [track(3)] }, shop))
    const seen = (response: Response) => [
      response.status,
      response.headers.get('retry-after'),
      response.headers.get('access-control-allow-origin'),
      response.headers.get('access-control-expose-headers'),
    ]
    expect(seen(limited)).toEqual([429, '2', 'https://shop.example', 'Retry-After'])
    expect(seen(down)).toEqual([503, '5', 'https://shop.example', 'Retry-After'])
  })

  it('answers 404 for unknown paths and 405 for other methods', async () => {
    const { handler } = setup()
    expect((await handler(post('/v2/batch', {}))).status).toBe(404)
    const get = await handler(new Request('http://collect.test/v1/batch'))
    expect(get.status).toBe(405)
    expect(get.headers.get('allow')).toBe('POST, OPTIONS')
  })

  it('never lets __proto__ or constructor keys reach a prototype', async () => {
    const { handler, store } = setup()
    const text = `{"batch":[{"type":"track","messageId":"p-1","anonymousId":"a","event":"Signed Up",
      "properties":{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}},"ok":1}}],
      "__proto__":{"polluted":true}}`
    expect((await handler(post('/v1/batch', text))).status).toBe(200)
    const stored = store.events[0] as EcrmEvent & { properties: Record<string, unknown> }
    expect(stored.properties).toEqual({ ok: 1 })
    expect(Object.getPrototypeOf(stored.properties)).toBe(Object.prototype)
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined()
    expect(Object.hasOwn(stored.properties, '__proto__')).toBe(false)
  })

  it('answers 503 with Retry-After when the store fails, and reports the error', async () => {
    const errors: unknown[] = []
    const handler = createIngestHandler({
      store: { insertEvents: () => Promise.reject(new Error('connection refused')) },
      writeKeys: [KEY],
      onError: (error) => errors.push(error),
    })
    const { status, body, headers } = await answer(await handler(post('/v1/batch', { batch: [track(1)] })))
    expect([status, body.error.code, headers.get('retry-after')]).toEqual([503, 'store_unavailable', '5'])
    expect(String(errors[0])).toMatch(/connection refused/)
  })

  it('refuses an empty writeKeys list at creation', () => {
    expect(() => createIngestHandler({ store: createFakeStore(), writeKeys: [] })).toThrow(
      /writeKeys \(give at least one/,
    )
  })
})

describe('toNodeListener', () => {
  it('serves the handler over node:http, streaming bodies and passing the peer IP', async () => {
    const { store } = setup()
    const seen: (string | undefined)[] = []
    const handler = createIngestHandler({ store, writeKeys: [KEY], maxBodyBytes: 10_000 })
    const server = createServer(toNodeListener((request, info) => (seen.push(info?.clientIp), handler(request, info))))
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    try {
      const ok = await fetch(`${base}/v1/batch`, {
        method: 'POST',
        headers: { 'content-type': 'text/plain', authorization: basic(KEY) },
        body: JSON.stringify({ batch: [track(1)] }),
      })
      expect(ok.status).toBe(200)
      expect(await ok.json()).toMatchObject({ accepted: 1 })
      const big = await fetch(`${base}/v1/batch`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: basic(KEY) },
        body: 'x'.repeat(50_000),
      })
      expect(big.status).toBe(413)
      expect((await big.json()).error.code).toBe('payload_too_large')
      expect(seen[0]).toBe('127.0.0.1')
      expect(store.events).toHaveLength(1)
    } finally {
      await new Promise((resolve) => server.close(resolve))
    }
  })
})
