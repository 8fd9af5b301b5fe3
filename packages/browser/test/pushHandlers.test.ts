/**
 * Unit test of the worker's listeners with a fake scope: the notification click cannot be made in
 * headless Chromium (tests/browser/pushServiceWorker.test.ts covers the push event there).
 */
import { describe, expect, it } from 'vitest'
import { installPushHandlers } from '../src/push/pushHandlers.js'
import type { NotificationClickLike, PushEventLike, PushWorkerScope } from '../src/push/pushHandlers.js'

function worker() {
  const listeners: {
    push?: (event: PushEventLike) => void
    notificationclick?: (event: NotificationClickLike) => void
  } = {}
  const shown: unknown[] = []
  const opened: string[] = []
  const scope = {
    addEventListener: (type: 'push' | 'notificationclick', listener: never) => void (listeners[type] = listener),
    registration: {
      scope: 'https://shop.example/',
      showNotification: async (title: string, options: unknown) => void shown.push({ title, ...(options as object) }),
    },
    clients: { openWindow: async (url: string) => void opened.push(url) },
  } as unknown as PushWorkerScope
  installPushHandlers(scope)
  const waits: Promise<unknown>[] = []
  const push = async (data: unknown) => {
    listeners.push?.({
      data: data === null ? null : { json: () => (typeof data === 'string' ? JSON.parse(data) : data) },
      waitUntil: (promise) => void waits.push(promise),
    })
    await Promise.all(waits)
  }
  const click = async (data: unknown) => {
    let closed = false
    listeners.notificationclick?.({
      notification: { data, close: () => void (closed = true) },
      waitUntil: (promise) => void waits.push(promise),
    })
    await Promise.all(waits)
    return closed
  }
  return { push, click, shown, opened }
}

describe('installPushHandlers', () => {
  it("shows the web push channel's payload, tagged with the message id", async () => {
    const { push, shown } = worker()
    await push({
      title: 'Your cart',
      body: 'سبد خرید شما منتظر است',
      url: 'https://collect.example/v1/m/c/t.s',
      id: 'f-1:0',
    })
    expect(shown).toEqual([
      {
        title: 'Your cart',
        body: 'سبد خرید شما منتظر است',
        tag: 'f-1:0',
        data: { url: 'https://collect.example/v1/m/c/t.s', id: 'f-1:0' },
      },
    ])
  })

  it("leaves pushes that are not ecrm's (no data, not JSON, no title or id) to other listeners", async () => {
    const { push, shown } = worker()
    await push(null)
    await push('{not json')
    await push({ body: 'no title' })
    await push({ title: 'no id' })
    expect(shown).toEqual([])
  })

  it('a click closes the notification and opens its URL (the click redirect), or the scope when it has none', async () => {
    const { click, opened } = worker()
    expect(await click({ url: 'https://collect.example/v1/m/c/t.s', id: 'f-1:0' })).toBe(true)
    expect(await click({ url: null, id: 'f-2:0' })).toBe(true)
    expect(await click({ other: 'app' })).toBe(false)
    expect(opened).toEqual(['https://collect.example/v1/m/c/t.s', 'https://shop.example/'])
  })
})
