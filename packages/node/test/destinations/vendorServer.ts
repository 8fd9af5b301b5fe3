import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'

/** A request the fake vendor received. */
export interface SeenRequest {
  readonly method: string
  /** Path and query, e.g. `/crm/v8/Contacts/search?email=a%40b.example`. */
  readonly path: string
  readonly pathname: string
  readonly query: URLSearchParams
  /** Lower-case header names. */
  readonly headers: Record<string, string>
  readonly body: string
  /** `JSON.parse(body)` when it is JSON, else undefined. */
  readonly json: any
}

/** The fake vendor's answer. */
export interface Answer {
  readonly status: number
  readonly headers?: Record<string, string>
  /** An object is sent as JSON. */
  readonly body?: unknown
}

/** A local HTTP server standing in for a vendor API. */
export interface VendorServer {
  readonly url: string
  readonly requests: SeenRequest[]
  /** Problems found by the shape checks, one string each; a correct client leaves it empty. */
  readonly problems: string[]
  /** Replaces the handler (answers are computed per request). */
  handle: (request: SeenRequest) => Answer | Promise<Answer>
  readonly close: () => Promise<void>
}

/** Starts a server on 127.0.0.1 and a free port. */
export async function startVendorServer(
  handle: (request: SeenRequest) => Answer | Promise<Answer>,
): Promise<VendorServer> {
  const requests: SeenRequest[] = []
  const problems: string[] = []
  const state: VendorServer = {
    url: '',
    requests,
    problems,
    handle,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      void (async () => {
        const body = Buffer.concat(chunks).toString('utf8')
        const url = new URL(req.url ?? '/', 'http://127.0.0.1')
        const headers: Record<string, string> = {}
        for (const [name, value] of Object.entries(req.headers))
          headers[name] = Array.isArray(value) ? value.join(', ') : String(value)
        let json: unknown
        try {
          json = body === '' ? undefined : JSON.parse(body)
        } catch {
          json = undefined
        }
        const seen: SeenRequest = {
          method: req.method ?? 'GET',
          path: `${url.pathname}${url.search}`,
          pathname: url.pathname,
          query: url.searchParams,
          headers,
          body,
          json,
        }
        requests.push(seen)
        const answer = await state.handle(seen)
        const text =
          answer.body === undefined ? '' : typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body)
        res.writeHead(answer.status, {
          ...(typeof answer.body === 'object' ? { 'content-type': 'application/json' } : {}),
          ...answer.headers,
        })
        res.end(text)
      })()
    })
  })
  server.keepAliveTimeout = 1
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()))
  const { port } = server.address() as AddressInfo
  ;(state as { url: string }).url = `http://127.0.0.1:${port}`
  return state
}

/** A clock the test moves, and a scheduler that never fires (tests call flush). */
export function createTestTime(startAt = Date.parse('2026-03-01T10:00:00.000Z')): {
  clock: { now: () => number }
  scheduler: { schedule: () => () => void }
  advance: (ms: number) => void
} {
  let now = startAt
  return { clock: { now: () => now }, scheduler: { schedule: () => () => undefined }, advance: (ms) => (now += ms) }
}

let sequence = 0
/** A valid ecrm event with a fresh messageId. */
export function makeEvent(partial: Record<string, unknown>): any {
  sequence += 1
  return { messageId: `msg-${sequence}`, timestamp: '2026-03-01T09:00:00.000Z', ...partial }
}
