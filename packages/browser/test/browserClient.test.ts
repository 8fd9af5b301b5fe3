// @vitest-environment happy-dom
import 'fake-indexeddb/auto'
import { afterEach, describe, expect, it } from 'vitest'
import type { EcrmError, EcrmEvent } from '@ecrm/core'
import { createBrowserClientHandle } from '../src/browserClient.js'
import type { BrowserClientOptions } from '../src/browserClientTypes.js'
import {
  createFakeConnectivity,
  createManualClock,
  createScriptedTransport,
  createSequentialIds,
} from '../../core/test/fakes/index.js'

const T0 = Date.parse('2026-03-01T10:00:00.000Z')
const closers: (() => Promise<void>)[] = []
let dbCounter = 0

afterEach(async () => {
  for (const close of closers.splice(0)) await close()
  localStorage.clear()
  history.replaceState(null, '', '/')
  Reflect.deleteProperty(navigator, 'globalPrivacyControl')
})

const setup = (overrides: Partial<BrowserClientOptions> = {}) => {
  const time = createManualClock({ startAt: T0, settleTurns: 40 })
  const scripted = createScriptedTransport()
  const connectivity = createFakeConnectivity(true)
  const errors: EcrmError[] = []
  const handle = createBrowserClientHandle({
    writeKey: 'wk',
    endpoint: 'https://collect.shop.example/',
    dbName: `ecrm-client-test-${++dbCounter}`,
    onError: (error) => errors.push(error),
    ...overrides,
    ports: {
      clock: time,
      scheduler: time,
      transport: scripted.transport,
      connectivity,
      createId: createSequentialIds('id-'),
      ...overrides.ports,
    },
  })
  closers.push(() => handle.client.close())
  const events = (): Record<string, unknown>[] => scripted.sentEvents()
  const deliver = async (): Promise<void> => {
    await time.settle()
    await handle.client.flush()
  }
  return { ...handle, time, scripted, connectivity, errors, events, deliver }
}

describe('createBrowserClient', () => {
  it('sends the first page view and positional calls with the page, session and campaign context', async () => {
    history.replaceState(null, '', '/shoes?utm_source=news&utm_campaign=spring&gclid=G1')
    document.title = 'Shoes'
    const { client, events, deliver, scripted } = setup()
    client.track('Product Added', { product_id: 'sku-1', price: 19.99, currency: 'EUR' })
    client.identify('user-42', { email: 'a@b.example' })
    client.page('Catalog', 'Shoes', { sale: true })
    await deliver()
    const sent = events()
    expect(sent.map((event) => event['type'])).toEqual(['page', 'track', 'identify', 'page'])
    const [first, added, identified, named] = sent as Record<string, any>[]
    expect(first?.['properties']).toMatchObject({
      path: '/shoes',
      title: 'Shoes',
      search: '?utm_source=news&utm_campaign=spring&gclid=G1',
    })
    expect(added).toMatchObject({
      event: 'Product Added',
      properties: { product_id: 'sku-1', price: 19.99, currency: 'EUR' },
    })
    expect(added?.['context']).toMatchObject({
      page: { path: '/shoes', title: 'Shoes' },
      campaign: { source: 'news', name: 'spring', gclid: 'G1' },
      library: { name: '@ecrm/browser' },
      locale: navigator.language,
    })
    expect(added?.['context'].sessionId).toBe(first?.['context'].sessionId)
    expect(identified).toMatchObject({ userId: 'user-42', traits: { email: 'a@b.example' } })
    expect(named).toMatchObject({ category: 'Catalog', name: 'Shoes', properties: { sale: true, path: '/shoes' } })
    expect(scripted.requests[0]?.url).toBe('https://collect.shop.example/v1/batch')
    expect(scripted.requests[0]?.headers['Content-Type']).toMatch(/text\/plain/)
    // The anonymousId lives in localStorage and a first-party cookie.
    const anonymousId = String(added?.['anonymousId'])
    expect(localStorage.getItem('ecrm.anonymousId')).toBe(anonymousId)
    expect(document.cookie).toContain(`ecrm.anonymousId=${anonymousId}`)
  })

  it('never throws into the page: bad input goes to onError with a clear message', async () => {
    const { client, errors } = setup({ capture: { pageViews: false } })
    expect(() => client.track(null as unknown as string)).not.toThrow()
    expect(client.track('')).toBeUndefined()
    expect(client.group(undefined as unknown as string)).toBeUndefined()
    expect(errors.map((error) => error.message)).toEqual([
      expect.stringMatching(/track\(\) refused the event: event/),
      expect.stringMatching(/track\(\) refused the event: event/),
      expect.stringMatching(/group\(\) refused the event: groupId/),
    ])
    const throwing = setup({
      capture: { pageViews: false },
      onError: () => {
        throw new Error('host bug')
      },
    })
    expect(() => throwing.client.track('')).not.toThrow()
  })

  it("reports calls after close() as 'client_closed', as flush() does, and never throws", async () => {
    const { client, errors } = setup({ capture: { pageViews: false } })
    await client.close()
    expect(client.track('Too Late')).toBeUndefined()
    expect(client.identify('user-42')).toBeUndefined()
    await client.flush()
    expect(errors.map((error) => error.code)).toEqual(['client_closed', 'client_closed', 'client_closed'])
    expect(errors[0]?.message).toMatch(/^track\(\) was called after close\(\)/)
    expect(client.stats().lastError?.code).toBe('client_closed')
  })

  it("reports its own errors on core's channels: onError, on('error'), stats().lastError and, with debug, the console", () => {
    const warnings: unknown[][] = []
    const original = console.warn
    console.warn = (...args: unknown[]) => void warnings.push(args)
    try {
      const { client, errors } = setup({ capture: { pageViews: false }, debug: true })
      const emitted: unknown[] = []
      client.on('error', (error) => emitted.push(error))
      client.track('')
      expect(client.stats().lastError).toMatchObject({
        code: 'validation_failed',
        message: expect.stringMatching(/track\(\) refused the event/),
      })
      const throwing = {
        get boom(): never {
          throw new Error('getter bug')
        },
      }
      expect(client.page(throwing)).toBeUndefined()
      expect(client.stats().lastError).toMatchObject({
        code: 'internal_error',
        message: expect.stringMatching(/^Unexpected error: ecrm\.page\(\) \(Error: getter bug/),
      })
      expect(errors.map((error) => error.code)).toEqual(['validation_failed', 'internal_error'])
      expect(emitted).toEqual(errors)
      expect(warnings.map(([, error]) => error)).toEqual(errors)
    } finally {
      console.warn = original
    }
  })

  it('takes per-call options without letting them replace the call itself', async () => {
    const { client, events, deliver } = setup({ capture: { pageViews: false } })
    client.identify({ plan: 'pro' }, { userId: 'user-9', messageId: 'm-1' } as never)
    client.track('Viewed', { n: 1 }, { event: 'Other', timestamp: '2026-03-01T09:00:00.000Z' } as never)
    client.alias('user-10')
    await deliver()
    const [identified, tracked, aliased] = events() as Record<string, any>[]
    expect(identified).toMatchObject({ type: 'identify', userId: 'user-9', messageId: 'm-1', traits: { plan: 'pro' } })
    expect(tracked).toMatchObject({ event: 'Viewed', timestamp: '2026-03-01T09:00:00.000Z', properties: { n: 1 } })
    expect(aliased).toMatchObject({ type: 'alias', userId: 'user-10', previousId: 'user-9' })
  })

  it('refuses invalid options with an actionable error (the only throw)', () => {
    expect(() => setup({ writeKey: '' })).toThrow(
      expect.objectContaining({ code: 'invalid_options', message: expect.stringMatching(/writeKey/) }),
    )
    expect(() => setup({ endpoint: 'collect.shop.example' })).toThrow(/endpoint/)
    // A protocol-relative URL is not resolved here: core judges it.
    expect(() => setup({ endpoint: '//collect.shop.example' })).toThrow(/endpoint/)
    // No options object at all: core's check names the first missing option.
    expect(() => createBrowserClientHandle(undefined as never)).toThrow(
      expect.objectContaining({ code: 'invalid_options', message: expect.stringMatching(/writeKey/) }),
    )
  })

  it('resolves a same-origin endpoint against the page', async () => {
    const { client, scripted, deliver } = setup({ endpoint: '/collect', capture: { pageViews: false } })
    client.track('Viewed')
    await deliver()
    expect(location.origin).toMatch(/^https?:\/\//)
    expect(scripted.requests[0]?.url).toBe(`${location.origin}/collect/v1/batch`)
  })

  it('replays a buffered call with its own page and time', async () => {
    const { client, runAt, events, deliver } = setup({ capture: { pageViews: false } })
    const page = { path: '/earlier', url: 'https://shop.example/earlier', title: 'Earlier', referrer: '', search: '' }
    runAt({ page, timestamp: '2026-03-01T09:59:00.000Z' }, () => client.track('Buffered'))
    client.track('Live')
    await deliver()
    const [buffered, live] = events() as Record<string, any>[]
    expect(buffered).toMatchObject({ event: 'Buffered', timestamp: '2026-03-01T09:59:00.000Z', context: { page } })
    expect(live?.['context'].page.path).toBe('/')
    expect(live?.['timestamp']).toBe(new Date(T0).toISOString())
  })

  it('sends a page view on each SPA route change, with the previous URL as referrer', async () => {
    history.replaceState(null, '', '/home')
    const { events, deliver } = setup()
    history.pushState(null, '', '/product/1')
    history.pushState(null, '', '/product/1#reviews')
    history.replaceState(null, '', '/cart')
    window.dispatchEvent(new PopStateEvent('popstate'))
    await deliver()
    const pages = events().map((event) => (event as Record<string, any>)['context'].page)
    expect(pages.map((page) => page.path)).toEqual(['/home', '/product/1', '/cart'])
    expect(new URL(pages[1].referrer).pathname).toBe('/home')
    expect(new URL(pages[2].referrer).pathname).toBe('/product/1')
  })

  it('with GPC on, marketing destinations receive nothing and the backend is told', async () => {
    Object.defineProperty(navigator, 'globalPrivacyControl', { value: true, configurable: true })
    const marketing: EcrmEvent[] = []
    const analytics: EcrmEvent[] = []
    const { client, events, deliver } = setup({
      capture: { pageViews: false },
      destinations: [
        { name: 'pixel', category: 'marketing', deliver: (event) => void marketing.push(event) },
        { name: 'rules', category: 'analytics', deliver: (event) => void analytics.push(event) },
      ],
    })
    client.track('Order Completed', { order_id: 'o-1', total: 42 })
    await deliver()
    expect(marketing).toEqual([])
    expect(analytics).toHaveLength(1)
    expect(client.stats().gpc).toBe(true)
    expect(client.consent.get()).toMatchObject({ marketing: false, analytics: true })
    expect((events()[0] as Record<string, any>)['context'].consent).toMatchObject({
      gpc: true,
      categories: { marketing: false },
    })
  })

  it('holds events while consent is pending and sends them once granted', async () => {
    const { client, events, deliver } = setup({ capture: { pageViews: false }, consent: { default: 'pending' } })
    client.track('Viewed')
    await deliver()
    expect(events()).toEqual([])
    expect(client.stats().held).toBe(1)
    client.consent.set({ analytics: true })
    await deliver()
    expect(events().map((event) => event['event'])).toEqual(['Viewed'])
  })

  /** Makes the page hidden for one visibilitychange, as a tab switch does, and lets the client react. */
  const hidePage = async (time: { settle: () => Promise<void> }): Promise<void> => {
    Object.defineProperty(document, 'visibilityState', { value: 'hidden', configurable: true })
    document.dispatchEvent(new Event('visibilitychange'))
    await time.settle()
    Reflect.deleteProperty(document, 'visibilityState')
  }

  it('flushes with keepalive when the page is hidden', async () => {
    const { client, scripted, time } = setup({ capture: { pageViews: false } })
    client.track('Leaving')
    await time.settle()
    await hidePage(time)
    expect(scripted.requests).toHaveLength(1)
    expect(scripted.requests[0]?.keepalive).toBe(true)
  })

  it('sends nothing when the page is hidden while offline (core does not send offline)', async () => {
    const { client, scripted, time, connectivity } = setup({ capture: { pageViews: false } })
    connectivity.setOnline(false)
    client.track('Leaving')
    await time.settle()
    await hidePage(time)
    expect(scripted.requests).toHaveLength(0)
    expect(client.stats().queued).toBe(1)
  })

  it('forget() deletes ids, consent, session and queued events, then sends one Data Erasure Requested', async () => {
    const { client, events, connectivity, deliver, time } = setup({ capture: { pageViews: false } })
    connectivity.setOnline(false)
    client.identify('user-7', { email: 'x@y.example' })
    client.track('Private Thing')
    client.consent.set({ marketing: false })
    await time.settle()
    const before = client.user()
    await client.forget()
    connectivity.setOnline(true)
    await deliver()
    const sent = events() as Record<string, any>[]
    expect(sent.map((event) => event['event'])).toEqual(['Data Erasure Requested'])
    expect(sent[0]).toMatchObject({
      userId: 'user-7',
      anonymousId: before.anonymousId,
      properties: { anonymousId: before.anonymousId, userId: 'user-7' },
    })
    expect(client.user().userId).toBeUndefined()
    expect(client.user().anonymousId).not.toBe(before.anonymousId)
    expect(Object.keys(localStorage).filter((key) => key.startsWith('ecrm.'))).toEqual([])
  })

  it('reports where it stores: IndexedDB outbox and localStorage', async () => {
    const { client, time } = setup({ capture: { pageViews: false } })
    client.track('Anything')
    await time.settle()
    expect(client.stats()).toMatchObject({ storage: 'indexeddb', keyValueStorage: 'localStorage', queued: 1 })
  })

  it('starts a new session after the configured idle time', async () => {
    const { client, events, deliver, time } = setup({ capture: { pageViews: false, sessionIdleMs: 1_000 } })
    client.track('One')
    await time.advance(500)
    client.track('Two')
    await time.advance(1_001)
    client.track('Three')
    await deliver()
    const sessions = events().map((event) => (event as Record<string, any>)['context'].sessionId)
    expect(sessions[0]).toBe(sessions[1])
    expect(sessions[2]).not.toBe(sessions[1])
  })

  it('turns an allowlisted lead form into Lead Captured (opt-in)', async () => {
    document.body.innerHTML = `<form data-ecrm-lead><input name="email" value="lead@shop.example"><input name="password" type="password" value="x"></form>`
    const { events, deliver } = setup({ capture: { pageViews: false, leads: { fields: ['email', 'password'] } } })
    const form = document.querySelector('form') as HTMLFormElement
    form.addEventListener('submit', (event) => event.preventDefault())
    form.dispatchEvent(new Event('submit', { bubbles: true, cancelable: true }))
    await deliver()
    expect(events()).toMatchObject([{ event: 'Lead Captured', properties: { email: 'lead@shop.example' } }])
    expect((events()[0] as Record<string, any>)['properties'].password).toBeUndefined()
  })
})
