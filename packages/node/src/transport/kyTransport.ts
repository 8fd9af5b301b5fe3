import ky, { isTimeoutError } from 'ky'
import type { KyInstance } from 'ky'
import type { Transport, TransportOutcome } from '@ecrm/core'

/** Options of {@link createKyTransport}. */
export interface KyTransportOptions {
  /** The ky instance to send with (your hooks, proxy-aware fetch, ...). @default ky */
  readonly client?: KyInstance
  /** A fetch to use instead of the global one (tests, undici agents). @default globalThis.fetch */
  readonly fetch?: typeof fetch
}

/**
 * {@link Transport} over fetch, via ky. Retries and HTTP-error throwing are off: core's one
 * retry policy decides what a status means, so this only reports what happened on the wire.
 * Never throws; never retries.
 *
 * @example
 * const transport = createKyTransport()
 * const outcome = await transport.send({ url, body, headers, timeoutMs: 10_000 })
 */
export function createKyTransport({ client = ky, fetch: fetchOverride }: KyTransportOptions = {}): Transport {
  const http = client.extend({
    retry: 0,
    throwHttpErrors: false,
    ...(fetchOverride === undefined ? {} : { fetch: fetchOverride }),
  })
  return {
    async send({ url, body, headers, timeoutMs, keepalive }): Promise<TransportOutcome> {
      try {
        const response = await http.post(url, {
          body,
          headers,
          timeout: timeoutMs,
          ...(keepalive === undefined ? {} : { keepalive }),
        })
        const outcome: TransportOutcome = {
          type: 'response',
          status: response.status,
          retryAfter: response.headers.get('retry-after'),
        }
        // Read the (small) answer so the connection goes back to the keep-alive pool.
        await response.arrayBuffer().catch(() => undefined)
        return outcome
      } catch (error) {
        return isTimeoutError(error) ? { type: 'timeout' } : { type: 'network-error', cause: error }
      }
    },
  }
}
