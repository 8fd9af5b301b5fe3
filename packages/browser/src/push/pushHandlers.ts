/**
 * What ecrm's service worker does with web push: shows the notification the server's web push
 * channel sends (JSON `{ title, body, url, id }`), and on a click opens its URL — the collector's
 * signed click redirect, so opening it records the click and lands on the shop page. Written
 * against the few service-worker members it uses, so a shop's own worker can install it too.
 */

/** The notification payload of `@ecrm/node`'s web push channel. */
export interface EcrmPushPayload {
  readonly title: string
  readonly body: string
  /** The click redirect to open, or null (then the worker's scope opens). */
  readonly url: string | null
  /** The message id (the notification's tag: a repeat replaces instead of stacking). */
  readonly id: string
}

/** The parts of a `PushEvent` used. */
export interface PushEventLike {
  readonly data: { json: () => unknown } | null
  waitUntil: (promise: Promise<unknown>) => void
}

/** The parts of a `NotificationEvent` used. */
export interface NotificationClickLike {
  readonly notification: { readonly data: unknown; close: () => void }
  waitUntil: (promise: Promise<unknown>) => void
}

/** The parts of `ServiceWorkerGlobalScope` used. */
export interface PushWorkerScope {
  addEventListener(type: 'push', listener: (event: PushEventLike) => void): void
  addEventListener(type: 'notificationclick', listener: (event: NotificationClickLike) => void): void
  readonly registration: {
    readonly scope: string
    showNotification: (
      title: string,
      options: { body: string; tag: string; data: { url: string | null; id: string } },
    ) => Promise<void>
  }
  readonly clients: { openWindow: (url: string) => Promise<unknown> }
}

/** The payload when it has the channel's shape, else undefined. */
function payloadOf(event: PushEventLike): EcrmPushPayload | undefined {
  try {
    const value = event.data?.json() as Partial<EcrmPushPayload> | undefined
    if (typeof value?.title !== 'string' || typeof value.id !== 'string') return undefined
    return {
      title: value.title,
      body: typeof value.body === 'string' ? value.body : '',
      url: typeof value.url === 'string' ? value.url : null,
      id: value.id,
    }
  } catch {
    return undefined
  }
}

/**
 * Installs the `push` and `notificationclick` listeners on a service worker scope. A push that is
 * not ecrm's (no JSON title and id) is left alone, for another listener of the shop's worker.
 *
 * @example
 * // in your own service worker, bundled: the same as serving ecrm-sw.js
 * installPushHandlers(self as unknown as PushWorkerScope)
 */
export function installPushHandlers(scope: PushWorkerScope): void {
  scope.addEventListener('push', (event) => {
    const payload = payloadOf(event)
    if (payload === undefined) return
    event.waitUntil(
      scope.registration.showNotification(payload.title, {
        body: payload.body,
        tag: payload.id,
        data: { url: payload.url, id: payload.id },
      }),
    )
  })
  scope.addEventListener('notificationclick', (event) => {
    const data = event.notification.data as { url?: unknown; id?: unknown } | null
    if (typeof data?.id !== 'string') return
    event.notification.close()
    event.waitUntil(scope.clients.openWindow(typeof data.url === 'string' ? data.url : scope.registration.scope))
  })
}
