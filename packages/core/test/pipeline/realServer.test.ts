import { createServer } from 'node:http'
import type { IncomingMessage, Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Transport } from '../../src/ports.js'
import { createCoreClient } from '../../src/pipeline/createCoreClient.js'
import { createMemoryQueue } from '../../src/pipeline/memoryQueue.js'
import { createManualClock, createSequentialIds } from '../fakes/index.js'

/** A tiny fetch transport, as an adapter would write it (core itself never uses fetch). */
const fetchTransport: Transport = {
  async send(request) {
    try {
      const response = await fetch(request.url, {
        method: 'POST',
        body: request.body,
        headers: request.headers,
        signal: AbortSignal.timeout(request.timeoutMs),
      })
      await response.arrayBuffer()
      return { type: 'response', status: response.status, retryAfter: response.headers.get('retry-after') }
    } catch (error) {
      return error instanceof DOMException && error.name === 'TimeoutError'
        ? { type: 'timeout' }
        : { type: 'network-error', cause: error }
    }
  },
}

interface Received {
  method: string | undefined
  url: string | undefined
  headers: IncomingMessage['headers']
  body: { batch: Record<string, unknown>[]; sentAt: string; writeKey: string }
}

describe('createCoreClient against a real HTTP server', () => {
  const received: Received[] = []
  const statuses: number[] = []
  let server: Server
  let endpoint = ''

  beforeAll(async () => {
    server = createServer((request, response) => {
      const chunks: Buffer[] = []
      request.on('data', (chunk: Buffer) => chunks.push(chunk))
      request.on('end', () => {
        received.push({
          method: request.method,
          url: request.url,
          headers: request.headers,
          body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Received['body'],
        })
        const status = statuses.shift() ?? 200
        response.writeHead(status, status === 503 ? { 'Retry-After': '2' } : {})
        response.end(status < 300 ? '{"success":true}' : '{"error":"try later"}')
      })
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  })

  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()))
  })

  it('posts a CORS-simple Segment batch, honours a real 503 Retry-After, then delivers', async () => {
    statuses.push(503)
    const time = createManualClock()
    const queue = createMemoryQueue()
    const client = createCoreClient(
      { writeKey: 'wk_live_ü', endpoint },
      { clock: time, scheduler: time, queue, transport: fetchTransport, createId: createSequentialIds('real-') },
    )
    client.start()
    client.identify({ userId: 'u-42', traits: { email: 'a@b.example' } })
    client.track({ event: 'Order Completed', properties: { order_id: 'o-1', total: 42.5, currency: 'EUR' } })
    const first = await client.flush()
    expect(first).toMatchObject({ sent: 0, retried: 2, remaining: 2 })
    expect(received).toHaveLength(1)
    const [request] = received
    expect(request?.method).toBe('POST')
    expect(request?.url).toBe('/v1/batch')
    expect(request?.headers['content-type']).toMatch(/^text\/plain/)
    // CORS-simple: nothing that would make a browser preflight; the key travels in the body.
    expect(request?.headers['authorization']).toBeUndefined()
    expect(request?.body.writeKey).toBe('wk_live_ü')
    // Ids in creation order: the identify's messageId, the new anonymousId, the track's messageId.
    expect(request?.body.batch.map((event) => [event['type'], event['messageId'], event['anonymousId']])).toEqual([
      ['identify', 'real-1', 'real-2'],
      ['track', 'real-3', 'real-2'],
    ])

    // The server asked for 2 s: a flush before that sends nothing.
    await client.flush()
    expect(received).toHaveLength(1)
    await time.advance(2_000)
    await client.flush()
    expect(received).toHaveLength(2)
    expect(received[1]?.body.batch.map((event) => event['messageId'])).toEqual(['real-1', 'real-3'])
    expect(received[1]?.body.batch[1]).toMatchObject({
      userId: 'u-42',
      properties: { order_id: 'o-1', total: 42.5, currency: 'EUR' },
    })
    expect(await queue.size()).toBe(0)
    await client.close()
    expect(client.stats()).toMatchObject({ sent: 2, queued: 0 })
  })
})
