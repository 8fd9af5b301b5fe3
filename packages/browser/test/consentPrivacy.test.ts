// @vitest-environment happy-dom
import 'fake-indexeddb/auto'
import { afterEach, describe, expect, it } from 'vitest'
import { createBrowserClientHandle, createBasicBrowserClient } from '../src/browserClient.js'
import type { BrowserClientOptions } from '../src/browserClientTypes.js'
import { createConsentStorage } from '../src/consentStorage.js'
import { startOnsite } from '../src/onsite/startOnsite.js'
import {
  createFakeConnectivity,
  createManualClock,
  createScriptedTransport,
  createSequentialIds,
} from '../../core/test/fakes/index.js'

const T0 = Date.parse('2026-03-01T10:00:00.000Z')
const closers: (() => Promise<void>)[] = []
let dbCounter = 0

const clearCookies = (): void => {
  for (const part of document.cookie.split('; ')) {
    const name = part.split('=')[0]
    if (name) document.cookie = `${name}=; path=/; max-age=0`
  }
}
afterEach(async () => {
  for (const close of closers.splice(0)) await close()
  localStorage.clear()
  clearCookies()
  history.replaceState(null, '', '/')
})

/** Every `ecrm.` key on the device: localStorage keys and cookie names. */
const deviceKeys = (): string[] => {
  const keys: string[] = []
  for (let index = 0; index < localStorage.length; index++) {
    const key = localStorage.key(index)
    if (key?.startsWith('ecrm.') === true) keys.push(`localStorage:${key}`)
  }
  for (const part of document.cookie.split('; ')) {
    const [name, value] = part.split('=')
    if (name?.startsWith('ecrm.') === true && value !== undefined && value !== '') keys.push(`cookie:${name}`)
  }
  return keys.sort()
}

const setup = (overrides: Partial<BrowserClientOptions> = {}) => {
  const time = createManualClock({ startAt: T0, settleTurns: 40 })
  const scripted = createScriptedTransport()
  const handle = createBrowserClientHandle(
    {
      writeKey: 'wk',
      endpoint: 'https://collect.shop.example',
      dbName: `ecrm-privacy-test-${++dbCounter}`,
      consent: { default: 'pending' },
      ...overrides,
      ports: {
        clock: time,
        scheduler: time,
        transport: scripted.transport,
        connectivity: createFakeConnectivity(true),
        createId: createSequentialIds('id-'),
      },
    },
    startOnsite,
  )
  closers.push(() => handle.client.close())
  const deliver = async (): Promise<void> => {
    await time.settle()
    await handle.client.flush()
    await time.settle()
  }
  return { ...handle, time, scripted, deliver, events: () => scripted.sentEvents() as Record<string, any>[] }
}

describe('consent before storage (createBrowserClient)', () => {
  it('writes nothing with the ecrm. prefix while consent is pending, then persists the id the held events carry', async () => {
    history.replaceState(null, '', '/shoes?utm_source=news&utm_campaign=spring')
    const { client, events, deliver } = setup()
    client.track('Product Viewed', { product_id: 'sku-1' })
    client.identify('user-42', { email: 'a@b.example' })
    await deliver()
    expect(deviceKeys()).toEqual([])
    expect(events()).toEqual([])

    client.consent.set({ analytics: true })
    await deliver()
    const sent = events()
    expect(sent.map((event) => event['type'])).toEqual(['page', 'track', 'identify'])
    const anonymousId = localStorage.getItem('ecrm.anonymousId')
    expect(anonymousId).not.toBeNull()
    for (const event of sent) expect(event['anonymousId']).toBe(anonymousId)
    expect(document.cookie).toContain(`ecrm.anonymousId=${anonymousId}`)
    expect(document.cookie).toContain('ecrm.userId=user-42')
    expect(JSON.parse(localStorage.getItem('ecrm.traits') ?? '{}')).toEqual({ email: 'a@b.example' })
    expect(JSON.parse(localStorage.getItem('ecrm.session') ?? '{}').id).toBe(sent[0]?.['context'].sessionId)
    expect(localStorage.getItem('ecrm.firstTouch')).toContain('spring')
  })

  it('keeps the on-site profile and rule state in memory until granted', async () => {
    const { client, deliver } = setup()
    client.track('Product Added', { product_id: 'sku-1', price: 10, currency: 'EUR' })
    client.consent.set({ marketing: true })
    await deliver()
    expect(deviceKeys()).toEqual(['localStorage:ecrm.consent'])
    client.consent.set({ analytics: true })
    client.track('Order Completed', { order_id: 'o-1', total: 10, currency: 'EUR' })
    await deliver()
    expect(deviceKeys()).toContain('localStorage:ecrm.profile')
    expect(deviceKeys()).toContain('cookie:ecrm.anonymousId')
  })

  it('stores only the refusal itself when consent is denied', async () => {
    const { client, events, deliver } = setup()
    client.identify('user-42', { email: 'a@b.example' })
    client.consent.set({ analytics: false })
    client.track('Product Viewed', { product_id: 'sku-1' })
    await deliver()
    expect(events()).toEqual([])
    expect(deviceKeys()).toEqual(['localStorage:ecrm.consent'])
    expect(JSON.parse(localStorage.getItem('ecrm.consent') ?? '{}')).toMatchObject({ analytics: false })
    // The visitor is still one visitor for the page's life.
    expect(client.user()).toMatchObject({ userId: 'user-42', traits: { email: 'a@b.example' } })
  })

  it('takes the ids back off the device when consent is withdrawn', async () => {
    const { client, deliver } = setup({ consent: { default: 'granted' } })
    client.identify('user-42', { email: 'a@b.example' })
    await deliver()
    expect(deviceKeys()).toContain('localStorage:ecrm.traits')
    client.consent.set({ analytics: false })
    expect(deviceKeys()).toEqual(['localStorage:ecrm.consent'])
    expect(client.user().userId).toBe('user-42')
  })

  it('honours a configured storage category', async () => {
    const { client, deliver } = setup({ consent: { default: 'pending', storageCategory: 'functional' } })
    client.consent.set({ analytics: true })
    await deliver()
    expect(deviceKeys()).toEqual(['localStorage:ecrm.consent'])
    client.consent.set({ functional: true })
    expect(deviceKeys()).toContain('cookie:ecrm.anonymousId')
  })

  it('stores at once in an opt-out setup (default granted), as before', async () => {
    const client = createBasicBrowserClient({
      writeKey: 'wk',
      endpoint: 'https://collect.shop.example',
      dbName: `ecrm-privacy-test-${++dbCounter}`,
      ports: { transport: createScriptedTransport().transport },
    })
    closers.push(() => client.close())
    client.track('Product Viewed')
    expect(localStorage.getItem('ecrm.anonymousId')).not.toBeNull()
  })
})

describe('forget() while events are held for consent', () => {
  it("never sends the erased visitor's held events after a later grant", async () => {
    const { client, events, deliver } = setup({ capture: { pageViews: false } })
    client.track('Product Viewed', { product_id: 'sku-1' })
    client.identify('user-42', { email: 'a@b.example' })
    const erasedId = client.user().anonymousId
    expect(erasedId).toBeDefined()
    await client.forget()
    client.track('Product Viewed', { product_id: 'sku-2' })
    client.consent.set({ analytics: true })
    await deliver()
    const sent = events()
    expect(sent.filter((event) => event['event'] === 'Data Erasure Requested')).toHaveLength(1)
    const others = sent.filter((event) => event['event'] !== 'Data Erasure Requested')
    expect(others.map((event) => event['properties']?.product_id)).toEqual(['sku-2'])
    expect(others[0]?.['anonymousId']).not.toBe(erasedId)
    expect(others.some((event) => event['userId'] === 'user-42')).toBe(false)
    expect(JSON.stringify(client.profile())).not.toContain('user-42')
  })
})

describe('createConsentStorage', () => {
  const fakeStore = () => {
    const map = new Map<string, string>()
    return {
      map,
      store: {
        get: (key: string) => map.get(key),
        set: (key: string, value: string) => void map.set(key, value),
        remove: (key: string) => void map.delete(key),
      },
    }
  }

  it('holds writes in memory until allowed, then moves them on sync', () => {
    const { map, store } = fakeStore()
    let allowed = false
    const storage = createConsentStorage({ storage: store, isAllowed: () => allowed })
    storage.set('ecrm.anonymousId', 'a-1')
    storage.set('ecrm.consent', '{}')
    expect([...map.keys()]).toEqual(['ecrm.consent'])
    expect(storage.get('ecrm.anonymousId')).toBe('a-1')
    allowed = true
    storage.sync()
    expect(map.get('ecrm.anonymousId')).toBe('a-1')
  })

  it('treats a throwing isAllowed as not allowed, and always deletes from the device', () => {
    const { map, store } = fakeStore()
    map.set('ecrm.userId', 'u-1')
    const storage = createConsentStorage({
      storage: store,
      isAllowed: () => {
        throw new Error('not ready')
      },
    })
    storage.set('ecrm.traits', '{"a":1}')
    expect(map.has('ecrm.traits')).toBe(false)
    expect(storage.get('ecrm.userId')).toBe('u-1')
    storage.remove('ecrm.userId')
    expect(map.has('ecrm.userId')).toBe(false)
  })
})
