// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest'
import { createBrowserConnectivity } from '../src/environment.js'

describe('createBrowserConnectivity', () => {
  it('tells a subscriber of online and offline events until it unsubscribes', () => {
    const connectivity = createBrowserConnectivity()
    const seen: boolean[] = []
    const cancel = connectivity.subscribe((online) => seen.push(online))
    window.dispatchEvent(new Event('offline'))
    window.dispatchEvent(new Event('online'))
    cancel()
    window.dispatchEvent(new Event('offline'))
    expect(seen).toEqual([false, true])
    expect(connectivity.isOnline()).toBe(navigator.onLine !== false)
  })
})
