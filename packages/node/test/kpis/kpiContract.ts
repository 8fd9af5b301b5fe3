import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { analyzeExperiment } from '@ecrm/core'
import { createIngestHandler } from '../../src/ingest/ingestHandler.js'
import { queryExperiment, queryKpis } from '../../src/kpis/index.js'
import type { Store } from '../../src/store/storeTypes.js'
import { END, T, kpiEvents } from './kpiDataset.js'

const DAY = 86_400_000

/** Fails on any NaN or Infinity anywhere in a result. */
function expectFinite(value: unknown, path = 'result'): void {
  if (typeof value === 'number') expect(Number.isFinite(value), path).toBe(true)
  else if (value !== null && typeof value === 'object')
    for (const [key, item] of Object.entries(value)) expectFinite(item, `${path}.${key}`)
}

/**
 * Every KPI query over the scripted shop of kpiDataset.ts, posted through the real ingest
 * handler into the store under test; expected values are worked out by hand in the comments.
 * `open` gets a store deriving the `big_spenders` segment (kpiDerive).
 */
export function runKpiContract(
  name: string,
  open: () => Promise<{ store: Store; empty: Store; cleanup?: () => Promise<void> }>,
): void {
  describe(`KPI queries (${name})`, () => {
    let store: Store
    let empty: Store
    let cleanup: (() => Promise<void>) | undefined
    beforeAll(async () => {
      ;({ store, empty, cleanup } = await open())
      const handler = createIngestHandler({ store, writeKeys: ['wk'] })
      const response = await handler(
        new Request('http://collect.test/v1/batch', {
          method: 'POST',
          headers: { 'content-type': 'text/plain' },
          body: JSON.stringify({ writeKey: 'wk', batch: kpiEvents() }),
        }),
      )
      expect(response.status, await response.clone().text()).toBe(200)
      expect(await response.json()).not.toHaveProperty('rejected.0')
    }, 120_000)
    afterAll(async () => {
      await store?.close()
      await empty?.close()
      await cleanup?.()
    })

    it('computes every KPI of March as worked out by hand', async () => {
      const kpis = await queryKpis(store, { from: T, to: END })
      expectFinite(kpis)
      // 9 visits, 4 with an order (1, 2, 8, 9). Direct: visits 2, 3, 5, 8, 9, orders in 2, 8, 9;
      // google / cpc: 1, 6 (order in 1); news referral: 4, 7. Ties of visits sort by name.
      expect(kpis.conversion.overall).toEqual({ numerator: 4, denominator: 9, rate: 4 / 9 })
      expect(kpis.conversion.byChannel).toEqual([
        { key: '(direct) / (none)', numerator: 3, denominator: 5, rate: 3 / 5 },
        { key: 'google / cpc', numerator: 1, denominator: 2, rate: 1 / 2 },
        { key: 'news.example.org / referral', numerator: 0, denominator: 2, rate: 0 },
      ])
      expect(kpis.conversion.byCampaign).toEqual([{ key: 'spring', numerator: 1, denominator: 2, rate: 1 / 2 }])
      // o1 100 + o2 50 (once) + o3 30 + o4 20 = 200 over 4 orders: AOV 50.
      expect(kpis.aov).toEqual({ orders: 4, revenue: 200, aov: 50 })
      // Buyers ada (2 orders), cy, dee: 1 repeater of 3.
      expect(kpis.repeatRate).toEqual({ numerator: 1, denominator: 3, rate: 1 / 3 })
      // February (the 31 days before): bob (o0) and dee (o-1); dee ordered again, bob did not.
      expect(kpis.churn).toEqual({ activeAtStart: 2, retained: 1, churned: 1, rate: 0.5 })
      // NPS: 10 promoter, 6 detractor → (1 − 1) / 2 = 0. CSAT: one 4 (satisfied) → 100; April's 2 is out.
      const nps = { responses: 2, promoters: 1, passives: 0, detractors: 1, ignored: 0, nps: 0 }
      const csat = { responses: 1, satisfied: 1, ignored: 0, csat: 100, average: 4 }
      expect(kpis.surveys).toEqual({ nps, csat, trend: [{ month: '2026-03', nps, csat }] })
      // First orders ever in March: ada and cy (bob and dee first ordered in February).
      expect(kpis.retention).toEqual([{ cohort: '2026-03', customers: 2, active: [2], rates: [1] }])
      // Four customers are too few to fit a CLV model: nobody has a P(alive) or CLV yet.
      expect(kpis.pAlive).toEqual({ customers: 0, mean: 0, percentiles: null, histogram: [] })
      expect(kpis.clv).toEqual({ customers: 0, mean: 0, percentiles: null, histogram: [] })
      // Touchpoints: ada google/cpc (1 Mar 10:00) before o1 and o2; cy google/cpc (4 Mar) and
      // news (5 Mar) before o3 (6 Mar); dee none (o4 unattributed).
      // time_decay on o3: weights 2^(−2/7) (google, 2 days) and 2^(−1/7) (news, 1 day).
      const googleShare = 2 ** (-2 / 7) / (2 ** (-2 / 7) + 2 ** (-1 / 7))
      expect(kpis.attribution.attributedOrders).toBe(3)
      expect(kpis.attribution.unattributedOrders).toBe(1)
      const credits = (model: keyof typeof kpis.attribution.models) =>
        Object.fromEntries(kpis.attribution.models[model].map((credit) => [credit.channel, credit.value]))
      // A channel on a path keeps its row at 0 under first_touch (core lists every channel it saw).
      expect(credits('first_touch')).toEqual({ 'google / cpc': 180, 'news.example.org / referral': 0 })
      expect(credits('last_touch')).toEqual({ 'google / cpc': 150, 'news.example.org / referral': 30 })
      expect(credits('linear')).toEqual({ 'google / cpc': 165, 'news.example.org / referral': 15 })
      expect(credits('position_based')).toEqual({ 'google / cpc': 165, 'news.example.org / referral': 15 })
      expect(credits('time_decay')['google / cpc']).toBeCloseTo(150 + 30 * googleShare, 9)
      expect(credits('time_decay')['news.example.org / referral']).toBeCloseTo(30 * (1 - googleShare), 9)
      // Sales cycle: ada Lead Captured 26 Feb 10:05 → o1 2 Mar 10:05 = 4 days; cy Signed Up 4 Mar →
      // o3 6 Mar = 2 days. Mean 3, median 3, p90 2 + 0.9 × (4 − 2) = 3.8. Both first touched google / cpc.
      const cycle = { customers: 2, meanDays: 3, medianDays: 3 }
      expect(kpis.salesCycle.overall).toMatchObject(cycle)
      expect(kpis.salesCycle.overall.p90Days).toBeCloseTo(3.8, 9)
      expect(kpis.salesCycle.byChannel).toHaveLength(1)
      expect(kpis.salesCycle.byChannel[0]).toMatchObject({ channel: 'google / cpc', ...cycle })
    })

    it('analyzes an experiment across an identity merge, as core analyzes the same exposures', async () => {
      const report = await queryExperiment(store, { from: T, to: END }, { experimentId: 'cta' })
      // Arm a: ada (o1 + o2 after her exposure: 150) and bob (nothing). Arm b: dee, exposed as
      // anon-dee and identified before o4 (20). cy's o3 has no exposure: ignored.
      expect(
        report?.variants.map(({ id, users, conversions, revenue }) => ({ id, users, conversions, revenue })),
      ).toEqual([
        { id: 'a', users: 2, conversions: 1, revenue: 150 },
        { id: 'b', users: 1, conversions: 1, revenue: 20 },
      ])
      expect(report).toMatchObject({
        experimentId: 'cta',
        controlId: 'a',
        multipleExposureUsers: 0,
        ignoredConversions: 1,
      })
      const at = (days: number, minutes = 0) => T + days * DAY + minutes * 60_000
      const core = analyzeExperiment(
        [
          { visitorId: 'ada', variationId: 'a', at: at(1, 601) },
          { visitorId: 'bob', variationId: 'a', at: at(2, 1) },
          { visitorId: 'dee', variationId: 'b', at: at(4) },
        ],
        [
          { visitorId: 'ada', value: 100, at: at(1, 605) },
          { visitorId: 'ada', value: 50, at: at(10, 5) },
          { visitorId: 'cy', value: 30, at: at(5) },
          { visitorId: 'dee', value: 20, at: at(4, 2) },
        ],
        { metric: 'conversion', controlId: 'a' },
      )
      expect(report).toEqual({ experimentId: 'cta', ...core })
      expect(await queryExperiment(store, { from: T, to: END }, { experimentId: 'nope' })).toBeUndefined()
    })

    it('narrows every KPI to a date range', async () => {
      const kpis = await queryKpis(store, { from: T + 6 * DAY, to: END })
      expectFinite(kpis)
      // 7–31 March: visits 2 (o2) and 3; o2 only.
      expect(kpis.conversion.overall).toEqual({ numerator: 1, denominator: 2, rate: 0.5 })
      expect(kpis.aov).toEqual({ orders: 1, revenue: 50, aov: 50 })
      expect(kpis.repeatRate).toEqual({ numerator: 0, denominator: 1, rate: 0 })
      // The 25 days before (12 Feb – 6 Mar): bob o0, ada o1, cy o3, dee o4 (dee's o-1 is earlier); only ada again.
      expect(kpis.churn).toEqual({ activeAtStart: 4, retained: 1, churned: 3, rate: 0.75 })
      expect(kpis.surveys.nps).toMatchObject({ responses: 1, nps: 100 })
      expect(kpis.retention).toEqual([])
      expect(kpis.salesCycle.overall).toEqual({ customers: 0, meanDays: 0, medianDays: 0, p90Days: 0 })
      expect(kpis.attribution).toMatchObject({ attributedOrders: 1, unattributedOrders: 0 })
    })

    it('narrows every KPI to a segment (big_spenders: ada alone, 150)', async () => {
      const kpis = await queryKpis(store, { from: T, to: END, segment: 'big_spenders' })
      expectFinite(kpis)
      expect(kpis.segment).toBe('big_spenders')
      // Ada's visits 1, 2, 3; orders in 1 and 2.
      expect(kpis.conversion.overall).toEqual({ numerator: 2, denominator: 3, rate: 2 / 3 })
      expect(kpis.aov).toEqual({ orders: 2, revenue: 150, aov: 75 })
      expect(kpis.repeatRate).toEqual({ numerator: 1, denominator: 1, rate: 1 })
      expect(kpis.churn).toEqual({ activeAtStart: 0, retained: 0, churned: 0, rate: 0 })
      expect(kpis.surveys.nps).toMatchObject({ responses: 1, promoters: 1, nps: 100 })
      expect(kpis.surveys.csat).toMatchObject({ responses: 0, csat: 0 })
      expect(kpis.retention).toEqual([{ cohort: '2026-03', customers: 1, active: [1], rates: [1] }])
      expect(kpis.salesCycle.overall).toEqual({ customers: 1, meanDays: 4, medianDays: 4, p90Days: 4 })
      const experiment = await queryExperiment(
        store,
        { from: T, to: END, segment: 'big_spenders' },
        { experimentId: 'cta' },
      )
      expect(experiment?.variants.map(({ id, users }) => ({ id, users }))).toEqual([{ id: 'a', users: 1 }])
      const unknown = await queryKpis(store, { from: T, to: END, segment: 'no_such_segment' })
      expect(unknown.aov).toEqual({ orders: 0, revenue: 0, aov: 0 })
    })

    it('gives zeros, nulls and empty lists on an empty store, never NaN', async () => {
      const kpis = await queryKpis(empty, { from: T, to: END })
      expectFinite(kpis)
      expect(kpis.conversion).toEqual({
        overall: { numerator: 0, denominator: 0, rate: 0 },
        byChannel: [],
        byCampaign: [],
      })
      expect(kpis.aov).toEqual({ orders: 0, revenue: 0, aov: 0 })
      expect(kpis.churn.rate).toBe(0)
      expect(kpis.surveys).toMatchObject({ nps: { responses: 0, nps: 0 }, csat: { responses: 0, csat: 0 }, trend: [] })
      expect(kpis.retention).toEqual([])
      expect(kpis.pAlive.percentiles).toBeNull()
      expect(kpis.attribution).toMatchObject({ attributedOrders: 0, unattributedOrders: 0 })
      expect(kpis.attribution.models.linear).toEqual([])
      expect(kpis.salesCycle).toEqual({
        overall: { customers: 0, meanDays: 0, medianDays: 0, p90Days: 0 },
        byChannel: [],
      })
      expect(await queryExperiment(empty, { from: T, to: END }, { experimentId: 'cta' })).toBeUndefined()
    })

    it('refuses a period that runs backwards, naming the option', async () => {
      await expect(queryKpis(store, { from: END, to: T })).rejects.toThrow(/options\.to/)
    })
  })
}
