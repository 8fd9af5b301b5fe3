import { createServer } from 'node:http'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createReadApiHandler } from '../../src/api/readApiHandler.js'
import { createIngestHandler } from '../../src/ingest/ingestHandler.js'
import { toNodeListener } from '../../src/ingest/nodeListener.js'
import { createPgliteStore } from '../../src/store/pgliteStore.js'
import type { Store } from '../../src/store/storeTypes.js'
import { kpiDerive, kpiEvents } from './kpiDataset.js'

const SECRET = 'sk_kpis_0123456789abcdef'

describe('GET /v1/kpis over HTTP', () => {
  let store: Store
  let server: Server
  let base: string
  const get = (query: string, key: string | null = SECRET) =>
    fetch(`${base}/v1/kpis${query}`, key === null ? {} : { headers: { authorization: `Bearer ${key}` } })

  beforeAll(async () => {
    store = await createPgliteStore(undefined, { derive: kpiDerive })
    const ingest = createIngestHandler({ store, writeKeys: ['wk'] })
    const stored = await ingest(
      new Request('http://collect.test/v1/batch', {
        method: 'POST',
        headers: { 'content-type': 'text/plain' },
        body: JSON.stringify({ writeKey: 'wk', batch: kpiEvents() }),
      }),
    )
    expect(stored.status).toBe(200)
    const api = createReadApiHandler({
      store,
      secretKeys: [SECRET],
      writeKeys: ['wk'],
      segments: { big_spenders: { name: 'Big spenders', when: kpiDerive.segments?.['big_spenders']?.when } },
    })
    server = createServer(toNodeListener(api))
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  }, 120_000)
  afterAll(async () => {
    await new Promise((resolve) => server?.close(resolve))
    await store?.close()
  })

  it('answers the KPIs of March from ISO dates, and of a segment', async () => {
    const response = await get('?from=2026-03-01&to=2026-04-01')
    expect(response.status).toBe(200)
    const body = await response.json()
    // As kpiContract.ts works out: 4 orders of 200 in all, 4 converting visits of 9.
    expect(body).toMatchObject({
      from: Date.UTC(2026, 2, 1),
      to: Date.UTC(2026, 3, 1),
      segment: null,
      aov: { orders: 4, revenue: 200, aov: 50 },
      conversion: { overall: { numerator: 4, denominator: 9 } },
      churn: { activeAtStart: 2, churned: 1, rate: 0.5 },
    })
    const ada = await (await get(`?from=${Date.UTC(2026, 2, 1)}&to=2026-04-01T00:00:00Z&segment=big_spenders`)).json()
    expect(ada).toMatchObject({ segment: 'big_spenders', aov: { orders: 2, revenue: 150, aov: 75 } })
  })

  it('refuses a bad query with 400 naming the parameter, an unknown segment with 404, no key with 401', async () => {
    const bad = await get('?from=yesterday&to=2026-04-01')
    expect(bad.status).toBe(400)
    expect(await bad.json()).toMatchObject({
      error: {
        code: 'invalid_query',
        issues: [{ path: ['query', 'from'], message: expect.stringMatching(/not a date/) }],
      },
    })
    const missing = await (await get('?from=2026-03-01')).json()
    expect(missing.error.issues.map((issue: { path: string[] }) => issue.path)).toEqual([['query', 'to']])
    const backwards = await (await get('?from=2026-04-01&to=2026-03-01')).json()
    expect(backwards.error.issues).toEqual([
      expect.objectContaining({ path: ['query', 'to'], message: expect.stringMatching(/before from/) }),
    ])
    const unknown = await get('?from=2026-03-01&to=2026-04-01&segment=nobody')
    expect(unknown.status).toBe(404)
    expect(await unknown.json()).toMatchObject({ error: { code: 'unknown_segment' } })
    expect((await get('?from=2026-03-01&to=2026-04-01', null)).status).toBe(401)
    expect((await get('?from=2026-03-01&to=2026-04-01', 'wk')).status).toBe(401)
  })

  it('is in the OpenAPI document with its parameters and response schema', async () => {
    const document = await (await fetch(`${base}/v1/openapi.json`)).json()
    const operation = document.paths['/v1/kpis'].get
    expect(operation.parameters.map((parameter: { name: string }) => parameter.name)).toEqual(['from', 'to', 'segment'])
    expect(operation.responses['200'].content['application/json'].schema).toEqual({
      $ref: '#/components/schemas/KpisResponse',
    })
    expect(document.components.schemas.KpisResponse.properties).toHaveProperty('attribution')
  })
})
