import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { EcrmEvent } from '@ecrm/core'
import { createIngestHandler } from '../src/ingest/ingestHandler.js'
import { createPgliteStore } from '../src/store/pgliteStore.js'
import type { Store } from '../src/store/storeTypes.js'
import { runProfileContract, trackOf } from './profileContract.js'

runProfileContract('PGlite (in memory)', async () => ({ store: await createPgliteStore() }))

describe('createIngestHandler onEvents', () => {
  let store: Store
  beforeAll(async () => {
    store = await createPgliteStore()
  }, 120_000)
  afterAll(async () => {
    await store?.close()
  })

  const post = (handler: (request: Request) => Promise<Response>, batch: EcrmEvent[]): Promise<Response> =>
    handler(
      new Request('http://collect.test/v1/batch', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ writeKey: 'wk', batch }),
      }),
    )

  it('gets the newly stored events once, after they are committed and folded', async () => {
    const seen: { ids: string[]; orders: number | undefined }[] = []
    const handler = createIngestHandler({
      store,
      writeKeys: ['wk'],
      onEvents: async (events) => {
        // Committed: the profile already holds these events.
        const profile = await store.getProfile('oe-1')
        seen.push({ ids: events.map((event) => event.messageId), orders: profile?.money.orderCount })
      },
    })
    const first = trackOf({ userId: 'oe-1' }, 'Order Completed', Date.UTC(2026, 0, 1), { order_id: 'oe-o1', total: 3 })
    const second = trackOf({ userId: 'oe-1' }, 'Product Added', Date.UTC(2026, 0, 2), { product_id: 'sku-1' })
    expect((await post(handler, [first])).status).toBe(200)
    const response = await post(handler, [first, second])
    expect(await response.json()).toMatchObject({ accepted: 1, duplicates: 1 })
    expect(seen).toEqual([
      { ids: [first.messageId], orders: 1 },
      { ids: [second.messageId], orders: 1 },
    ])
  })

  it('never fails the request when onEvents throws, and reports it to onError', async () => {
    const errors: unknown[] = []
    const handler = createIngestHandler({
      store,
      writeKeys: ['wk'],
      onEvents: () => {
        throw new Error('runner down')
      },
      onError: (error) => errors.push(error),
    })
    const response = await post(handler, [
      trackOf({ anonymousId: 'oe-2' }, 'Product Viewed', Date.UTC(2026, 0, 1), { product_id: 'sku-2' }),
    ])
    expect(response.status).toBe(200)
    expect(await response.json()).toMatchObject({ success: true, accepted: 1 })
    expect(errors).toEqual([new Error('runner down')])
  })
})
