import { bgNbdExpectedPurchases, bgNbdProbabilityAlive } from '../clv/bgNbdPredict.js'
import { customerLifetimeValue } from '../clv/lifetimeValue.js'
import { DAYS_PER_UNIT } from '../clv/types.js'
import { computeLoyalty, type LoyaltyProgram } from '../kpis/loyalty.js'
import { defaultLeadModel } from '../leads/defaultLeadModel.js'
import { scoreLead } from '../leads/scoreLead.js'
import { compileLogic } from '../logic/engine.js'
import { isTruthy } from '../logic/semantics.js'
import type { CompiledLogic } from '../logic/types.js'
import type { CustomerProfile, ProfileClv, ProfileLead, ProfileLoyalty, ProfileRfm } from '../profile/profileSchema.js'
import type { RfmCutPoints } from '../rfm/rfmCutPoints.js'
import { fixedRfmCutPoints } from '../rfm/rfmMethod.js'
import { rfmInputFromProfile, scoreRfmOne } from '../rfm/scoreRfm.js'
import type { DeriveConfig, LoyaltyConfig } from './deriveConfig.js'
import type { DerivedModel } from './derivedModel.js'
import { CLV_UNIT, loyaltyActivitiesOf, purchaseHistoryOf } from './profileHistories.js'
import type { SegmentChange } from './segmentChanges.js'

/** A profile with its derived fields, and the segment changes deriving it found. */
export interface DeriveResult {
  readonly profile: CustomerProfile
  readonly changes: readonly SegmentChange[]
}

/** Derives profiles by one configuration (its segments compiled once). */
export interface ProfileDeriver {
  /**
   * Sets `rfm`, `lead`, `clv`, `segments`, `segmentsSince` and `loyalty` on a profile, with the
   * fitted `model` (null before any fit: RFM by the fixed edges, no CLV), and compares the new
   * segments with those the profile carried.
   */
  readonly derive: (profile: CustomerProfile, model: DerivedModel | null, now: number) => DeriveResult
}

const REASONS_KEPT = 5

/**
 * The profile fields a derivation sets (or removes): everything else of a profile comes out of
 * {@link ProfileDeriver.derive} as it went in, so a store may write just these over the stored
 * document.
 */
export const DERIVED_PROFILE_FIELDS = [
  'rfm',
  'lead',
  'clv',
  'loyalty',
  'segments',
  'segmentsSince',
] as const satisfies readonly (keyof CustomerProfile)[]

/**
 * Compiles a {@link DeriveConfig} into a {@link ProfileDeriver}: the pure "derive one profile
 * from a fitted model" step every store and runtime shares. Named segments' conditions see the
 * profile with its new RFM, lead, CLV and loyalty (paths with or without `profile.`); their own
 * `in_segment` reads the named segments as they were before this derivation.
 *
 * @example
 * const deriver = createProfileDeriver({ segments: { vip: { name: 'VIP', when: { '>=': [{ var: 'money.revenue' }, 500] } } } })
 * const { profile, changes } = deriver.derive(stored, model, now)
 */
export function createProfileDeriver(config: DeriveConfig): ProfileDeriver {
  const segments = Object.entries(config.segments ?? {})
    .map(([id, segment]): [string, CompiledLogic] => [id, compileLogic(segment.when as never)])
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
  const leadModel = config.leadModel ?? defaultLeadModel
  const program = config.loyalty === undefined ? null : loyaltyProgramOf(config.loyalty)
  const horizonDays = config.clv?.horizonDays ?? 365
  let fixed: RfmCutPoints | null = null

  return {
    derive(profile, model, now) {
      fixed ??= fixedRfmCutPoints(config.rfm ?? {}, now)
      const rfm = rfmOf(profile, model?.rfm ?? fixed, now)
      const lead = leadOf(profile, leadModel, now)
      const clv = model?.clv == null ? undefined : clvOf(profile, model.clv, horizonDays, config, now)
      const loyalty = program === null ? undefined : loyaltyOf(profile, program, now)
      const base = withFields(profile, { rfm, lead, clv, loyalty })
      const data = { ...base, profile: base }
      const inNow = segments.filter(([, when]) => isTruthy(when(data, { now }))).map(([id]) => id)
      const since: Record<string, number> = {}
      for (const id of inNow) since[id] = profile.segmentsSince?.[id] ?? now
      const next: CustomerProfile = { ...base, segments: inNow, segmentsSince: since }
      return { profile: next, changes: changesOf(profile, next, now) }
    },
  }
}

/** Sets or removes each derived field (absent means "not derived"). */
function withFields(
  profile: CustomerProfile,
  fields: {
    rfm: ProfileRfm | undefined
    lead: ProfileLead
    clv: ProfileClv | undefined
    loyalty: ProfileLoyalty | undefined
  },
): CustomerProfile {
  const { rfm: _rfm, clv: _clv, loyalty: _loyalty, ...rest } = profile
  return {
    ...rest,
    ...(fields.rfm === undefined ? {} : { rfm: fields.rfm }),
    lead: fields.lead,
    ...(fields.clv === undefined ? {} : { clv: fields.clv }),
    ...(fields.loyalty === undefined ? {} : { loyalty: fields.loyalty }),
  }
}

function rfmOf(profile: CustomerProfile, cutPoints: RfmCutPoints, now: number): ProfileRfm | undefined {
  const score = scoreRfmOne(rfmInputFromProfile(profile), cutPoints, { now })
  return score === null
    ? undefined
    : { r: score.r, f: score.f, m: score.m, segment: score.segment, method: cutPoints.method, at: now }
}

function leadOf(profile: CustomerProfile, model: DeriveConfig['leadModel'] & object, now: number): ProfileLead {
  const lead = scoreLead(profile, model, { now })
  const reasons = [...lead.reasons]
    .filter((reason) => reason.points !== 0)
    .sort((a, b) => Math.abs(b.points) - Math.abs(a.points))
    .slice(0, REASONS_KEPT)
    .map((reason) => ({ id: reason.ruleId, label: reason.why, points: reason.points }))
  return {
    score: lead.score,
    grade: lead.grade,
    letter: lead.grade.slice(0, 1),
    level: Number(lead.grade.slice(1)),
    stage: lead.stage,
    reasons,
    at: now,
  }
}

function clvOf(
  profile: CustomerProfile,
  clv: NonNullable<DerivedModel['clv']>,
  horizonDays: number,
  config: DeriveConfig,
  now: number,
): ProfileClv | undefined {
  const history = purchaseHistoryOf(profile, now)
  if (history === null) return undefined
  const { frequency: x, recency: tx, age: T } = history
  const horizon = horizonDays / DAYS_PER_UNIT[CLV_UNIT]
  const value = customerLifetimeValue(clv.bgNbd, clv.gammaGamma, history, {
    horizon,
    unit: CLV_UNIT,
    ...(config.clv?.discountRate === undefined ? {} : { discountRate: config.clv.discountRate }),
    ...(config.clv?.margin === undefined ? {} : { margin: config.clv.margin }),
  })
  const pAlive = bgNbdProbabilityAlive(clv.bgNbd, x, tx, T)
  const expectedPurchases = bgNbdExpectedPurchases(clv.bgNbd, horizon, x, tx, T)
  // An extreme history the series cannot sum: no CLV rather than NaN in a column.
  if (![pAlive, expectedPurchases, value].every(Number.isFinite)) return undefined
  return {
    pAlive,
    expectedPurchases,
    horizonDays,
    value: Math.round(value * 100) / 100,
    currency: profile.money.currency,
    at: now,
  }
}

function loyaltyProgramOf(config: LoyaltyConfig): LoyaltyProgram {
  return {
    earnRules: [
      { id: 'order', on: 'order', points: config.pointsPerOrder ?? 0, pointsPerUnit: config.pointsPerUnit ?? 1 },
    ],
    tiers: config.tiers.map((tier) => ({
      id: tier.id,
      minPoints: tier.minPoints,
      ...(tier.earnMultiplier === undefined ? {} : { earnMultiplier: tier.earnMultiplier }),
    })),
    ...(config.tierWindowDays === undefined ? {} : { tierWindowMs: config.tierWindowDays * 86_400_000 }),
  }
}

function loyaltyOf(profile: CustomerProfile, program: LoyaltyProgram, now: number): ProfileLoyalty {
  const status = computeLoyalty(loyaltyActivitiesOf(profile), program, { now })
  return { balance: status.balance, tier: status.tier?.id ?? null, at: now }
}

/** Entries and exits between what a profile carried and what it carries now. */
function changesOf(before: CustomerProfile, after: CustomerProfile, at: number): SegmentChange[] {
  const changes: SegmentChange[] = []
  const customerId = after.id
  const was = new Set(before.segments ?? [])
  const is = new Set(after.segments ?? [])
  for (const id of is)
    if (!was.has(id)) changes.push({ customerId, segmentId: id, kind: 'named', change: 'entered', at })
  for (const id of was)
    if (!is.has(id)) changes.push({ customerId, segmentId: id, kind: 'named', change: 'exited', at })
  const wasRfm = before.rfm?.segment
  const isRfm = after.rfm?.segment
  if (wasRfm !== isRfm) {
    if (wasRfm !== undefined) changes.push({ customerId, segmentId: wasRfm, kind: 'rfm', change: 'exited', at })
    if (isRfm !== undefined) changes.push({ customerId, segmentId: isRfm, kind: 'rfm', change: 'entered', at })
  }
  return changes
}
