/**
 * Web push with the `web-push` package: VAPID (RFC 8292) and aes128gcm payload encryption
 * (RFC 8291, RFC 8188). The request is sent here (fetch) rather than by web-push, so every HTTP
 * channel shares one reply classification, and only to allowlisted push services: a subscription
 * is a visitor-supplied trait, and a forged endpoint must not make the server POST anywhere.
 */
import { pushSubscriptionSchema } from '@ecrm/core'
import type { Channel, ChannelOutcome, Message } from '@ecrm/core'
import webPush from 'web-push'
import * as z from 'zod'
import { channelNameSchema, channelReason, parseChannelOptions, timeoutMsSchema } from './channelOptions.js'
import { providerRequest, transientOutcome } from './providerRequest.js'

/**
 * The push services browsers subscribe with (a host, or any host under it): Chrome/Edge via FCM,
 * Firefox (Mozilla autopush), Safari (Apple), Edge legacy (WNS).
 */
export const KNOWN_PUSH_SERVICE_HOSTS: readonly string[] = [
  'fcm.googleapis.com',
  'android.googleapis.com',
  'push.services.mozilla.com',
  'push.apple.com',
  'notify.windows.com',
]

/** The web push options, with `secret` as the schema of the VAPID private key (a string, or `{ env }` in config). */
export function webPushOptionsSchema<S extends z.ZodType>(secret: S) {
  return z.strictObject({
    /** @default 'push' */
    name: channelNameSchema.default('push'),
    vapid: z.strictObject({
      /** A `mailto:` or `https:` contact for the push service (RFC 8292 §2.1). */
      subject: z.string().regex(/^(mailto:|https:\/\/)/, 'a mailto: or https: URL'),
      /** The application server key (base64url, 65 bytes uncompressed P-256), also given to `subscribeToPush`. */
      publicKey: z.string().regex(/^[A-Za-z0-9_-]{86,88}$/, 'a base64url P-256 public key'),
      privateKey: secret,
    }),
    /** Push service hosts allowed besides {@link KNOWN_PUSH_SERVICE_HOSTS} (a self-hosted service). */
    allowedHosts: z.array(z.string().regex(/^[A-Za-z0-9.-]+(:\d+)?$/, 'a host name')).default([]),
    /** How long the push service keeps an undelivered notification, in seconds. @default 86_400 */
    ttlSeconds: z.number().int().min(0).max(2_419_200).default(86_400),
    timeoutMs: timeoutMsSchema,
  })
}

/** Schema of {@link WebPushChannelOptions}. */
export const webPushChannelOptionsSchema = webPushOptionsSchema(z.string().min(1))

/** Options of {@link createWebPushChannel}. */
export type WebPushChannelOptions = z.input<typeof webPushChannelOptionsSchema>

/** Whether a push endpoint's host is a known push service or one of `allowedHosts`. */
export function isAllowedPushEndpoint(endpoint: string, allowedHosts: readonly string[]): boolean {
  let url: URL
  try {
    url = new URL(endpoint)
  } catch {
    return false
  }
  if (allowedHosts.includes(url.host) || allowedHosts.includes(url.hostname)) return true
  return (
    url.protocol === 'https:' &&
    url.port === '' &&
    KNOWN_PUSH_SERVICE_HOSTS.some((host) => url.hostname === host || url.hostname.endsWith(`.${host}`))
  )
}

/**
 * A push {@link Channel}. The notification is JSON `{ title, body, url, id }` (content's subject,
 * text and url, the message id), which the service worker shows. 2xx is delivered (provider id:
 * the `Location` the service gives); 404 and 410 mean the subscription is gone (RFC 8030 §7.3) and
 * fail as `bounce` with reason `expired_subscription`, so the sender suppresses it; 429 (with
 * `Retry-After`) and 5xx retry; an endpoint outside the allowlist fails as `rejected`, unsent.
 *
 * @example
 * const push = createWebPushChannel({ vapid: { subject: 'mailto:ops@shop.example', publicKey, privateKey: process.env.VAPID_PRIVATE_KEY! } })
 */
export function createWebPushChannel(options: WebPushChannelOptions): Channel {
  const config = parseChannelOptions('createWebPushChannel()', webPushChannelOptionsSchema, options)
  const said = (detail: string): string => channelReason(config.name, 'push', detail)

  const send = async (message: Message): Promise<ChannelOutcome> => {
    let parsed: unknown
    try {
      parsed = JSON.parse(message.recipient)
    } catch {
      parsed = undefined
    }
    const subscription = pushSubscriptionSchema.safeParse(parsed)
    if (!subscription.success)
      return {
        status: 'failed',
        failure: 'invalid_recipient',
        reason: said('the recipient is not a push subscription'),
      }
    const { endpoint } = subscription.data
    if (!isAllowedPushEndpoint(endpoint, config.allowedHosts)) {
      return {
        status: 'failed',
        failure: 'rejected',
        reason: said(`endpoint host ${new URL(endpoint).host} is not a known push service (add it to allowedHosts)`),
      }
    }
    const payload = JSON.stringify({
      title: message.content.subject ?? '',
      body: message.content.text,
      url: message.content.url ?? null,
      id: message.id,
    })
    let request: ReturnType<typeof webPush.generateRequestDetails>
    try {
      request = webPush.generateRequestDetails({ endpoint, keys: subscription.data.keys }, payload, {
        vapidDetails: config.vapid,
        TTL: config.ttlSeconds,
        contentEncoding: 'aes128gcm',
      })
    } catch (error) {
      return {
        status: 'failed',
        failure: 'invalid_recipient',
        reason: said(`cannot encrypt to this subscription: ${(error as Error).message}`),
      }
    }
    const reply = await providerRequest(
      request.endpoint,
      {
        method: request.method,
        headers: request.headers as Record<string, string>,
        body: request.body === null ? null : new Uint8Array(request.body),
      },
      config.timeoutMs,
    )
    const transient = transientOutcome(reply, Date.now())
    if (transient !== undefined) return { ...transient, reason: said(transient.reason) }
    if (reply.type !== 'response') return { status: 'retry', reason: said('no reply') }
    if (reply.status >= 200 && reply.status < 300) {
      const location = reply.headers.get('location')
      return location === null ? { status: 'delivered' } : { status: 'delivered', providerId: location }
    }
    if (reply.status === 404 || reply.status === 410)
      return { status: 'failed', failure: 'bounce', reason: said(`expired_subscription (HTTP ${reply.status})`) }
    return {
      status: 'failed',
      failure: 'rejected',
      reason: said(`HTTP ${reply.status}${reply.body === '' ? '' : `: ${reply.body.slice(0, 200)}`}`),
    }
  }

  return { name: config.name, kind: 'push', send }
}
