import type { CustomerProfile, ActivityEntry } from '../profile/profileSchema.js'
import { freeEmailDomains } from './defaultLeadModel.js'
import { meetsAll } from './leadConditions.js'
import type { EngagementRule, LeadModel } from './leadModelSchema.js'
import { DAY_MS } from '../time/units.js'

/** Options of {@link scoreLead}. */
export interface ScoreLeadOptions {
  /** The time to score at, epoch ms; events are decayed by their age at `now`, later ones ignored. */
  readonly now: number
  /**
   * The events to score. @default profile.activity — the profile's most recent events (see
   * `profileLimits.activity`); pass a longer history from a store when you keep one.
   */
  readonly activity?: readonly ActivityEntry[]
}

/** One line of the explanation: which rule gave how many points, and why. */
export interface LeadReason {
  /** The rule id, or `fit_cap` when the fit total was cut to `fit.max`. */
  readonly ruleId: string
  readonly kind: 'fit' | 'engagement'
  /** Points given, after caps and decay, rounded to 0.01; the reasons add up to the score. */
  readonly points: number
  /** Human explanation, e.g. `"Email Clicked" on 2026-03-01, 14 days ago: 3 × 0.72 (half-life 30 d)`. */
  readonly why: string
}

/** Where a lead stands: below MQL, marketing-qualified, or sales-qualified. */
export type LeadStage = 'lead' | 'mql' | 'sql'

/** The result of {@link scoreLead}. */
export interface LeadScore {
  /** fit + engagement. */
  readonly score: number
  readonly fit: number
  readonly engagement: number
  /** Letter for fit (A best … D), digit for engagement (1 best … 3): `A1`, `C3`. */
  readonly grade: string
  readonly stage: LeadStage
  readonly reasons: readonly LeadReason[]
}

/**
 * Scores a lead: fit points from traits, engagement points from recent events with per-rule
 * daily caps, per-group caps and half-life decay, then a grade and a stage. Every point is in
 * `reasons`. Caps count points before decay, newest events first, so the freshest events are
 * the ones kept. Group caps bound positive points only; negative points are bounded by
 * `maxPerDay` alone.
 *
 * Fit rules see the traits plus `$email`, `$email_domain` and `$email_is_free` (from
 * `traits.email`, else the first known email).
 *
 * @example
 * const lead = scoreLead(profile, defaultLeadModel, { now: clock.now() })
 * lead.grade // 'B1'
 * lead.reasons[0] // { ruleId: 'pricing_page', kind: 'engagement', points: 9.77, why: '...' }
 */
export function scoreLead(profile: CustomerProfile, model: LeadModel, options: ScoreLeadOptions): LeadScore {
  const reasons: LeadReason[] = []
  const fit = scoreFit(profile, model, reasons)
  const engagement = scoreEngagement(options.activity ?? profile.activity, model, options.now, reasons)
  const score = round(fit + engagement)
  const { A, B, C } = model.grades.fit
  const letter = fit >= A ? 'A' : fit >= B ? 'B' : fit >= C ? 'C' : 'D'
  const digit = engagement >= model.grades.engagement[1] ? 1 : engagement >= model.grades.engagement[2] ? 2 : 3
  const stage: LeadStage = score >= model.thresholds.sql ? 'sql' : score >= model.thresholds.mql ? 'mql' : 'lead'
  return { score, fit, engagement, grade: `${letter}${digit}`, stage, reasons }
}

/** The facts fit rules see: the traits and the derived `$email*` fields. */
export function fitFacts(profile: CustomerProfile): Record<string, unknown> {
  const trait = profile.traits['email']
  const email = (typeof trait === 'string' ? trait : (profile.identities.emails[0] ?? '')).trim().toLowerCase()
  const domain = email.includes('@') ? email.slice(email.lastIndexOf('@') + 1) : null
  return {
    ...profile.traits,
    $email: email === '' ? null : email,
    $email_domain: domain,
    $email_is_free: domain === null ? null : freeEmailDomains.includes(domain),
  }
}

function scoreFit(profile: CustomerProfile, model: LeadModel, reasons: LeadReason[]): number {
  const facts = fitFacts(profile)
  let total = 0
  for (const rule of model.fit.rules) {
    if (!meetsAll(facts, rule.when)) continue
    total += rule.points
    reasons.push({
      ruleId: rule.id,
      kind: 'fit',
      points: rule.points,
      why: rule.description ?? describeWhen(rule.when),
    })
  }
  const max = model.fit.max
  if (max !== undefined && total > max) {
    reasons.push({ ruleId: 'fit_cap', kind: 'fit', points: round(max - total), why: `fit is capped at ${max} points` })
    total = max
  }
  return round(total)
}

function scoreEngagement(
  activity: readonly ActivityEntry[],
  model: LeadModel,
  now: number,
  reasons: LeadReason[],
): number {
  const { rules, groups = {}, halfLifeDays = 30 } = model.engagement
  const entries = activity.filter((entry) => entry.at <= now).sort((a, b) => b.at - a.at || (a.id < b.id ? -1 : 1))
  const usedPerDay = new Map<string, number>()
  const usedPerGroup = new Map<string, number>()
  const capped = new Map<EngagementRule, number>()
  let total = 0
  for (const entry of entries) {
    const day = Math.floor(entry.at / DAY_MS)
    for (const rule of rules) {
      if (rule.event !== entry.name || !meetsAll(entry.props, rule.when)) continue
      let allowed = Math.abs(rule.points)
      const dayKey = `${rule.id}:${day}`
      if (rule.maxPerDay !== undefined) allowed = Math.min(allowed, rule.maxPerDay - (usedPerDay.get(dayKey) ?? 0))
      const group = rule.group === undefined ? undefined : groups[rule.group]
      if (group !== undefined && rule.points > 0)
        allowed = Math.min(allowed, group.max - (usedPerGroup.get(rule.group ?? '') ?? 0))
      if (allowed <= 0) {
        capped.set(rule, (capped.get(rule) ?? 0) + 1)
        continue
      }
      usedPerDay.set(dayKey, (usedPerDay.get(dayKey) ?? 0) + allowed)
      if (group !== undefined && rule.points > 0)
        usedPerGroup.set(rule.group ?? '', (usedPerGroup.get(rule.group ?? '') ?? 0) + allowed)
      const raw = Math.sign(rule.points) * allowed
      const ageDays = (now - entry.at) / DAY_MS
      const factor = rule.decay === false || halfLifeDays === null ? 1 : 0.5 ** (ageDays / halfLifeDays)
      const points = round(raw * factor)
      total += points
      reasons.push({
        ruleId: rule.id,
        kind: 'engagement',
        points,
        why: explain(rule, entry, raw, ageDays, factor, halfLifeDays),
      })
    }
  }
  for (const [rule, count] of capped) {
    const cap =
      rule.group !== undefined && groups[rule.group] !== undefined
        ? `group "${rule.group}" max ${groups[rule.group]?.max}`
        : ''
    const perDay = rule.maxPerDay === undefined ? '' : `max ${rule.maxPerDay} a day`
    reasons.push({
      ruleId: rule.id,
      kind: 'engagement',
      points: 0,
      why: `${count} more "${rule.event}" event(s) capped (${[perDay, cap].filter(Boolean).join(', ')})`,
    })
  }
  return round(total)
}

function explain(
  rule: EngagementRule,
  entry: ActivityEntry,
  raw: number,
  ageDays: number,
  factor: number,
  halfLifeDays: number | null,
): string {
  const what = `"${entry.name}"${rule.description === undefined ? '' : ` (${rule.description})`} on ${new Date(entry.at).toISOString().slice(0, 10)}`
  const partial = raw !== rule.points ? ` (${rule.points} cut to ${raw} by a cap)` : ''
  if (factor === 1) return `${what}: ${raw}${partial}${rule.decay === false ? ', no decay' : ''}`
  return `${what}, ${Math.floor(ageDays)} days ago: ${raw} × ${factor.toFixed(2)} (half-life ${halfLifeDays} d)${partial}`
}

function describeWhen(when: readonly { field: string; op: string; value?: unknown }[]): string {
  return when
    .map((c) => `${c.field} ${c.op}${c.value === undefined ? '' : ` ${JSON.stringify(c.value)}`}`)
    .join(' and ')
}

/** Rounds to 0.01 so that reasons add up to the totals shown. */
function round(value: number): number {
  return Math.round(value * 100) / 100
}
