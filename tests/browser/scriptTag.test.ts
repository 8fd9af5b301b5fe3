import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser } from 'playwright-core'
import { launchChromium, requireChromium } from '../support/chromium.js'
import { startRecordingBackend } from '../support/recordingBackend.js'
import type { RecordingBackend } from '../support/recordingBackend.js'
import { WRITE_KEY, eventsNamed, loadCall, openTab, startStorefront, waitForClient } from './storefront.js'

const skipReason = requireChromium()

describe.skipIf(skipReason !== undefined)(
  `script tag in Chromium${skipReason ? ` (skipped: ${skipReason})` : ''}`,
  () => {
    let browser: Browser
    const backends: RecordingBackend[] = []
    beforeAll(async () => {
      browser = await launchChromium()
    })
    afterAll(async () => {
      await browser?.close()
      for (const backend of backends) await backend.close()
    })

    it('1. calls made before the bundle loads arrive in order, each with its own page context and time', async () => {
      const backend = await startStorefront({
        bundleDelayMs: 800,
        app:
          loadCall() +
          'ecrm.page()\n' +
          "ecrm.track('First Click', { n: 1 })\n" +
          "document.title = 'Second title'\n" +
          "history.pushState({}, '', '/second?x=1')\n" +
          "ecrm.track('Second Click', { n: 2 })\n" +
          "ecrm.identify('user-1', { plan: 'pro' })\n",
      })
      backends.push(backend)
      const context = await browser.newContext()
      const errors: string[] = []
      const tab = await openTab(context, `${backend.origin}/`, errors, 'domcontentloaded')
      // Before the bundle arrives, the stub holds the calls.
      const buffered = await tab.evaluate(() => (window as unknown as { ecrm: { q?: unknown[] } }).ecrm.q?.length)
      expect(buffered).toBe(5)
      await waitForClient(tab)
      await backend.waitFor(() => backend.deliveredEvents().length >= 4, 15_000, '4 events')

      const events = backend.deliveredEvents()
      expect(events.map((event) => event['event'] ?? event['type'])).toEqual([
        'page',
        'First Click',
        'Second Click',
        'identify',
      ])
      const [page, first, second, identify] = events as Record<string, any>[]
      expect(page?.['context'].page).toMatchObject({ path: '/', title: 'Storefront', url: `${backend.origin}/` })
      expect(first?.['context'].page).toMatchObject({ path: '/', title: 'Storefront' })
      expect(second?.['context'].page).toMatchObject({
        path: '/second',
        title: 'Second title',
        search: '?x=1',
        url: `${backend.origin}/second?x=1`,
      })
      expect(identify).toMatchObject({ userId: 'user-1', traits: { plan: 'pro' } })
      // Each keeps the time it was called at, well before the delayed bundle replayed it.
      const calledAt = events.map((event) => Date.parse(String(event['timestamp'])))
      expect([...calledAt].sort((a, b) => a - b)).toEqual(calledAt)
      for (const event of events) {
        expect(
          Date.parse(String(event['originalTimestamp'])) - Date.parse(String(event['timestamp'])),
        ).toBeGreaterThanOrEqual(600)
      }
      // CORS-simple requests carrying the write key; no strict-CSP violation, no page error.
      expect(backend.requests[0]?.headers['content-type']).toMatch(/^text\/plain/)
      expect(backend.requests[0]?.body?.writeKey).toBe(WRITE_KEY)
      expect(await tab.evaluate(() => (window as unknown as { __csp: string[] }).__csp)).toEqual([])
      expect(errors).toEqual([])
      await context.close()
    })

    it('creates the client from data attributes on its script tag', async () => {
      const backend = await startStorefront({ app: '' })
      backends.push(backend)
      const context = await browser.newContext()
      const tab = await openTab(context, `${backend.origin}/tagged`)
      await waitForClient(tab)
      await tab.evaluate(() =>
        (window as unknown as { ecrm: { track: (name: string) => void } }).ecrm.track('Tagged Event'),
      )
      await tab.evaluate(() => (window as unknown as { ecrm: { flush: () => Promise<unknown> } }).ecrm.flush())
      await backend.waitFor(() => eventsNamed(backend, 'Tagged Event').length === 1, 10_000, 'the tagged event')
      expect(backend.deliveredEvents().map((event) => event['type'])).toContain('page')
      expect(backend.requests.at(-1)?.body?.writeKey).toBe(WRITE_KEY)
      await context.close()
    })

    it('sends to a collector on another origin without a CORS preflight', async () => {
      const collector = await startRecordingBackend()
      backends.push(collector)
      const app = loadCall('', JSON.stringify(collector.origin)) + "ecrm.track('Cross Origin', { n: 1 })\n"
      const backend = await startStorefront({ app, collectorOrigin: collector.origin })
      backends.push(backend)
      const context = await browser.newContext()
      const errors: string[] = []
      const tab = await openTab(context, `${backend.origin}/`, errors)
      await waitForClient(tab)
      await collector.waitFor(
        () => eventsNamed(collector, 'Cross Origin').length === 1,
        10_000,
        'the cross-origin event',
      )
      // A page exit sends with fetch keepalive: that request must be preflight-free too.
      await tab.evaluate(() =>
        (window as unknown as { ecrm: { track: (name: string) => void } }).ecrm.track('Before Exit'),
      )
      await tab.goto(`${backend.origin}/plain`)
      await collector.waitFor(() => eventsNamed(collector, 'Before Exit').length >= 1, 10_000, 'the event sent at exit')
      expect(collector.preflights).toEqual([])
      expect(collector.requests.every((request) => request.body?.writeKey === WRITE_KEY)).toBe(true)
      expect(collector.requests.every((request) => request.headers['authorization'] === undefined)).toBe(true)
      expect(backend.requests).toEqual([])
      expect(errors).toEqual([])
      await context.close()
    })

    it('6. with GPC on, marketing destinations receive nothing (and without it they do)', async () => {
      const app =
        'window.__marketing = []; window.__analytics = []\n' +
        loadCall(
          "destinations: [{ name: 'pixel', category: 'marketing', deliver: (e) => window.__marketing.push(e.event || e.type) }," +
            " { name: 'rules', category: 'analytics', deliver: (e) => window.__analytics.push(e.event || e.type) }],",
        ) +
        "ecrm.track('Product Added', { product_id: 'sku-1' })\n" +
        "ecrm.track('Order Completed', { order_id: 'o-1', total: 42 })\n"
      const backend = await startStorefront({ app })
      backends.push(backend)

      const run = async (gpc: boolean) => {
        const context = await browser.newContext(gpc ? { extraHTTPHeaders: { 'Sec-GPC': '1' } } : {})
        // Debian's Chromium does not implement GPC itself: expose the signal as GPC browsers do.
        if (gpc)
          await context.addInitScript(() =>
            Object.defineProperty(Navigator.prototype, 'globalPrivacyControl', { get: () => true }),
          )
        const tab = await openTab(context, `${backend.origin}/`)
        await waitForClient(tab)
        await tab.waitForFunction(() => (window as unknown as { __analytics: unknown[] }).__analytics.length >= 3)
        const seen = await tab.evaluate(() => {
          const w = window as unknown as {
            __marketing: string[]
            __analytics: string[]
            ecrm: { stats: () => { gpc: boolean } }
          }
          return { marketing: w.__marketing, analytics: w.__analytics, gpc: w.ecrm.stats().gpc }
        })
        await tab.evaluate(() => (window as unknown as { ecrm: { flush: () => Promise<unknown> } }).ecrm.flush())
        await context.close()
        return seen
      }

      const withGpc = await run(true)
      expect(withGpc.gpc).toBe(true)
      expect(withGpc.marketing).toEqual([])
      expect(withGpc.analytics).toEqual(['page', 'Product Added', 'Order Completed'])
      await backend.waitFor(() => eventsNamed(backend, 'Order Completed').length === 1, 10_000, 'the order')
      expect(eventsNamed(backend, 'Order Completed')[0]?.['context'].consent).toMatchObject({
        gpc: true,
        categories: { marketing: false, analytics: true },
      })

      const control = await run(false)
      expect(control.gpc).toBe(false)
      expect(control.marketing).toEqual(['page', 'Product Added', 'Order Completed'])
    })
  },
)
