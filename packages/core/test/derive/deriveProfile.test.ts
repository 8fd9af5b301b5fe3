import { describe, expect, it } from 'vitest'
import { createProfileDeriver } from '../../src/derive/deriveProfile.js'
import type { DeriveConfig } from '../../src/derive/deriveConfig.js'
import { createModelFitter } from '../../src/derive/fitModel.js'
import { segmentChangeEvent } from '../../src/derive/segmentChanges.js'
import type { EcrmEvent } from '../../src/model/index.js'
import { emptyProfile } from '../../src/profile/emptyProfile.js'
import type { CustomerProfile } from '../../src/profile/profileSchema.js'
import { reduceProfile } from '../../src/profile/reduceProfile.js'
import { simulateBgNbd } from '../clv/simulate.js'

const DAY = 86_400_000
const now = Date.UTC(2026, 5, 30, 12)

/** A profile folded from Order Completed events `daysAgo` days before `now`, each for `total`. */
function buyer(
  id: string,
  daysAgo: readonly number[],
  total = 40,
  traits: Record<string, string> = {},
): CustomerProfile {
  const events: EcrmEvent[] = daysAgo.map((days, n) => ({
    type: 'track',
    event: 'Order Completed',
    userId: id,
    messageId: `${id}-o${n}`,
    timestamp: new Date(now - days * DAY).toISOString(),
    properties: { order_id: `${id}-${n}`, total, currency: 'EUR' },
  }))
  if (Object.keys(traits).length > 0)
    events.push({
      type: 'identify',
      userId: id,
      messageId: `${id}-id`,
      timestamp: new Date(now - DAY).toISOString(),
      traits,
    })
  return events.reduce((profile, event) => reduceProfile(profile, event), emptyProfile(id))
}

const config: DeriveConfig = {
  segments: {
    big_spenders: { name: 'Big spenders', when: { '>=': [{ var: 'money.revenue' }, 100] } },
    gold_members: { name: 'Gold members', when: { '==': [{ var: 'profile.loyalty.tier' }, 'gold'] } },
  },
  loyalty: {
    pointsPerUnit: 1,
    tiers: [
      { id: 'silver', minPoints: 0 },
      { id: 'gold', minPoints: 100 },
    ],
  },
}

describe('createProfileDeriver', () => {
  it('derives fixed-edge RFM, lead, loyalty and named segments before any fit, without CLV', () => {
    const deriver = createProfileDeriver(config)
    const { profile, changes } = deriver.derive(buyer('a', [0.001, 3, 10], 40, { email: 'a@corp.example' }), null, now)
    expect(profile.rfm).toEqual({ r: 5, f: 3, m: 3, segment: 'potential_loyalist', method: 'fixed', at: now })
    expect(profile.lead).toMatchObject({
      letter: profile.lead?.grade.slice(0, 1),
      level: Number(profile.lead?.grade.slice(1)),
      at: now,
    })
    expect(profile.lead?.reasons.length).toBeLessThanOrEqual(5)
    expect(profile.loyalty).toEqual({ balance: 120, tier: 'gold', at: now })
    expect(profile.clv).toBeUndefined()
    expect(profile.segments).toEqual(['big_spenders', 'gold_members'])
    expect(profile.segmentsSince).toEqual({ big_spenders: now, gold_members: now })
    expect(changes.map((c) => `${c.kind}:${c.segmentId}:${c.change}`).sort()).toEqual([
      'named:big_spenders:entered',
      'named:gold_members:entered',
      'rfm:potential_loyalist:entered',
    ])
  })

  it('keeps entry times, and reports exits, on the next derivation', () => {
    const deriver = createProfileDeriver(config)
    const first = deriver.derive(buyer('b', [1, 2, 3]), null, now).profile
    const later = now + 200 * DAY
    const { profile, changes } = deriver.derive(first, null, later)
    expect(profile.segmentsSince).toEqual({ big_spenders: now, gold_members: now })
    expect(profile.rfm?.segment).toBe('at_risk')
    expect(changes).toEqual([
      { customerId: 'b', segmentId: 'potential_loyalist', kind: 'rfm', change: 'exited', at: later },
      { customerId: 'b', segmentId: 'at_risk', kind: 'rfm', change: 'entered', at: later },
    ])
    expect(segmentChangeEvent(changes[1]!)).toEqual({
      event: 'Segment Entered',
      properties: { segment_id: 'at_risk', segment_kind: 'rfm' },
      customerId: 'b',
      at: later,
    })
  })

  it('leaves RFM and CLV off a customer who never bought, and refuses nothing', () => {
    const { profile } = createProfileDeriver({}).derive(emptyProfile('v'), null, now)
    expect(profile.rfm).toBeUndefined()
    expect(profile.clv).toBeUndefined()
    expect(profile.loyalty).toBeUndefined()
    expect(profile.segments).toEqual([])
    expect(profile.lead).toMatchObject({ stage: 'lead' })
  })
})

describe('createModelFitter', () => {
  // 600 buyers simulated from BG/NBD with CDNOW's published parameters (weeks), first purchases
  // spread over a year; repeat purchases evenly between the first and the last.
  const histories = simulateBgNbd({ r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 }, 600, (i) => 4 + (i % 48), 7)
  const base = histories.map((h, i) => {
    const first = h.age * 7
    const days = [
      first,
      ...Array.from({ length: h.frequency }, (_, n) => first - ((n + 1) * h.recency * 7) / h.frequency),
    ]
    return buyer(`c${i}`, days, 20 + (i % 13) * 5)
  })

  it('cuts quantiles on a varied base and fits BG/NBD + Gamma-Gamma, giving every buyer a CLV', () => {
    const fitter = createModelFitter({ clv: { sampleSize: 100 } }, { now })
    for (const profile of base) fitter.add(profile)
    fitter.add(emptyProfile('visitor'))
    const model = fitter.finish()
    expect(model).toMatchObject({ customers: 601, buyers: 600, rfm: { method: 'quantile' } })
    expect(model.clv?.sampled).toBeGreaterThanOrEqual(100)
    expect(model.clv?.sampled).toBeLessThan(200)
    const deriver = createProfileDeriver({ clv: { horizonDays: 365 } })
    const recent = deriver.derive(buyer('new', [1, 8, 15, 22, 29]), model, now).profile.clv
    const lapsed = deriver.derive(buyer('old', [290, 297, 304, 311, 318]), model, now).profile.clv
    expect(recent).toMatchObject({ horizonDays: 365, currency: 'EUR', at: now })
    expect(recent?.pAlive).toBeGreaterThan(0)
    expect(recent?.pAlive).toBeLessThanOrEqual(1)
    expect(lapsed?.pAlive).toBeLessThan(recent?.pAlive ?? 0)
    expect(recent?.value).toBeGreaterThan(0)
  })

  it('scores a young shop (all bought within a day) by the fixed edges and fits no CLV', () => {
    const fitter = createModelFitter({}, { now })
    for (let i = 0; i < 300; i++) fitter.add(buyer(`y${i}`, [i / 1000]))
    const model = fitter.finish()
    expect(model.rfm.method).toBe('fixed')
    expect(model.clv).toBeNull()
    const { profile } = createProfileDeriver({}).derive(buyer('fresh', [0.0001]), model, now)
    expect(profile.rfm).toMatchObject({ r: 5, segment: 'new_customers', method: 'fixed' })
  })
})
