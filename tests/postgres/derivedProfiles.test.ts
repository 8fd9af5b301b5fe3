import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { DeriveConfig, SegmentChangeEvent } from '@ecrm/core'
import { createIngestHandler } from '../../packages/node/src/ingest/ingestHandler.js'
import { toNodeListener } from '../../packages/node/src/ingest/nodeListener.js'
import { createPostgresStore } from '../../packages/node/src/store/postgresStore.js'
import type { Store } from '../../packages/node/src/store/storeTypes.js'
import { simulateBgNbd } from '../../packages/core/test/clv/simulate.js'
import { hasPostgres, startPostgres } from './postgresServer.js'
import type { PostgresServer } from './postgresServer.js'

const DAY = 86_400_000
const config: DeriveConfig = {
  segments: {
    vip: { name: 'VIP', when: { '>=': [{ var: 'money.revenue' }, 150] } },
    likely_back: { name: 'Likely back', when: { '>=': [{ var: 'clv.pAlive' }, 0.5] } },
  },
  loyalty: {
    pointsPerUnit: 1,
    tiers: [
      { id: 'member', minPoints: 0 },
      { id: 'gold', minPoints: 200 },
    ],
  },
  clv: { horizonDays: 365 },
}

describe.skipIf(!hasPostgres)('derived profiles on PostgreSQL 15, ingested over HTTP', () => {
  let server: PostgresServer
  let store: Store
  let url: string
  let close: () => Promise<void>
  const told: SegmentChangeEvent[] = []
  let sequence = 0

  beforeAll(async () => {
    server = await startPostgres()
    store = await createPostgresStore(server.connectionString, {
      derive: config,
      onSegmentChanges: (events) => void told.push(...events),
    })
    const http = createServer(
      toNodeListener(createIngestHandler({ store, writeKeys: ['wk'], exposeSegments: ['vip'] })),
    )
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve))
    url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`
    close = () => new Promise((resolve) => http.close(() => resolve()))
  }, 120_000)
  afterAll(async () => {
    await close?.()
    await store?.close()
    await server?.stop()
  })

  const order = (userId: string, at: number, total: number): Record<string, unknown> => {
    sequence += 1
    return {
      type: 'track',
      event: 'Order Completed',
      userId,
      messageId: `pgd-${sequence}`,
      timestamp: new Date(at).toISOString(),
      properties: { order_id: `pgd-o${sequence}`, total, currency: 'EUR' },
    }
  }
  const send = async (batch: Record<string, unknown>[]): Promise<Record<string, unknown>> => {
    const response = await fetch(`${url}/v1/batch`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: JSON.stringify({ writeKey: 'wk', batch }),
    })
    expect(response.status).toBe(200)
    return (await response.json()) as Record<string, unknown>
  }

  it('a young shop: buyers of seconds ago all score R5 by the fixed edges, none hibernating or at risk', async () => {
    const now = Date.now()
    const answer = await send(
      [1, 2, 3, 4, 5].flatMap((n) =>
        Array.from({ length: n }, (_, k) => order(`young-${n}`, now - (n * 10 + k) * 1000, 40)),
      ),
    )
    expect(answer).toMatchObject({ accepted: 15, segments: ['vip'] })
    const rows = await store.query<{ rfm_r: number; rfm_segment: string; method: string }>(
      "select rfm_r, rfm_segment, profile->'rfm'->>'method' as method from ecrm_profiles where user_id like 'young-%' order by user_id",
    )
    expect(rows).toHaveLength(5)
    for (const row of rows) {
      expect(row).toMatchObject({ rfm_r: 5, method: 'fixed' })
      expect(['hibernating', 'at_risk', 'cant_lose_them', 'about_to_sleep']).not.toContain(row.rfm_segment)
    }
  })

  it('refresh() fits the base and every stored profile carries RFM, lead, CLV, named segments with entry time and loyalty, as columns and JSON', async () => {
    const now = Date.now()
    const histories = simulateBgNbd({ r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 }, 400, (i) => 4 + (i % 48), 23)
    const events = histories.flatMap((h, i) => {
      const first = now - h.age * 7 * DAY
      return [
        order(`base-${i}`, first, 30 + (i % 9) * 10),
        ...Array.from({ length: h.frequency }, (_, n) =>
          order(`base-${i}`, first + ((n + 1) * h.recency * 7 * DAY) / h.frequency, 25 + ((i + n) % 7) * 8),
        ),
      ]
    })
    for (let start = 0; start < events.length; start += 400) await send(events.slice(start, start + 400))
    const before = told.length
    const result = await store.refresh({ pageSize: 97 })
    expect(result).toMatchObject({ customers: 405, buyers: 405, rfmMethod: 'quantile', clvFitted: true })

    const [totals] = await store.query<Record<string, number>>(
      `select count(*)::int as profiles, count(rfm_segment)::int as rfm, count(lead_letter)::int as lead,
              count(clv_p_alive)::int as clv, count(loyalty_tier)::int as loyalty, count(derived_at)::int as derived,
              count(*) filter (where clv_p_alive < 0 or clv_p_alive > 1)::int as bad_p_alive
         from ecrm_profiles`,
    )
    expect(totals).toEqual({ profiles: 405, rfm: 405, lead: 405, clv: 405, loyalty: 405, derived: 405, bad_p_alive: 0 })

    const vip = await store.query<{ customer_id: string; segments: string[]; entered_at: Date; revenue: number }>(
      `select p.customer_id, p.segments, m.entered_at, p.revenue from ecrm_profiles p
         join ecrm_segment_members m on m.customer_id = p.customer_id and m.segment_id = 'vip' order by p.revenue desc limit 1`,
    )
    expect(vip[0]?.segments).toContain('vip')
    expect(vip[0]?.revenue).toBeGreaterThanOrEqual(150)
    const profile = await store.getProfile(vip[0]?.customer_id ?? '')
    expect(profile?.segmentsSince?.['vip']).toBe(new Date(vip[0]?.entered_at ?? 0).getTime())
    expect(profile?.rfm).toMatchObject({ method: 'quantile', segment: expect.any(String) })
    expect(profile?.lead).toMatchObject({
      letter: expect.stringMatching(/^[A-D]$/),
      level: expect.any(Number),
      grade: `${profile?.lead?.letter}${profile?.lead?.level}`,
    })
    expect(profile?.clv).toMatchObject({ horizonDays: 365, currency: 'EUR' })
    expect(profile?.loyalty?.tier).toBe((profile?.loyalty?.balance ?? 0) >= 200 ? 'gold' : 'member')
    const [row] = await store.query<Record<string, unknown>>(
      'select rfm_segment, lead_grade, clv_p_alive, loyalty_balance from ecrm_profiles where customer_id = $1',
      [profile?.id],
    )
    expect(row).toEqual({
      rfm_segment: profile?.rfm?.segment,
      lead_grade: profile?.lead?.grade,
      clv_p_alive: profile?.clv?.pAlive,
      loyalty_balance: profile?.loyalty?.balance,
    })

    // Every change the refresh recorded was told, as rule events; none is a stored event.
    const refreshed = told.slice(before)
    expect(refreshed.length).toBe(result.segmentChanges)
    expect(
      refreshed.some(
        (c) =>
          c.event === 'Segment Entered' &&
          c.properties.segment_id === 'likely_back' &&
          c.properties.segment_kind === 'named',
      ),
    ).toBe(true)
    const [logged] = await store.query<{ n: number }>('select count(*)::int as n from ecrm_segment_changes')
    expect(logged?.n).toBe(told.length)
    expect(await store.query("select count(*)::int as n from ecrm_events where event like 'Segment %'")).toEqual([
      { n: 0 },
    ])
    expect(await store.segment({ and: [{ in_segment: 'vip' }, { '>': [{ var: 'clv.pAlive' }, 0] }] })).toContain(
      profile?.id,
    )
  }, 180_000)
})
