import { describe, expect, it } from 'vitest'
import { respond } from '../fakes/index.js'
import { setupClient } from './clientSetup.js'

describe('createCoreClient bounded queue', () => {
  it('under pressure drops page views first, then other events, and Order Completed last', async () => {
    const { client, queue, time, errors } = setupClient(Array.from({ length: 50 }, () => respond(503)), { limits: { maxEvents: 4 } })
    client.track({ userId: 'u1', event: 'Order Completed', properties: { order_id: 'o-1' } })
    client.page({ userId: 'u1', name: 'Home' })
    client.track({ userId: 'u1', event: 'Checkout Started' })
    client.track({ userId: 'u1', event: 'Product Viewed' })
    client.page({ userId: 'u1', name: 'Cart' })
    client.screen({ userId: 'u1', name: 'App' })
    await time.settle()
    const kept = (await queue.peek()).map((item) => JSON.parse(item.payload) as Record<string, unknown>)
    expect(kept.map((event) => event['event'] ?? event['name'])).toEqual(['Order Completed', 'Checkout Started', 'Product Viewed', 'App'])
    client.track({ userId: 'u1', event: 'Product Added' })
    client.track({ userId: 'u1', event: 'Product Added' })
    client.track({ userId: 'u1', event: 'Order Completed', properties: { order_id: 'o-2' } })
    client.track({ userId: 'u1', event: 'Order Completed', properties: { order_id: 'o-3' } })
    client.track({ userId: 'u1', event: 'Order Completed', properties: { order_id: 'o-4' } })
    await time.settle()
    const after = (await queue.peek()).map((item) => JSON.parse(item.payload) as { event?: string; properties?: { order_id?: string } })
    expect(after.map((event) => event.properties?.order_id)).toEqual(['o-1', 'o-2', 'o-3', 'o-4'])
    expect(client.stats().dropped).toBe(7)
    // One report for the whole burst of drops.
    expect(errors.filter((error) => error.code === 'queue_full')).toHaveLength(1)
  })

  it('drops by bytes too', async () => {
    const { client, queue, time } = setupClient([], { limits: { maxBytes: 3_000 } })
    for (let n = 0; n < 10; n += 1) client.page({ userId: 'u1', name: `P${n}`, properties: { pad: 'x'.repeat(400) } })
    await time.settle()
    const items = await queue.peek()
    expect(items.reduce((sum, item) => sum + item.bytes, 0)).toBeLessThanOrEqual(3_000)
    expect(items.map((item) => JSON.parse(item.payload).name).at(-1)).toBe('P9')
    expect(client.stats().dropped).toBe(10 - items.length)
  })
})
