import type { IncomingMessage, ServerResponse } from 'node:http'
import type { ConnectionInfo } from './ingestHandler.js'
import { errorResponse } from './responses.js'

/** A fetch-style handler, as {@link toNodeListener} takes it. */
export type FetchHandler = (request: Request, info?: ConnectionInfo) => Promise<Response>

/**
 * Adapts a fetch-style handler (`(Request) => Promise<Response>`) to a `node:http` request
 * listener, which Express, Fastify (via its raw server) and Koa mount too. The body is streamed,
 * not buffered here, so the handler's size limit applies. Mount it before any body parser:
 * a parser that already read the stream leaves nothing for the handler.
 *
 * @example
 * http.createServer(toNodeListener(createIngestHandler({ store, writeKeys }))).listen(8080)
 * // Express: app.use('/collect', toNodeListener(ingest))
 */
export function toNodeListener(handler: FetchHandler): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    void respond(handler, req, res)
  }
}

async function respond(handler: FetchHandler, req: IncomingMessage, res: ServerResponse): Promise<void> {
  let response: Response
  const request = toRequest(req)
  if (request === undefined) {
    response = errorResponse(
      400,
      'invalid_request',
      'The Host header and request target do not make a URL (send a valid Host header)',
      {},
      { connection: 'close' },
    )
    // The body is not read: throw it away so the answer can be sent.
    req.resume()
  } else {
    try {
      const info: ConnectionInfo = req.socket.remoteAddress === undefined ? {} : { clientIp: req.socket.remoteAddress }
      response = await handler(request, info)
    } catch (error) {
      response = errorResponse(500, 'internal_error', `The handler failed (${String(error)})`)
    }
  }
  const headers: Record<string, string> = {}
  response.headers.forEach((value, key) => {
    headers[key] = value
  })
  const body = Buffer.from(await response.arrayBuffer())
  if (!res.headersSent) res.writeHead(response.status, { ...headers, 'content-length': String(body.byteLength) })
  res.end(body)
}

/** The fetch Request of a Node request; `undefined` when its Host and path make no URL. */
function toRequest(req: IncomingMessage): Request | undefined {
  const host = req.headers.host ?? 'localhost'
  // Express strips its mount path into req.url and keeps the full one in originalUrl.
  const path = (req as IncomingMessage & { originalUrl?: string }).originalUrl ?? req.url ?? '/'
  let url: URL
  try {
    url = new URL(path, `http://${host}`)
  } catch {
    return undefined
  }
  const headers = new Headers()
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue
    if (Array.isArray(value)) for (const item of value) headers.append(name, item)
    else headers.set(name, value)
  }
  const method = req.method ?? 'GET'
  const hasBody = method !== 'GET' && method !== 'HEAD'
  const init: RequestInit & { duplex?: 'half' } = { method, headers }
  if (hasBody) {
    init.body = streamOf(req)
    // Required by fetch for a streamed request body.
    init.duplex = 'half'
  }
  return new Request(url, init)
}

function streamOf(req: IncomingMessage): ReadableStream<Uint8Array> {
  const chunks = req[Symbol.asyncIterator]()
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const { done, value } = (await chunks.next()) as IteratorResult<Buffer>
      if (done === true) controller.close()
      else controller.enqueue(new Uint8Array(value.buffer, value.byteOffset, value.byteLength))
    },
    cancel() {
      // The handler stopped reading (e.g. 413): drain the rest so the answer can be sent.
      req.resume()
    },
  })
}
