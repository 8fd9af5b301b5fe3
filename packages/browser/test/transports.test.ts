import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Transport, TransportOutcome, TransportRequest } from '@ecrm/core'
import { createFetchTransport } from '../src/fetchTransport.js'
import { createKyTransport } from '../src/kyTransport.js'
import { createUnloadTransport, KEEPALIVE_BUDGET_BYTES } from '../src/unloadTransport.js'
import { withSenderLock } from '../src/webLocks.js'

/** A real local HTTP server: /status/<code> answers that code, /slow never answers in time. */
let baseUrl = ''
const received: { url: string; body: string; contentType: string | undefined }[] = []
const server = createServer((request, response) => {
  let body = ''
  request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')))
  request.on('end', () => {
    received.push({ url: request.url ?? '', body, contentType: request.headers['content-type'] })
    if (request.url === '/slow') {
      setTimeout(() => response.end('late'), 2_000)
      return
    }
    const status = Number((request.url ?? '').split('/')[2] ?? 200)
    if (status === 429) response.setHeader('Retry-After', '2')
    response.writeHead(status)
    response.end('{}')
  })
})

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
afterAll(async () => {
  server.closeAllConnections()
  await new Promise((resolve) => server.close(resolve))
})

const request = (path: string, overrides: Partial<TransportRequest> = {}): TransportRequest => ({
  url: `${baseUrl}${path}`,
  body: '{"batch":[],"writeKey":"k"}',
  headers: { 'Content-Type': 'text/plain' },
  timeoutMs: 1_000,
  ...overrides,
})

describe.each([
  ['createKyTransport', createKyTransport],
  ['createFetchTransport', createFetchTransport],
])('%s', (_name, createTransport) => {
  const transport = createTransport()

  it('reports a 2xx as a response and sends the body unchanged', async () => {
    const outcome = await transport.send(request('/status/200'))
    expect(outcome).toEqual({ type: 'response', status: 200, retryAfter: null })
    expect(received.at(-1)).toMatchObject({
      url: '/status/200',
      body: '{"batch":[],"writeKey":"k"}',
      contentType: 'text/plain',
    })
  })

  it('reports HTTP errors as responses (never throws) with Retry-After', async () => {
    expect(await transport.send(request('/status/500'))).toEqual({ type: 'response', status: 500, retryAfter: null })
    expect(await transport.send(request('/status/429'))).toEqual({ type: 'response', status: 429, retryAfter: '2' })
  })

  it('does not retry by itself', async () => {
    const before = received.length
    await transport.send(request('/status/503'))
    expect(received.length - before).toBe(1)
  })

  it('reports a timeout', async () => {
    expect(await transport.send(request('/slow', { timeoutMs: 100 }))).toEqual({ type: 'timeout' })
  })

  it('reports a network error when nothing listens', async () => {
    const outcome = await transport.send({ ...request('/'), url: 'http://127.0.0.1:1/v1/batch' })
    expect(outcome.type).toBe('network-error')
  })

  it('uses the injected fetch and passes keepalive', async () => {
    const seen: RequestInit[] = []
    const fake: typeof fetch = async (input, init) => {
      seen.push(init ?? {})
      const keepalive = input instanceof Request ? input.keepalive : init?.keepalive
      return new Response(null, { status: keepalive === true ? 204 : 200 })
    }
    const outcome = await createTransport({ fetch: fake }).send(request('/x', { keepalive: true }))
    expect(outcome).toEqual({ type: 'response', status: 204, retryAfter: null })
    expect(seen).toHaveLength(1)
  })
})

/** A transport that records requests and answers when told. */
const createHeldTransport = (): Transport & { requests: TransportRequest[]; answerAll: () => void } => {
  const waiting: (() => void)[] = []
  const requests: TransportRequest[] = []
  return {
    requests,
    send: (sent) => {
      requests.push(sent)
      return new Promise<TransportOutcome>((resolve) =>
        waiting.push(() => resolve({ type: 'response', status: 200, retryAfter: null })),
      )
    },
    answerAll: () => {
      for (const answer of waiting.splice(0)) answer()
    },
  }
}

describe('createUnloadTransport', () => {
  const bodyOf = (bytes: number): string => 'x'.repeat(bytes)

  it('sends keepalive requests by fetch within the 64 KiB budget, then by beacon (unconfirmed)', async () => {
    const inner = createHeldTransport()
    const beacons: { url: string; size: number; type: string }[] = []
    const transport = createUnloadTransport({
      transport: inner,
      sendBeacon: (url, body) => (beacons.push({ url, size: body.size, type: body.type }), true),
    })
    const first = transport.send(request('/a', { keepalive: true, body: bodyOf(40_000) }))
    const second = transport.send(request('/b', { keepalive: true, body: bodyOf(25_536) }))
    const third = await transport.send(request('/c', { keepalive: true, body: bodyOf(1) }))
    expect(KEEPALIVE_BUDGET_BYTES).toBe(65_536)
    expect(inner.requests.map((sent) => sent.url.split('/').at(-1))).toEqual(['a', 'b'])
    expect(beacons).toEqual([{ url: `${baseUrl}/c`, size: 1, type: 'text/plain' }])
    // A beacon is not a confirmation: the items must stay queued for the next visit.
    expect(third).toEqual({ type: 'network-error', cause: 'beacon_unconfirmed' })
    inner.answerAll()
    expect(await first).toMatchObject({ status: 200 })
    expect(await second).toMatchObject({ status: 200 })
    // Settled requests give their bytes back.
    const again = transport.send(request('/d', { keepalive: true, body: bodyOf(60_000) }))
    expect(inner.requests).toHaveLength(3)
    inner.answerAll()
    await again
  })

  it('reports a refused beacon and passes normal requests through', async () => {
    const inner = createHeldTransport()
    const transport = createUnloadTransport({ transport: inner, budgetBytes: 10, sendBeacon: () => false })
    expect(await transport.send(request('/big', { keepalive: true, body: bodyOf(11) }))).toEqual({
      type: 'network-error',
      cause: 'beacon_refused',
    })
    const normal = transport.send(request('/normal', { body: bodyOf(100_000) }))
    inner.answerAll()
    expect(await normal).toMatchObject({ status: 200 })
  })
})

describe('withSenderLock', () => {
  it('runs one send at a time under the lock, and skips the lock for keepalive', async () => {
    let chain = Promise.resolve()
    const names: string[] = []
    const locks = {
      request: <T>(name: string, callback: () => Promise<T>): Promise<T> => {
        names.push(name)
        const result = chain.then(callback)
        chain = result.then(
          () => undefined,
          () => undefined,
        )
        return result
      },
    }
    let inFlight = 0
    let maxInFlight = 0
    const inner: Transport = {
      send: async () => {
        inFlight++
        maxInFlight = Math.max(maxInFlight, inFlight)
        await new Promise((resolve) => setTimeout(resolve, 5))
        inFlight--
        return { type: 'response', status: 200, retryAfter: null }
      },
    }
    const locked = withSenderLock(inner, 'ecrm-send-k', locks)
    await Promise.all([locked.send(request('/1')), locked.send(request('/2')), locked.send(request('/3'))])
    expect(maxInFlight).toBe(1)
    expect(names).toEqual(['ecrm-send-k', 'ecrm-send-k', 'ecrm-send-k'])
    await locked.send(request('/4', { keepalive: true }))
    expect(names).toHaveLength(3)
  })
})
