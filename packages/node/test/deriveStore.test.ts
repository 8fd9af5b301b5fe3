import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createProfileDeriver } from '@ecrm/core'
import type { CustomerProfile, DeriveConfig, DerivedModel, EcrmEvent, SegmentChangeEvent } from '@ecrm/core'
import { createIngestHandler } from '../src/ingest/ingestHandler.js'
import { createPgliteStore } from '../src/store/pgliteStore.js'
import type { Store } from '../src/store/storeTypes.js'
import { simulateBgNbd } from '../../core/test/clv/simulate.js'

const DAY = 86_400_000
let sequence = 0

function order(userId: string, at: number, total: number): EcrmEvent {
  sequence += 1
  return {
    type: 'track',
    event: 'Order Completed',
    userId,
    messageId: `dv-${sequence}`,
    timestamp: new Date(at).toISOString(),
    properties: { order_id: `dv-o-${sequence}`, total, currency: 'EUR' },
  } as EcrmEvent
}

const config: DeriveConfig = {
  segments: {
    vip: { name: 'VIP', when: { '>=': [{ var: 'money.revenue' }, 100] } },
    gold_members: { name: 'Gold members', when: { '==': [{ var: 'loyalty.tier' }, 'gold'] } },
  },
  loyalty: {
    pointsPerUnit: 1,
    tiers: [
      { id: 'silver', minPoints: 0 },
      { id: 'gold', minPoints: 150 },
    ],
  },
}

/** POSTs a batch to the handler as a browser would; returns the JSON answer. */
async function post(
  handler: (request: Request) => Promise<Response>,
  batch: EcrmEvent[],
): Promise<Record<string, unknown>> {
  const response = await handler(
    new Request('http://collect.test/v1/batch', {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: JSON.stringify({ writeKey: 'wk', batch }),
    }),
  )
  expect(response.status).toBe(200)
  return (await response.json()) as Record<string, unknown>
}

describe('derived profiles on the PGlite store', () => {
  let store: Store
  const changes: SegmentChangeEvent[] = []
  beforeAll(async () => {
    store = await createPgliteStore(undefined, {
      derive: config,
      onSegmentChanges: (events) => void changes.push(...events),
    })
  }, 120_000)
  afterAll(async () => {
    await store?.close()
  })

  it('derives the customers a batch touched at ingest: a young shop scores its buyers of seconds ago R5 by fixed edges', async () => {
    const handler = createIngestHandler({ store, writeKeys: ['wk'], exposeSegments: ['vip', 'champions'] })
    const now = Date.now()
    const answer = await post(handler, [
      order('young-1', now - 5_000, 60),
      order('young-1', now - 4_000, 70),
      order('young-2', now - 3_000, 20),
    ])
    // The batch's last visitor is young-2: not VIP, and new_customers is not in the allowlist.
    expect(answer['segments']).toEqual([])
    expect(await post(handler, [order('young-1', now - 2_000, 30)])).toMatchObject({ segments: ['vip'] })

    const one = await store.getProfile('young-1')
    expect(one?.rfm).toMatchObject({ r: 5, f: 3, m: 3, segment: 'potential_loyalist', method: 'fixed' })
    const two = await store.getProfile('young-2')
    expect(two?.rfm).toMatchObject({ r: 5, f: 1, segment: 'new_customers', method: 'fixed' })
    for (const profile of [one, two]) expect(['hibernating', 'at_risk']).not.toContain(profile?.rfm?.segment)
    expect(one?.lead).toMatchObject({
      letter: expect.stringMatching(/^[A-D]$/),
      level: expect.any(Number),
      stage: 'lead',
    })
    expect(one?.lead?.grade).toBe(`${one?.lead?.letter}${one?.lead?.level}`)
    expect(one?.loyalty).toMatchObject({ balance: 160, tier: 'gold' })
    expect(one?.segments).toEqual(['gold_members', 'vip'])
    expect(one?.segmentsSince?.['vip']).toBeGreaterThanOrEqual(now)
    expect(one?.clv).toBeUndefined()

    const [row] = await store.query<Record<string, unknown>>(
      'select rfm_r, rfm_segment, lead_grade, lead_letter, lead_level, segments, loyalty_balance, loyalty_tier, clv_p_alive, derived_at from ecrm_profiles where customer_id = $1',
      [one?.id],
    )
    expect(row).toMatchObject({
      rfm_r: 5,
      rfm_segment: 'potential_loyalist',
      lead_grade: one?.lead?.grade,
      lead_letter: one?.lead?.letter,
      lead_level: one?.lead?.level,
      segments: ['gold_members', 'vip'],
      loyalty_balance: 160,
      loyalty_tier: 'gold',
      clv_p_alive: null,
    })
    expect(row?.['derived_at']).not.toBeNull()
    expect(await store.segment({ in_segment: 'vip' })).toEqual([one?.id])
    expect(await store.segment({ '==': [{ var: 'lead.letter' }, one?.lead?.letter] })).toContain(one?.id)
  })

  it('records segment entries with their time and reports them as Segment Entered events, not activity', async () => {
    const one = await store.getProfile('young-1')
    const mine = changes.filter((change) => change.customerId === one?.id)
    // First batch: 130 EUR makes a VIP and a potential loyalist; the second (160 points) a gold member.
    expect(mine.map((c) => `${c.event}:${c.properties.segment_kind}:${c.properties.segment_id}`)).toEqual([
      'Segment Entered:named:vip',
      'Segment Entered:rfm:potential_loyalist',
      'Segment Entered:named:gold_members',
    ])
    const members = await store.query<{ segment_id: string; entered_at: Date }>(
      'select segment_id, entered_at from ecrm_segment_members where customer_id = $1 order by segment_id',
      [one?.id],
    )
    expect(members.map((m) => m.segment_id)).toEqual(['gold_members', 'vip'])
    expect(new Date(members[1]?.entered_at ?? 0).getTime()).toBe(one?.segmentsSince?.['vip'])
    expect(await store.query('select count(*)::int as n from ecrm_events where event like $1', ['Segment %'])).toEqual([
      { n: 0 },
    ])
    expect(one?.events.totals['Segment Entered']).toBeUndefined()
  })

  it('refresh() refits on the whole base in pages: quantiles and a CLV once the base is large and varied enough', async () => {
    const now = Date.now()
    // 400 buyers simulated from BG/NBD (CDNOW's parameters, weeks), first purchases over a year.
    const histories = simulateBgNbd({ r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 }, 400, (i) => 4 + (i % 48), 11)
    const events = histories.flatMap((h, i) => {
      const first = now - h.age * 7 * DAY
      return [
        order(`base-${i}`, first, 25 + (i % 9) * 5),
        ...Array.from({ length: h.frequency }, (_, n) =>
          order(`base-${i}`, first + ((n + 1) * h.recency * 7 * DAY) / h.frequency, 20 + ((i + n) % 7) * 6),
        ),
      ]
    })
    const handler = createIngestHandler({ store, writeKeys: ['wk'] })
    for (let start = 0; start < events.length; start += 500) await post(handler, events.slice(start, start + 500))
    const before = changes.length
    const result = await store.refresh({ pageSize: 64 })
    expect(result).toMatchObject({ customers: 402, buyers: 402, rfmMethod: 'quantile', clvFitted: true })
    expect(result.segmentChanges).toBe(changes.length - before)
    const [model] = await store.query<{ n: number }>('select count(*)::int as n from ecrm_models')
    expect(model?.n).toBe(1)
    const young = await store.getProfile('young-1')
    expect(young?.rfm?.method).toBe('quantile')
    expect(young?.clv).toMatchObject({ horizonDays: 365, currency: 'EUR' })
    expect(young?.clv?.pAlive).toBeGreaterThan(0)
    const [counts] = await store.query<{ derived: number; with_clv: number }>(
      'select count(*) filter (where derived_at is not null)::int as derived, count(clv_p_alive)::int as with_clv from ecrm_profiles',
    )
    expect(counts).toEqual({ derived: 402, with_clv: 402 })
    // Ingest after the refresh derives with the stored fit.
    await post(handler, [order('late-1', Date.now(), 10)])
    expect((await store.getProfile('late-1'))?.rfm?.method).toBe('quantile')
    expect((await store.getProfile('late-1'))?.clv?.pAlive).toBe(1)
  }, 120_000)

  it('refresh() writes back only the derived fields, pages in flight: each stored profile is what the deriver makes of the stored one', async () => {
    const stored = await store.query<{ customer_id: string; profile: CustomerProfile }>(
      'select customer_id, profile from ecrm_profiles order by customer_id',
    )
    const now = Date.now() + 30 * DAY
    // Pages of 3: many pages, the next always read while one is written.
    await store.refresh({ pageSize: 3, now })
    const [row] = await store.query<{ model: DerivedModel }>('select model from ecrm_models')
    const deriver = createProfileDeriver(config)
    const after = new Map(
      (
        await store.query<{ customer_id: string; profile: CustomerProfile }>(
          'select customer_id, profile from ecrm_profiles',
        )
      ).map((r) => [r.customer_id, r.profile]),
    )
    expect(after.size).toBe(stored.length)
    for (const { customer_id: id, profile } of stored) {
      // Through JSON as jsonb stores it: an absent field is no key at all.
      expect(after.get(id)).toEqual(
        JSON.parse(JSON.stringify(deriver.derive(profile, row?.model ?? null, now).profile)),
      )
    }
  }, 120_000)
})
