import { KEEPALIVE_MAX_BYTES } from '@ecrm/core'
import type { Transport, TransportOutcome, TransportRequest } from '@ecrm/core'

/**
 * The browser's cap on the bodies of all keepalive requests in flight, per page, in bytes: core's
 * `KEEPALIVE_MAX_BYTES` (64 KiB), the one figure core's keepalive flush, the page exit and this
 * transport all use.
 */
export const KEEPALIVE_BUDGET_BYTES = KEEPALIVE_MAX_BYTES

/** Options of {@link createUnloadTransport}. */
export interface UnloadTransportOptions {
  /** Sends normal and keepalive requests (usually {@link createKyTransport}). */
  readonly transport: Transport
  /** The page-wide keepalive budget, in bytes. @default 65_536 */
  readonly budgetBytes?: number
  /** `navigator.sendBeacon`, read lazily. @default navigator.sendBeacon when present */
  readonly sendBeacon?: (url: string, body: Blob) => boolean
}

/**
 * Wraps a transport for page exit. A `keepalive` request goes by fetch keepalive while the
 * page-wide 64 KiB budget allows (bytes are given back when a request settles); past the budget it
 * goes by `navigator.sendBeacon`. A beacon is never confirmed, so it is reported as unconfirmed (a
 * network error): the events stay queued and are sent again, with the same `messageId`, on the
 * next visit — the backend dedupes. Normal requests pass through unchanged.
 */
export function createUnloadTransport(options: UnloadTransportOptions): Transport {
  const budget = options.budgetBytes ?? KEEPALIVE_MAX_BYTES
  let inFlightBytes = 0

  const send = async (request: TransportRequest): Promise<TransportOutcome> => {
    if (!request.keepalive) return options.transport.send(request)
    // A beacon carries no headers: the body's writeKey authenticates it (a CORS-simple text/plain
    // POST). The blob's size is the body's UTF-8 byte count, which the budget counts.
    const body = new Blob([request.body], { type: 'text/plain' })
    const bytes = body.size
    if (inFlightBytes + bytes <= budget) {
      inFlightBytes += bytes
      try {
        return await options.transport.send(request)
      } finally {
        inFlightBytes -= bytes
      }
    }
    const queued = options.sendBeacon
      ? options.sendBeacon(request.url, body)
      : globalThis.navigator?.sendBeacon?.(request.url, body)
    return { type: 'network-error', cause: queued ? 'beacon_unconfirmed' : 'beacon_refused' }
  }
  return { send }
}
