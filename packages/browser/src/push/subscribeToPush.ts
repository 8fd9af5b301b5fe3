/**
 * Web push sign-up in the page: registers the service worker, asks for permission, subscribes
 * through the Push API (https://www.w3.org/TR/push-api/) with the shop's VAPID key, and stores the
 * subscription as the `webPush` trait through `identify`, where the server's push channel finds
 * it. A separate export: the script-tag bundle does not carry it.
 */
import type { BrowserClient } from '../browserClientTypes.js'

/** The parts of `navigator` this uses (injectable for tests). */
export interface PushNavigator {
  readonly serviceWorker?: {
    register: (url: string, options?: { scope?: string }) => Promise<{ readonly pushManager?: PushManagerLike }>
    /** Resolves with the registration once its worker is active (the Push API needs an active worker). */
    readonly ready?: Promise<{ readonly pushManager?: PushManagerLike }>
  }
}

/** The parts of `PushManager` this uses. */
export interface PushManagerLike {
  getSubscription: () => Promise<{ toJSON: () => unknown } | null>
  subscribe: (options: {
    userVisibleOnly: boolean
    applicationServerKey: Uint8Array
  }) => Promise<{ toJSON: () => unknown }>
}

/** The parts of `Notification` this uses. */
export interface NotificationLike {
  readonly permission: 'default' | 'granted' | 'denied'
  requestPermission: () => Promise<'default' | 'granted' | 'denied'>
}

/** Options of {@link subscribeToPush}. */
export interface SubscribeToPushOptions {
  /** The client whose `identify` stores the subscription. */
  readonly client: Pick<BrowserClient, 'identify'>
  /** The VAPID public key (base64url), the web push channel's `vapid.publicKey`. */
  readonly vapidPublicKey: string
  /** The service worker script that shows notifications (same origin as the page). @default '/ecrm-sw.js' */
  readonly serviceWorker?: string
  /** The worker's scope; it must include the page (the subscription waits for that page's active worker). @default the script's folder */
  readonly scope?: string
  /** @default globalThis.navigator */
  readonly navigator?: PushNavigator
  /** @default globalThis.Notification */
  readonly notification?: NotificationLike
}

/** What {@link subscribeToPush} did: stored the subscription, or why not. */
export type SubscribeToPushResult =
  | { readonly ok: true; readonly subscription: unknown; readonly messageId: string }
  | {
      readonly ok: false
      readonly reason: 'unsupported' | 'denied' | 'failed' | 'not_stored'
      readonly detail?: string
    }

function keyBytes(base64url: string): Uint8Array {
  const binary = atob(
    base64url
      .replace(/-/g, '+')
      .replace(/_/g, '/')
      .padEnd(Math.ceil(base64url.length / 4) * 4, '='),
  )
  return Uint8Array.from(binary, (char) => char.charCodeAt(0))
}

/**
 * Subscribes the visitor to web push and stores the subscription as the `webPush` trait. Never
 * throws or rejects; `ok: true` only when the subscription was handed to `identify` and accepted
 * (a refusal by consent or validation is `not_stored`). Call it from a click: browsers ask for
 * notification permission only after a user gesture.
 *
 * @example
 * const result = await subscribeToPush({ client: ecrm, vapidPublicKey: 'BEl6…' })
 * if (!result.ok) console.info('no push:', result.reason)
 */
export async function subscribeToPush(options: SubscribeToPushOptions): Promise<SubscribeToPushResult> {
  try {
    const nav = options.navigator ?? (globalThis.navigator as PushNavigator | undefined)
    const notification = options.notification ?? (globalThis as { Notification?: NotificationLike }).Notification
    if (nav?.serviceWorker === undefined || notification === undefined)
      return { ok: false, reason: 'unsupported', detail: 'no service worker or Notification API' }
    const permission =
      notification.permission === 'default' ? await notification.requestPermission() : notification.permission
    if (permission !== 'granted')
      return { ok: false, reason: 'denied', detail: `notification permission is ${permission}` }
    const registered = await nav.serviceWorker.register(
      options.serviceWorker ?? '/ecrm-sw.js',
      options.scope === undefined ? undefined : { scope: options.scope },
    )
    // A first registration is still installing, and subscribing then fails ("no active Service
    // Worker"): wait until a worker controlling this page's scope is active.
    const registration = (await nav.serviceWorker.ready) ?? registered
    const manager = registration.pushManager
    if (manager === undefined) return { ok: false, reason: 'unsupported', detail: 'no PushManager' }
    const existing = await manager.getSubscription()
    const subscription =
      existing ??
      (await manager.subscribe({ userVisibleOnly: true, applicationServerKey: keyBytes(options.vapidPublicKey) }))
    const json = subscription.toJSON()
    const messageId = options.client.identify({ webPush: json })
    if (messageId === undefined)
      return {
        ok: false,
        reason: 'not_stored',
        detail: 'identify did not accept the webPush trait (consent or validation)',
      }
    return { ok: true, subscription: json, messageId }
  } catch (error) {
    return { ok: false, reason: 'failed', detail: error instanceof Error ? error.message : String(error) }
  }
}
