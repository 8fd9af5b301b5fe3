import type { Transport, TransportOutcome, TransportRequest } from '@ecrm/core'

/** The browser's cap on the bodies of all keepalive requests in flight, per page, in bytes. */
export const KEEPALIVE_BUDGET_BYTES = 65_536

/** Options of {@link createUnloadTransport}. */
export interface UnloadTransportOptions {
  /** Sends normal and keepalive requests (usually {@link createKyTransport}). */
  readonly transport: Transport
  /** The page-wide keepalive budget, in bytes. @default 65_536 */
  readonly budgetBytes?: number
  /** `navigator.sendBeacon`, read lazily. @default navigator.sendBeacon when present */
  readonly sendBeacon?: (url: string, body: Blob) => boolean
}

const byteLength = (text: string): number => new TextEncoder().encode(text).length

const readBeacon = (): ((url: string, body: Blob) => boolean) | undefined =>
  typeof navigator !== 'undefined' && typeof navigator.sendBeacon === 'function'
    ? (url, body) => navigator.sendBeacon(url, body)
    : undefined

/**
 * Wraps a transport for page exit. A `keepalive` request goes by fetch keepalive while the
 * page-wide 64 KiB budget allows (bytes are given back when a request settles); past the budget it
 * goes by `navigator.sendBeacon`. A beacon is never confirmed, so it is reported as unconfirmed (a
 * network error): the events stay queued and are sent again, with the same `messageId`, on the
 * next visit — the backend dedupes. Normal requests pass through unchanged.
 */
export function createUnloadTransport(options: UnloadTransportOptions): Transport {
  const budget = options.budgetBytes ?? KEEPALIVE_BUDGET_BYTES
  let inFlightBytes = 0

  const send = async (request: TransportRequest): Promise<TransportOutcome> => {
    if (request.keepalive !== true) return options.transport.send(request)
    const bytes = byteLength(request.body)
    if (inFlightBytes + bytes <= budget) {
      inFlightBytes += bytes
      try {
        return await options.transport.send(request)
      } finally {
        inFlightBytes -= bytes
      }
    }
    const beacon = options.sendBeacon ?? readBeacon()
    // A beacon carries no headers: the body's writeKey authenticates it (a CORS-simple text/plain POST).
    const queued = beacon?.(request.url, new Blob([request.body], { type: 'text/plain' })) ?? false
    return { type: 'network-error', cause: queued ? 'beacon_unconfirmed' : 'beacon_refused' }
  }
  return { send }
}
