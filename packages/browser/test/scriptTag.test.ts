// @vitest-environment happy-dom
import 'fake-indexeddb/auto'
import { afterEach, describe, expect, it } from 'vitest'
import type { BrowserClient } from '../src/browserClientTypes.js'
import { bootScriptTag } from '../src/scriptTag.js'
import { startOnsite } from '../src/onsite/startOnsite.js'
import {
  createFakeConnectivity,
  createManualClock,
  createScriptedTransport,
  createSequentialIds,
} from '../../core/test/fakes/index.js'

const T0 = Date.parse('2026-03-01T10:00:00.000Z')
let dbCounter = 0

interface Api {
  readonly q?: unknown[]
  readonly loaded?: boolean
  readonly load: (writeKey: string, options: Record<string, unknown>) => void
  readonly track: (event: string) => unknown
  readonly page: () => unknown
  readonly flush: () => Promise<unknown>
  readonly stats: () => unknown
  readonly user: () => unknown
  readonly consent: {
    readonly get: () => Record<string, unknown>
    readonly set: (categories: Record<string, boolean>) => void
  }
  readonly client: () => BrowserClient | undefined
  readonly profile?: () => unknown
}
const global = window as unknown as { ecrm?: Api | { q: unknown[] } }
const api = (): Api => global.ecrm as Api

afterEach(async () => {
  await api()?.client()?.close()
  delete global.ecrm
  localStorage.clear()
})

/** The ports and options a buffered `ecrm.load(...)` passes, with a scripted transport and a manual clock. */
const loadOptions = (extra: Record<string, unknown> = {}) => {
  const time = createManualClock({ startAt: T0, settleTurns: 40 })
  const scripted = createScriptedTransport()
  const ports = {
    clock: time,
    scheduler: time,
    transport: scripted.transport,
    connectivity: createFakeConnectivity(true),
    createId: createSequentialIds('id-'),
  }
  const options = {
    endpoint: 'https://collect.shop.example',
    dbName: `ecrm-script-tag-test-${++dbCounter}`,
    ports,
    ...extra,
  }
  const deliver = async (): Promise<void> => {
    await time.settle()
    await api().flush()
  }
  return { options, scripted, deliver }
}

describe('bootScriptTag', () => {
  it('replays the snippet buffer in order, each call with its own page and time, and sends no second page view', async () => {
    const { options, scripted, deliver } = loadOptions()
    const earlier = {
      page: { path: '/earlier', url: 'https://shop.example/earlier' },
      timestamp: '2026-03-01T09:59:00.000Z',
    }
    global.ecrm = {
      q: [
        ['load', ['wk', options], earlier],
        ['page', [], earlier],
        ['track', ['Buffered'], earlier],
        ['consent.set', [{ marketing: false }], earlier],
      ],
    }
    bootScriptTag()
    expect(api().loaded).toBe(true)
    expect(api().consent.get()).toMatchObject({ marketing: false, analytics: true })
    api().track('Live')
    await deliver()
    const events = scripted.sentEvents() as Record<string, any>[]
    expect(events.map((event) => event['event'] ?? event['type'])).toEqual(['page', 'Buffered', 'Live'])
    expect(events[1]).toMatchObject({
      timestamp: earlier.timestamp,
      context: { page: { path: '/earlier', url: earlier.page.url } },
    })
    expect(events[2]?.['timestamp']).toBe(new Date(T0).toISOString())
  })

  it('answers reads before load, buffers calls until load, and leaves out the on-site reads without withOnsite', async () => {
    bootScriptTag()
    expect(api().stats()).toBeUndefined()
    expect(api().user()).toBeUndefined()
    expect(api().consent.get()).toEqual({})
    expect(api().client()).toBeUndefined()
    expect(api().profile).toBeUndefined()
    expect(api().track('Early')).toBeUndefined()

    const { options, scripted, deliver } = loadOptions({ capture: { pageViews: false } })
    api().load('wk', options)
    expect(api().client()).toBeDefined()
    expect(api().user()).toMatchObject({ anonymousId: expect.any(String) })
    await deliver()
    expect((scripted.sentEvents() as Record<string, any>[]).map((event) => event['event'])).toEqual(['Early'])
  })

  it('answers the on-site reads it is given, before load (undefined) and after', () => {
    bootScriptTag(startOnsite, ['profile', 'leadScore'])
    expect(api().profile?.()).toBeUndefined()
    expect(typeof (api() as unknown as Record<string, unknown>)['leadScore']).toBe('function')
    expect((api() as unknown as Record<string, unknown>)['rule']).toBeUndefined()
    const { options } = loadOptions({ capture: { pageViews: false } })
    api().load('wk', options)
    expect(api().profile?.()).toMatchObject({ identities: expect.anything() })
  })

  it('does not break the page when load gets bad options', () => {
    bootScriptTag()
    const errors: unknown[] = []
    const original = console.error
    console.error = (...args: unknown[]) => void errors.push(args)
    try {
      expect(() => api().load('', { endpoint: 'https://collect.shop.example' })).not.toThrow()
    } finally {
      console.error = original
    }
    expect(errors).toHaveLength(1)
    expect(api().client()).toBeUndefined()
  })
})
