import type { Transport, TransportOutcome, TransportRequest } from '@ecrm/core'

/** Options of {@link createFetchTransport}. */
export interface FetchTransportOptions {
  /** The fetch to use (tests, polyfills). @default globalThis.fetch, read at send time */
  readonly fetch?: typeof fetch
}

/**
 * Creates a {@link Transport} over plain `fetch`, with exactly the outcomes of
 * {@link createKyTransport} (the same tests run against both): one POST, no retry of its own,
 * HTTP errors as responses, an AbortController timeout, never a throw. The script-tag bundle uses
 * it because it costs a few hundred bytes where ky costs several kilobytes; ESM users who already
 * ship ky can pass `createKyTransport()` as `ports.transport`.
 */
export function createFetchTransport(options: FetchTransportOptions = {}): Transport {
  const send = async (request: TransportRequest): Promise<TransportOutcome> => {
    // Only the timer aborts it, so an aborted signal means a timeout.
    const controller = new AbortController()
    const timer = setTimeout(() => controller.abort(), request.timeoutMs)
    try {
      const response = await (options.fetch ?? fetch)(request.url, {
        // Its body, headers and keepalive; fetch ignores the fields it does not know (url, timeoutMs).
        ...request,
        method: 'POST',
        credentials: 'omit',
        signal: controller.signal,
      })
      // Drain the body so the connection is reusable; its content is not needed.
      await response.arrayBuffer().catch(() => undefined)
      return { type: 'response', status: response.status, retryAfter: response.headers.get('Retry-After') }
    } catch (cause) {
      return controller.signal.aborted ? { type: 'timeout' } : { type: 'network-error', cause }
    } finally {
      clearTimeout(timer)
    }
  }
  return { send }
}
