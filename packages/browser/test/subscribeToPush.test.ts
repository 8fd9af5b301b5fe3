/**
 * Unit test with a stubbed service worker container and PushManager: headless Chromium offline has
 * no push service to subscribe with, so the subscription and the stored trait are tested here
 * (registration and the worker in real Chromium: tests/browser/pushServiceWorker.test.ts).
 */
import { describe, expect, it } from 'vitest'
import { recipientOf } from '@ecrm/core'
import { subscribeToPush } from '../src/push/subscribeToPush.js'
import type { NotificationLike, PushNavigator } from '../src/push/subscribeToPush.js'

const key = 'BEl62iUYgUivxIkv69yViEuiBIa-Ib9-SkvMeAtA3LFgDzkrxZJjSgSnfckjBJuBkr3qBUYIHBQFLXYp5Nksh8U'
const subscriptionJson = {
  endpoint: 'https://fcm.googleapis.com/fcm/send/abc',
  expirationTime: null,
  keys: { p256dh: key, auth: 'tBHItJI5svbpez7KI4CCXg' },
}

function browser(
  permission: NotificationLike['permission'] = 'default',
  answer: NotificationLike['permission'] = 'granted',
) {
  const calls: { registered: string[]; subscribed: Uint8Array[] } = { registered: [], subscribed: [] }
  const nav: PushNavigator = {
    serviceWorker: {
      register: async (url) => {
        calls.registered.push(url)
        return {
          pushManager: {
            getSubscription: async () => null,
            subscribe: async ({ applicationServerKey }) => (
              calls.subscribed.push(applicationServerKey), { toJSON: () => subscriptionJson }
            ),
          },
        }
      },
    },
  }
  return { nav, notification: { permission, requestPermission: async () => answer }, calls }
}

describe('subscribeToPush', () => {
  it('registers /ecrm-sw.js, subscribes with the VAPID key and stores a webPush trait the server reads as a push recipient', async () => {
    const { nav, notification, calls } = browser()
    const identified: unknown[] = []
    const result = await subscribeToPush({
      client: { identify: (traits) => (identified.push(traits), 'msg-1') },
      vapidPublicKey: key,
      navigator: nav,
      notification,
    })
    expect(result).toEqual({ ok: true, subscription: subscriptionJson, messageId: 'msg-1' })
    expect(calls.registered).toEqual(['/ecrm-sw.js'])
    expect(calls.subscribed[0]?.length).toBe(65)
    expect(calls.subscribed[0]?.[0]).toBe(4)
    expect(identified).toEqual([{ webPush: subscriptionJson }])
    expect(recipientOf('push', { id: 'c-1', traits: identified[0] as Record<string, never> })).toEqual({
      ok: true,
      recipient: JSON.stringify(subscriptionJson),
    })
  })

  it('tells the truth instead of throwing: denied, unsupported, not stored, failed', async () => {
    const denied = browser('default', 'denied')
    expect(
      await subscribeToPush({
        client: { identify: () => 'x' },
        vapidPublicKey: key,
        navigator: denied.nav,
        notification: denied.notification,
      }),
    ).toMatchObject({ ok: false, reason: 'denied' })
    expect(denied.calls.registered).toEqual([])
    expect(
      await subscribeToPush({
        client: { identify: () => 'x' },
        vapidPublicKey: key,
        navigator: {},
        notification: denied.notification,
      }),
    ).toMatchObject({ ok: false, reason: 'unsupported' })
    const granted = browser('granted')
    expect(
      await subscribeToPush({
        client: { identify: () => undefined },
        vapidPublicKey: key,
        navigator: granted.nav,
        notification: granted.notification,
      }),
    ).toMatchObject({ ok: false, reason: 'not_stored' })
    const broken: PushNavigator = {
      serviceWorker: {
        register: async () => {
          throw new Error('SecurityError: insecure origin')
        },
      },
    }
    expect(
      await subscribeToPush({
        client: { identify: () => 'x' },
        vapidPublicKey: key,
        navigator: broken,
        notification: granted.notification,
      }),
    ).toEqual({ ok: false, reason: 'failed', detail: 'SecurityError: insecure origin' })
  })

  it('subscribes through the active registration (serviceWorker.ready), not the one still installing', async () => {
    const installing = {
      pushManager: {
        getSubscription: async () => null,
        subscribe: async () => {
          throw new Error('Subscription failed - no active Service Worker')
        },
      },
    }
    const active = {
      pushManager: { getSubscription: async () => null, subscribe: async () => ({ toJSON: () => subscriptionJson }) },
    }
    const nav: PushNavigator = { serviceWorker: { register: async () => installing, ready: Promise.resolve(active) } }
    const result = await subscribeToPush({
      client: { identify: () => 'msg-2' },
      vapidPublicKey: key,
      navigator: nav,
      notification: { permission: 'granted', requestPermission: async () => 'granted' },
    })
    expect(result).toEqual({ ok: true, subscription: subscriptionJson, messageId: 'msg-2' })
  })
})
