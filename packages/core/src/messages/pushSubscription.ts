/**
 * A browser's web push subscription (W3C Push API `PushSubscription.toJSON()`,
 * https://www.w3.org/TR/push-api/#dom-pushsubscription-tojson): the push service endpoint and the
 * keys RFC 8291 encrypts to. `subscribeToPush()` in `@ecrm/browser` stores it as the `webPush`
 * trait; the web push channel receives it as the message's recipient (JSON text).
 */
import * as z from 'zod'

const base64url = z.string().regex(/^[A-Za-z0-9_-]+={0,2}$/, 'expected base64url')

/** Schema of a {@link PushSubscriptionJson}. */
export const pushSubscriptionSchema = z.object({
  /** The push service URL the application server POSTs to. */
  endpoint: z.url({ protocol: /^https?$/, error: 'expected the push service URL (http or https)' }),
  /** Epoch ms after which the subscription lapses; `null` when the service does not say. */
  expirationTime: z.number().nullable().optional(),
  keys: z.object({
    /** The user agent's P-256 ECDH public key (65 bytes uncompressed, base64url). */
    p256dh: base64url.min(80),
    /** The 16-byte authentication secret (base64url). */
    auth: base64url.min(16),
  }),
})

/** A web push subscription as `PushSubscription.toJSON()` gives it. */
export type PushSubscriptionJson = z.infer<typeof pushSubscriptionSchema>
