import { createServer } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import type { Transport, TransportRequest } from '@ecrm/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

/** One request the sink received. */
export interface SinkRequest {
  readonly method: string
  readonly headers: Record<string, unknown>
  readonly body: string
  readonly socket: Socket
}

/**
 * A real node:http sink on 127.0.0.1 for transport tests: `/<status>` answers that status, `/busy`
 * answers 503 with `Retry-After: 30`, `/slow` answers after 2 s. Started and stopped by the suite.
 */
export function useTransportSink(): {
  readonly received: SinkRequest[]
  readonly request: (path: string, timeoutMs?: number) => TransportRequest
  readonly base: () => string
} {
  let base = ''
  const received: SinkRequest[] = []
  const server = createServer((req, res) => {
    let body = ''
    req.on('data', (chunk: Buffer) => (body += chunk.toString()))
    req.on('end', () => {
      received.push({ method: req.method ?? '', headers: req.headers, body, socket: req.socket })
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
  const request = (path: string, timeoutMs = 5_000): TransportRequest => ({
    url: `${base}${path}`,
    body: '{"batch":[{"event":"Ordér"}]}',
    headers: { 'content-type': 'application/json', authorization: 'Basic d2s6' },
    timeoutMs,
  })
  return { received, request, base: () => base }
}

/**
 * What every node Transport must do against a real server: send as given, report statuses and
 * Retry-After, time out, and report network errors and bad URLs, never throwing nor retrying.
 */
export function runTransportContract(
  name: string,
  transport: Transport,
  sink: ReturnType<typeof useTransportSink>,
): void {
  const { received, request } = sink
  describe(`${name} (transport contract)`, () => {
    it('POSTs the body and headers as given and reports the status', async () => {
      expect(await transport.send(request('/200'))).toEqual({ type: 'response', status: 200, retryAfter: null })
      expect(received.at(-1)).toMatchObject({
        method: 'POST',
        body: '{"batch":[{"event":"Ordér"}]}',
        headers: { authorization: 'Basic d2s6', 'content-type': 'application/json' },
      })
    })

    it('reports error statuses with Retry-After instead of throwing, and never retries', async () => {
      const before = received.length
      expect(await transport.send(request('/busy'))).toEqual({ type: 'response', status: 503, retryAfter: '30' })
      expect(await transport.send(request('/400'))).toEqual({ type: 'response', status: 400, retryAfter: null })
      expect(received.length - before).toBe(2)
    })

    it('reports a timeout when the exchange outlasts timeoutMs', async () => {
      expect(await transport.send(request('/slow', 100))).toEqual({ type: 'timeout' })
    })

    it('reports a network error with its cause', async () => {
      const outcome = await transport.send({ ...request('/200'), url: 'http://127.0.0.1:9/v1/batch' })
      expect(outcome.type).toBe('network-error')
      expect(outcome.type === 'network-error' && outcome.cause).toBeInstanceOf(Error)
    })

    it('reports a malformed URL as a network error instead of throwing', async () => {
      expect((await transport.send({ ...request('/200'), url: 'not a url' })).type).toBe('network-error')
    })
  })
}
