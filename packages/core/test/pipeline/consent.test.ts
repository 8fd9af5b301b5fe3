import { describe, expect, it } from 'vitest'
import type { EcrmEvent } from '../../src/model/envelope.js'
import { setupClient } from './clientSetup.js'

const marketingOrAnalytics = (event: EcrmEvent): string =>
  event.type === 'track' && event.event.startsWith('Email') ? 'marketing' : 'analytics'

describe('createCoreClient consent', () => {
  it('holds undecided events in memory only, then queues them in order when granted', async () => {
    const { client, requests, time, queue } = setupClient([], { consent: { required: true } })
    expect(client.track({ userId: 'u1', event: 'A' })).toMatchObject({
      ok: true,
      warnings: [{ code: 'held_for_consent' }],
    })
    client.track({ userId: 'u1', event: 'B' })
    await time.advance(60_000)
    expect(requests).toHaveLength(0)
    expect(await queue.size()).toBe(0)
    expect(client.stats().held).toBe(2)
    client.consent.set({ analytics: true })
    expect(client.stats().held).toBe(0)
    await time.advance(5_000)
    const sent = requests.flatMap((request) => request.json.batch)
    expect(sent.map((event) => event['event'])).toEqual(['A', 'B'])
    expect(sent[0]?.['context']).toMatchObject({ consent: { categories: { analytics: true } } })
    // Held events keep the time they happened, not the time consent came.
    expect(sent[0]?.['timestamp']).toBe('2026-01-01T00:00:00.000Z')
  })

  it('purges held events and queued-but-unsent events of a denied category', async () => {
    const { client, requests, time, queue } = setupClient([], {
      consent: { required: true, categoryOf: marketingOrAnalytics, initial: { analytics: true, marketing: true } },
    })
    client.track({ userId: 'u1', event: 'Email Opened' })
    client.track({ userId: 'u1', event: 'Product Viewed' })
    await time.settle()
    expect(await queue.size()).toBe(2)
    client.consent.set({ marketing: false })
    await time.settle()
    expect((await queue.peek()).map((item) => JSON.parse(item.payload).event)).toEqual(['Product Viewed'])
    expect(client.track({ userId: 'u1', event: 'Email Clicked' })).toMatchObject({
      ok: true,
      warnings: [{ code: 'consent_denied' }],
    })
    await time.advance(5_000)
    expect(requests.flatMap((request) => request.json.batch.map((event) => event['event']))).toEqual(['Product Viewed'])
  })

  it('purges held events when their category is denied', async () => {
    const { client, requests, time } = setupClient([], {
      consent: { required: true, categoryOf: marketingOrAnalytics },
    })
    client.track({ userId: 'u1', event: 'Email Opened' })
    client.track({ userId: 'u1', event: 'Product Viewed' })
    client.consent.set({ marketing: false })
    expect(client.stats().held).toBe(1)
    client.consent.set({ analytics: true })
    await time.advance(5_000)
    expect(requests.flatMap((request) => request.json.batch.map((event) => event['event']))).toEqual(['Product Viewed'])
    expect(client.consent.get()).toEqual({ marketing: false, analytics: true })
  })

  it('bounds the hold, dropping the oldest held event and counting it', () => {
    const { client } = setupClient([], { consent: { required: true }, limits: { maxHeldEvents: 2 } })
    for (const name of ['A', 'B', 'C']) client.track({ userId: 'u1', event: name })
    expect(client.stats()).toMatchObject({ held: 2, dropped: 1 })
  })

  it('persists decisions (not events) in storage for the next session', async () => {
    const values = new Map<string, string>()
    const storage = {
      get: (key: string) => values.get(key),
      set: (key: string, value: string) => void values.set(key, value),
      remove: (key: string) => void values.delete(key),
    }
    const a = setupClient([], { consent: { required: true } }, { storage })
    a.client.track({ userId: 'u1', event: 'Held' })
    expect([...values.keys()].some((key) => (values.get(key) ?? '').includes('Held'))).toBe(false)
    a.client.consent.set({ analytics: true })
    const b = setupClient([], { consent: { required: true } }, { storage })
    expect(b.client.consent.get()).toEqual({ analytics: true })
    b.client.track({ userId: 'u1', event: 'Direct' })
    await b.time.advance(5_000)
    expect(b.requests).toHaveLength(1)
  })
})
