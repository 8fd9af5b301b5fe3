import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'

/** What the sink answers to the n-th request (0-based). */
export interface SinkReply {
  readonly status: number
  readonly retryAfter?: string
  /** Wait this long before answering, in ms. */
  readonly delayMs?: number
}

/** A local HTTP backend that records what ecrm clients send. */
export interface Sink {
  readonly endpoint: string
  /** Every request: its headers and parsed body, in arrival order. */
  readonly requests: {
    headers: Record<string, string | string[] | undefined>
    body: { batch: Record<string, unknown>[]; sentAt?: string; writeKey?: string }
  }[]
  /** Distinct messageIds acknowledged with a 2xx, and how often each arrived in any request. */
  readonly acked: Set<string>
  readonly seen: Map<string, number>
  /** Resolves once `predicate` holds, checking after each request (rejects after `timeoutMs`). */
  readonly until: (predicate: () => boolean, timeoutMs?: number) => Promise<void>
  readonly close: () => Promise<void>
}

/** Starts a sink on 127.0.0.1 at a free port; `reply` scripts the answers (default 200). */
export async function startSink(reply: (n: number) => SinkReply = () => ({ status: 200 })): Promise<Sink> {
  const requests: Sink['requests'] = []
  const acked = new Set<string>()
  const seen = new Map<string, number>()
  const waiters = new Set<() => void>()
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      const n = requests.length
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Sink['requests'][number]['body']
      requests.push({ headers: req.headers, body })
      for (const event of body.batch)
        seen.set(String(event['messageId']), (seen.get(String(event['messageId'])) ?? 0) + 1)
      const { status, retryAfter, delayMs = 0 } = reply(n)
      setTimeout(() => {
        if (status < 300) for (const event of body.batch) acked.add(String(event['messageId']))
        res.writeHead(status, {
          'content-type': 'application/json',
          ...(retryAfter === undefined ? {} : { 'retry-after': retryAfter }),
        })
        res.end(JSON.stringify({ success: status < 300 }))
        for (const waiter of waiters) waiter()
      }, delayMs)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    acked,
    seen,
    until(predicate, timeoutMs = 30_000) {
      return new Promise((resolve, reject) => {
        if (predicate()) return resolve()
        const check = (): void => {
          if (!predicate()) return
          waiters.delete(check)
          clearTimeout(timer)
          resolve()
        }
        const timer = setTimeout(() => {
          waiters.delete(check)
          reject(
            new Error(
              `sink: condition not met within ${timeoutMs} ms (${requests.length} requests, ${acked.size} acked)`,
            ),
          )
        }, timeoutMs)
        waiters.add(check)
      })
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
