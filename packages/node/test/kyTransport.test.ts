import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createKyTransport } from '../src/transport/kyTransport.js'

let base = ''
const received: { method: string; headers: Record<string, unknown>; body: string }[] = []
const server = createServer((req, res) => {
  let body = ''
  req.on('data', (chunk: Buffer) => (body += chunk.toString()))
  req.on('end', () => {
    received.push({ method: req.method ?? '', headers: req.headers, body })
    if (req.url === '/slow') return void setTimeout(() => res.end('late'), 2_000)
    if (req.url === '/busy') {
      res.writeHead(503, { 'retry-after': '30' })
      return void res.end('{"error":"busy"}')
    }
    res.writeHead(Number(req.url?.slice(1)) || 200)
    res.end('{}')
  })
})
beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
afterAll(async () => {
  server.closeAllConnections()
  await new Promise((resolve) => server.close(resolve))
})

const request = (path: string, timeoutMs = 5_000) => ({
  url: `${base}${path}`,
  body: '{"batch":[]}',
  headers: { 'content-type': 'application/json', authorization: 'Basic d2s6' },
  timeoutMs,
})

describe('createKyTransport', () => {
  it('POSTs the body and headers as given and reports the status', async () => {
    const outcome = await createKyTransport().send(request('/200'))
    expect(outcome).toEqual({ type: 'response', status: 200, retryAfter: null })
    expect(received.at(-1)).toMatchObject({ method: 'POST', body: '{"batch":[]}', headers: { authorization: 'Basic d2s6' } })
  })

  it('reports error statuses with Retry-After instead of throwing, and never retries', async () => {
    const before = received.length
    expect(await createKyTransport().send(request('/busy'))).toEqual({ type: 'response', status: 503, retryAfter: '30' })
    expect(await createKyTransport().send(request('/400'))).toEqual({ type: 'response', status: 400, retryAfter: null })
    expect(received.length - before).toBe(2)
  })

  it('reports a timeout', async () => {
    expect(await createKyTransport().send(request('/slow', 100))).toEqual({ type: 'timeout' })
  })

  it('reports a network error with its cause', async () => {
    const outcome = await createKyTransport().send({ ...request('/200'), url: 'http://127.0.0.1:9/v1/batch' })
    expect(outcome.type).toBe('network-error')
    expect(outcome.type === 'network-error' && outcome.cause).toBeInstanceOf(Error)
  })

  it('uses an injected fetch', async () => {
    const urls: string[] = []
    const fetchFake: typeof fetch = async (input) => {
      urls.push(input instanceof Request ? input.url : String(input))
      return new Response(null, { status: 202 })
    }
    expect(await createKyTransport({ fetch: fetchFake }).send(request('/anything'))).toMatchObject({ status: 202 })
    expect(urls).toEqual([`${base}/anything`])
  })
})
