import ky from 'ky'
import type { Transport, TransportOutcome, TransportRequest } from '@ecrm/core'

/** Options of {@link createKyTransport}. */
export interface KyTransportOptions {
  /** The fetch to use (tests, polyfills). @default globalThis.fetch, read at send time */
  readonly fetch?: typeof fetch
}

/**
 * Creates a {@link Transport} over ky: one POST per request, no retry of its own (core decides),
 * HTTP errors reported as responses, timeouts and network failures reported as outcomes. It never
 * throws. `keepalive` requests survive page unload (the browser caps them at 64 KiB in flight).
 *
 * Note: a cross-origin backend must send `Access-Control-Expose-Headers: Retry-After`, or the
 * browser hides that header and retries fall back to backoff.
 *
 * @example
 * const transport = createKyTransport()
 * const outcome = await transport.send({ url, body, headers: {}, timeoutMs: 10_000 })
 */
export function createKyTransport(options: KyTransportOptions = {}): Transport {
  const send = async (request: TransportRequest): Promise<TransportOutcome> => {
    try {
      const response = await ky.post(request.url, {
        body: request.body,
        headers: request.headers,
        timeout: request.timeoutMs,
        retry: 0,
        throwHttpErrors: false,
        keepalive: request.keepalive === true,
        // No credentials: the write key travels in the body, cookies of the collector are not needed.
        credentials: 'omit',
        ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
      })
      // Drain the body so the connection is reusable; its content is not needed.
      await response.arrayBuffer().catch(() => undefined)
      return { type: 'response', status: response.status, retryAfter: response.headers.get('Retry-After') }
    } catch (error) {
      if (error instanceof Error && error.name === 'TimeoutError') return { type: 'timeout' }
      return { type: 'network-error', cause: error }
    }
  }
  return { send }
}
