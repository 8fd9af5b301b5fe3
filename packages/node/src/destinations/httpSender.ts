import ky, { isTimeoutError } from 'ky'
import type { KyInstance } from 'ky'
import type { DestinationOutcome, DestinationSender } from '@ecrm/core'

/** Options of {@link createDestinationHttpSender}. */
export interface DestinationHttpSenderOptions {
  /** The ky instance to send with (proxy agents, hooks...). @default ky */
  readonly client?: KyInstance
  /** A fetch to use instead of the global one. @default globalThis.fetch */
  readonly fetch?: typeof fetch
  /** Largest answer body kept for the mapping and error messages, in characters. @default 1_000_000 */
  readonly maxBodyChars?: number
}

/**
 * {@link DestinationSender} over fetch, via ky: any method, the answer's headers (lower-case)
 * and body. ky's retries and HTTP-error throwing are off: core's one retry policy decides.
 * Never throws.
 *
 * @example
 * const sender = createDestinationHttpSender()
 * await sender.send({ method: 'PATCH', url, headers, body, timeoutMs: 15_000 })
 */
export function createDestinationHttpSender(options: DestinationHttpSenderOptions = {}): DestinationSender {
  const http = (options.client ?? ky).extend({
    retry: 0,
    throwHttpErrors: false,
    ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
  })
  const maxBodyChars = options.maxBodyChars ?? 1_000_000
  return {
    async send({ method, url, headers, body, timeoutMs }): Promise<DestinationOutcome> {
      try {
        const response = await http(url, {
          method,
          headers: { ...headers },
          timeout: timeoutMs,
          ...(body === undefined ? {} : { body }),
        })
        const answer: Record<string, string> = {}
        response.headers.forEach((value, name) => {
          answer[name.toLowerCase()] = value
        })
        const text = (await response.text().catch(() => '')).slice(0, maxBodyChars)
        return {
          type: 'response',
          status: response.status,
          retryAfter: response.headers.get('retry-after'),
          headers: answer,
          body: text,
        }
      } catch (error) {
        return isTimeoutError(error) ? { type: 'timeout' } : { type: 'network-error', cause: error }
      }
    },
  }
}
