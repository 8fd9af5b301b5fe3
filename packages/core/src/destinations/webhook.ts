/**
 * A generic webhook: Segment-spec batches (`{ batch, sentAt }`, https://segment.com/docs/connections/spec/)
 * POSTed to your URL and signed so the receiver can prove they came from you and are fresh. The
 * signature scheme is the timestamped HMAC that Stripe made familiar: header
 * `ecrm-signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>` (RFC 2104, FIPS 180-4).
 * Core has no crypto: the adapter passes `sign` (node:crypto in `@ecrm/node`'s `webhookDestination`).
 */
import type { EcrmEvent } from '../model/envelope.js'
import type { Destination, DestinationRequest } from './destinationTypes.js'

/** The header carrying the signature. */
export const WEBHOOK_SIGNATURE_HEADER = 'ecrm-signature'

/** Options of {@link createWebhookDestination}. */
export interface WebhookDestinationCoreOptions {
  readonly url: string
  /** Hex HMAC-SHA256 of the text with your secret. */
  readonly sign: (text: string) => string
  /** Most events per POST. @default 100 */
  readonly batchSize?: number
  /** @default 'analytics' */
  readonly category?: string
  /** @default 'webhook' */
  readonly name?: string
  /** Extra headers (e.g. an API key your receiver wants). */
  readonly headers?: Readonly<Record<string, string>>
}

/** The text that is signed: `<unix seconds>.<body>`. */
export function webhookSignedText(timestampSeconds: number, body: string): string {
  return `${timestampSeconds}.${body}`
}

/** The signature header value for a body, signed at `now` (epoch ms). */
export function webhookSignatureHeader(body: string, now: number, sign: (text: string) => string): string {
  const t = Math.floor(now / 1000)
  return `t=${t},v1=${sign(webhookSignedText(t, body))}`
}

/**
 * The webhook destination with an injected signer: every event (all types) in Segment batches,
 * signed at send time, so a retried batch carries a fresh timestamp.
 *
 * @example
 * createWebhookDestination({ url: 'https://hooks.shop.example/ecrm', sign: (text) => hmacSha256Hex(secret, text) })
 */
export function createWebhookDestination(options: WebhookDestinationCoreOptions): Destination {
  const build = (events: readonly EcrmEvent[], now: number): DestinationRequest => {
    const sentAt = new Date(now).toISOString()
    const body = JSON.stringify({ batch: events.map((event) => ({ ...event, sentAt })), sentAt })
    return {
      method: 'POST',
      url: options.url,
      headers: {
        ...options.headers,
        'Content-Type': 'application/json',
        [WEBHOOK_SIGNATURE_HEADER]: webhookSignatureHeader(body, now, options.sign),
      },
      body,
      eventIds: events.map((event) => event.messageId),
    }
  }
  return {
    name: options.name ?? 'webhook',
    category: options.category ?? 'analytics',
    batchSize: options.batchSize ?? 100,
    auth: { kind: 'none' },
    map: (event, { now }) => [build([event], now)],
    mapBatch: (events, { now }) => (events.length === 0 ? [] : [build(events, now)]),
  }
}
