import { createServer } from 'node:http'
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { readFile } from 'node:fs/promises'

/** One POST the backend received, with what it answered. */
export interface RecordedRequest {
  /** Epoch ms when the request body had fully arrived. */
  readonly receivedAt: number
  /** Epoch ms when the answer was sent. */
  readonly answeredAt: number
  readonly path: string
  readonly headers: Readonly<Record<string, string | string[] | undefined>>
  /** The raw body text. */
  readonly text: string
  /** The parsed JSON body, or undefined when it was not JSON. */
  readonly body: { batch?: Record<string, unknown>[]; writeKey?: string; sentAt?: string } | undefined
  readonly status: number
}

/**
 * What the backend answers to the n-th (0-based) POST of the batch path. `drop: true` closes the
 * connection without an answer (the client sees a network error; recorded with status 0).
 */
export type Responder = (
  index: number,
  request: { path: string; text: string },
) => { status: number; headers?: Record<string, string>; drop?: boolean }

/** A static file: inline text, or a path on disk read at request time. */
export type StaticFile = {
  readonly type: string
  readonly body?: string
  readonly file?: string
  readonly delayMs?: number
  readonly headers?: Record<string, string>
}

/** Options of {@link startRecordingBackend}. */
export interface RecordingBackendOptions {
  /** Path of the batch endpoint. @default '/v1/batch' */
  readonly batchPath?: string
  /** Headers added to every static response (e.g. a Content-Security-Policy). */
  readonly staticHeaders?: Record<string, string>
}

/** A real HTTP backend on 127.0.0.1 for end-to-end tests. */
export interface RecordingBackend {
  /** `http://127.0.0.1:<port>` */
  readonly origin: string
  /** Every POST to the batch path, in arrival order. */
  readonly requests: RecordedRequest[]
  /** Paths of the CORS preflights (OPTIONS requests) received, in arrival order. */
  readonly preflights: string[]
  /** Serves `file` at `path` (GET). */
  readonly serve: (path: string, file: StaticFile) => void
  /** Decides the answers; the default answers 200. */
  readonly respondWith: (responder: Responder) => void
  /** Events of the batches answered 2xx (delivered), in arrival order (duplicates included). */
  readonly deliveredEvents: () => Record<string, unknown>[]
  /** How many messageIds arrived more than once in 2xx batches. */
  readonly duplicateCount: () => number
  /** Resolves when `predicate` holds, polling; rejects after `timeoutMs`. */
  readonly waitFor: (predicate: () => boolean, timeoutMs: number, what: string) => Promise<void>
  readonly clear: () => void
  readonly close: () => Promise<void>
}

const readBody = (request: IncomingMessage): Promise<string> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    request.on('data', (chunk: Buffer) => chunks.push(chunk))
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
    request.on('error', reject)
  })

const parse = (text: string): RecordedRequest['body'] => {
  try {
    return JSON.parse(text) as RecordedRequest['body']
  } catch {
    return undefined
  }
}

/**
 * Starts a real node:http backend on a free port of 127.0.0.1: it serves static files (a
 * storefront page, the built bundles) and records every POST to the batch path, answering as the
 * responder says (CORS open, `Retry-After` exposed). Generic: usable by any adapter's e2e tests.
 */
export async function startRecordingBackend(options: RecordingBackendOptions = {}): Promise<RecordingBackend> {
  const batchPath = options.batchPath ?? '/v1/batch'
  const files = new Map<string, StaticFile>()
  const requests: RecordedRequest[] = []
  const preflights: string[] = []
  let responder: Responder = () => ({ status: 200 })
  let batchIndex = 0

  const cors = (response: ServerResponse): void => {
    response.setHeader('Access-Control-Allow-Origin', '*')
    response.setHeader('Access-Control-Allow-Headers', 'Content-Type, Authorization')
    response.setHeader('Access-Control-Expose-Headers', 'Retry-After')
  }

  const server = createServer((request, response) => {
    void (async () => {
      const url = new URL(request.url ?? '/', 'http://127.0.0.1')
      cors(response)
      if (request.method === 'OPTIONS') {
        preflights.push(url.pathname)
        response.writeHead(204).end()
        return
      }
      if (request.method === 'POST' && url.pathname === batchPath) {
        const text = await readBody(request)
        const receivedAt = Date.now()
        const answer = responder(batchIndex++, { path: url.pathname, text })
        if (answer.drop === true) {
          requests.push({
            receivedAt,
            answeredAt: Date.now(),
            path: url.pathname,
            headers: request.headers,
            text,
            body: parse(text),
            status: 0,
          })
          request.socket.destroy()
          return
        }
        for (const [name, value] of Object.entries(answer.headers ?? {})) response.setHeader(name, value)
        response.writeHead(answer.status, { 'Content-Type': 'application/json' })
        response.end(answer.status < 300 ? '{"success":true}' : '{"success":false}')
        requests.push({
          receivedAt,
          answeredAt: Date.now(),
          path: url.pathname,
          headers: request.headers,
          text,
          body: parse(text),
          status: answer.status,
        })
        return
      }
      const file = files.get(url.pathname)
      if (request.method !== 'GET' || file === undefined) {
        response.writeHead(404).end('not found')
        return
      }
      if (file.delayMs !== undefined) await new Promise((resolve) => setTimeout(resolve, file.delayMs))
      const body = file.file === undefined ? (file.body ?? '') : await readFile(file.file, 'utf8')
      response.writeHead(200, {
        'Content-Type': file.type,
        'Cache-Control': 'no-store',
        ...options.staticHeaders,
        ...file.headers,
      })
      response.end(body)
    })().catch((error: unknown) => {
      response.writeHead(500).end(String(error))
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`

  const deliveredEvents = (): Record<string, unknown>[] =>
    requests
      .filter((recorded) => recorded.status >= 200 && recorded.status < 300)
      .flatMap((recorded) => recorded.body?.batch ?? [])

  return {
    origin,
    requests,
    preflights,
    serve: (path, file) => void files.set(path, file),
    respondWith: (next) => {
      responder = next
      batchIndex = 0
    },
    deliveredEvents,
    duplicateCount: () => {
      const seen = new Set<unknown>()
      let duplicates = 0
      for (const event of deliveredEvents()) {
        if (seen.has(event['messageId'])) duplicates++
        seen.add(event['messageId'])
      }
      return duplicates
    },
    waitFor: async (predicate, timeoutMs, what) => {
      const deadline = Date.now() + timeoutMs
      while (!predicate()) {
        if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`)
        await new Promise((resolve) => setTimeout(resolve, 50))
      }
    },
    clear: () => {
      requests.length = 0
      preflights.length = 0
      batchIndex = 0
    },
    close: async () => {
      server.closeAllConnections()
      await new Promise((resolve) => server.close(resolve))
    },
  }
}
