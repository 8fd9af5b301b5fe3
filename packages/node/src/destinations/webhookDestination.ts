import { createHmac, timingSafeEqual } from 'node:crypto'
import { EcrmError } from '@ecrm/core'
import { createWebhookDestination, webhookSignedText } from '@ecrm/core'
import type { Destination, WebhookDestinationCoreOptions } from '@ecrm/core'

/** Options of {@link webhookDestination}. */
export interface WebhookDestinationOptions extends Omit<WebhookDestinationCoreOptions, 'sign'> {
  /** The shared secret (at least 16 characters); the receiver verifies with the same one. */
  readonly secret: string
}

/**
 * A webhook destination: Segment-spec batches POSTed to `url`, each signed with HMAC-SHA256 in
 * the `ecrm-signature: t=<unix seconds>,v1=<hex>` header over `<t>.<body>`. Receivers check it
 * with {@link verifyWebhookSignature}.
 *
 * @example
 * const webhook = webhookDestination({ url: 'https://hooks.shop.example/ecrm', secret: process.env.ECRM_WEBHOOK_SECRET! })
 */
export function webhookDestination(options: WebhookDestinationOptions): Destination {
  if (typeof options.secret !== 'string' || options.secret.length < 16) {
    throw new EcrmError(
      'invalid_options',
      'webhookDestination() failed: secret (give a random secret of at least 16 characters, e.g. `openssl rand -hex 32`)',
    )
  }
  if (!/^https?:\/\//.test(options.url)) {
    throw new EcrmError(
      'invalid_options',
      `webhookDestination() failed: url (expected an http(s) URL, got ${JSON.stringify(options.url)})`,
    )
  }
  const { secret, ...rest } = options
  return createWebhookDestination({ ...rest, sign: (text) => hmacSha256Hex(secret, text) })
}

/** Hex HMAC-SHA256 (RFC 2104 over FIPS 180-4 SHA-256). */
export function hmacSha256Hex(secret: string | Uint8Array, text: string | Uint8Array): string {
  return createHmac('sha256', secret).update(text).digest('hex')
}

/** Input of {@link verifyWebhookSignature}. */
export interface VerifyWebhookSignatureInput {
  /** The raw request body, exactly as received (not re-serialised JSON). */
  readonly body: string
  /** The `ecrm-signature` header value. */
  readonly header: string | null | undefined
  /** The shared secret; pass several during a rotation. */
  readonly secret: string | readonly string[]
  /** Largest accepted age (or clock skew) of the timestamp, in ms. @default 300_000 */
  readonly toleranceMs?: number
  /** Epoch ms. @default Date.now() */
  readonly now?: number
}

/** The verdict of {@link verifyWebhookSignature}. */
export type WebhookVerification =
  | { readonly ok: true; readonly timestamp: number }
  | {
      readonly ok: false
      readonly reason: 'missing_header' | 'malformed_header' | 'timestamp_out_of_tolerance' | 'signature_mismatch'
    }

/**
 * Checks an ecrm webhook: the header parses, its timestamp is within `toleranceMs` of `now`
 * (replay protection), and one `v1` signature equals HMAC-SHA256(secret, `<t>.<body>`),
 * compared in constant time. Never throws.
 *
 * @example
 * const check = verifyWebhookSignature({ body: rawBody, header: req.headers['ecrm-signature'], secret })
 * if (!check.ok) return res.writeHead(400).end(check.reason)
 */
export function verifyWebhookSignature(input: VerifyWebhookSignatureInput): WebhookVerification {
  if (typeof input.header !== 'string' || input.header.trim() === '') return { ok: false, reason: 'missing_header' }
  let timestamp: number | undefined
  const signatures: string[] = []
  for (const part of input.header.split(',')) {
    const [key, value] = part.trim().split('=', 2)
    if (key === 't' && value !== undefined && /^\d+$/.test(value)) timestamp = Number(value)
    else if (key === 'v1' && value !== undefined && /^[0-9a-f]{64}$/i.test(value)) signatures.push(value.toLowerCase())
  }
  if (timestamp === undefined || signatures.length === 0) return { ok: false, reason: 'malformed_header' }
  const now = input.now ?? Date.now()
  if (Math.abs(now - timestamp * 1000) > (input.toleranceMs ?? 300_000))
    return { ok: false, reason: 'timestamp_out_of_tolerance' }
  const text = webhookSignedText(timestamp, input.body)
  const secrets = typeof input.secret === 'string' ? [input.secret] : input.secret
  for (const secret of secrets) {
    const expected = Buffer.from(hmacSha256Hex(secret, text), 'hex')
    for (const signature of signatures) {
      if (timingSafeEqual(expected, Buffer.from(signature, 'hex'))) return { ok: true, timestamp }
    }
  }
  return { ok: false, reason: 'signature_mismatch' }
}
