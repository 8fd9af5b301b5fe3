import { describe, expect, it } from 'vitest'
import { defaultLeadModel } from '../../src/leads/defaultLeadModel.js'
import type { LeadModel } from '../../src/leads/leadModelSchema.js'
import { scoreLead, type LeadScore } from '../../src/leads/scoreLead.js'
import { emptyProfile } from '../../src/profile/emptyProfile.js'
import type { ActivityEntry, CustomerProfile } from '../../src/profile/profileSchema.js'
import { reduceProfile } from '../../src/profile/reduceProfile.js'
import type { EcrmEvent } from '../../src/model/envelope.js'

const DAY = 86_400_000
const now = Date.UTC(2026, 2, 31, 12)
let n = 0
const entry = (name: string, daysAgo: number, props: ActivityEntry['props'] = {}): ActivityEntry => ({
  id: `e-${++n}`,
  name,
  at: now - daysAgo * DAY,
  props,
})

const withTraits = (traits: CustomerProfile['traits']): CustomerProfile => ({ ...emptyProfile('lead'), traits })
const pointsOf = (result: LeadScore, ruleId: string): number[] =>
  result.reasons.filter((reason) => reason.ruleId === ruleId).map((reason) => reason.points)
const sum = (values: readonly number[]): number => values.reduce((a, b) => a + b, 0)

describe('scoreLead fit', () => {
  it('adds the fit rules a VP at a 120-person company meets', () => {
    const profile = withTraits({
      title: 'VP Marketing',
      email: 'Jo@Acme.io',
      phone: '+33 1 23',
      company: { name: 'Acme', employee_count: 120 },
    })
    const result = scoreLead(profile, defaultLeadModel, { now })
    // size 51–200: 10, decision maker: 15, business email: 10, company name: 5, phone: 5.
    expect(result.fit).toBe(45)
    expect(result.reasons.map((reason) => reason.ruleId)).toEqual([
      'size_51_200',
      'decision_maker',
      'business_email',
      'company_named',
      'phone_given',
    ])
    expect(result.grade).toBe('A3')
  })

  it('caps fit at fit.max and explains the cut', () => {
    const profile = withTraits({
      title: 'Founder',
      email: 'a@big.example',
      phone: '1',
      company: { name: 'Big', employee_count: 5000 },
    })
    const result = scoreLead(profile, defaultLeadModel, { now })
    // 20 + 15 + 10 + 5 + 5 = 55, capped at 50.
    expect(result.fit).toBe(50)
    expect(pointsOf(result, 'fit_cap')).toEqual([-5])
  })

  it('matches title words, not letters inside words, and penalises free mail and students', () => {
    const coordinator = scoreLead(withTraits({ title: 'Sales Coordinator', email: 'x@gmail.com' }), defaultLeadModel, {
      now,
    })
    expect(coordinator.reasons.map((reason) => reason.ruleId)).toEqual(['free_email'])
    expect(coordinator.fit).toBe(-5)
    expect(coordinator.grade).toBe('D3')
    const manager = scoreLead(withTraits({ title: 'Product Manager' }), defaultLeadModel, { now })
    expect(manager.fit).toBe(8)
    const director = scoreLead(withTraits({ title: 'Marketing Director' }), defaultLeadModel, { now })
    expect(pointsOf(director, 'decision_maker')).toEqual([15])
    expect(pointsOf(director, 'manager')).toEqual([])
    expect(scoreLead(withTraits({ title: 'PhD Student' }), defaultLeadModel, { now }).fit).toBe(-10)
  })
})

describe('scoreLead engagement', () => {
  it('halves points per half-life and never decays an unsubscribe', () => {
    const activity = [entry('Email Link Clicked', 30), entry('Email Link Clicked', 60), entry('Unsubscribed', 90)]
    const result = scoreLead(emptyProfile('x'), defaultLeadModel, { now, activity })
    expect(pointsOf(result, 'email_clicked')).toEqual([1.5, 0.75])
    expect(pointsOf(result, 'unsubscribed')).toEqual([-20])
    expect(result.engagement).toBe(-17.75)
  })

  it('scores the click event ecrm mails record, and still the older Email Clicked name', () => {
    const result = scoreLead(emptyProfile('x'), defaultLeadModel, {
      now,
      activity: [entry('Email Link Clicked', 0), entry('Email Clicked', 0)],
    })
    expect(pointsOf(result, 'email_clicked')).toEqual([3])
    expect(pointsOf(result, 'email_clicked_legacy')).toEqual([3])
  })

  it('caps a rule per UTC day and reports the capped events', () => {
    const activity = Array.from({ length: 10 }, () => entry('$page', 0, { path: '/blog' }))
    const result = scoreLead(emptyProfile('x'), defaultLeadModel, { now, activity })
    expect(pointsOf(result, 'page_view')).toEqual([1, 1, 1, 1, 1, 0])
    expect(result.reasons.at(-1)?.why).toBe('5 more "$page" event(s) capped (max 5 a day, group "web" max 20)')
    expect(result.engagement).toBe(5)
  })

  it('caps a group across rules and days, keeping the newest events', () => {
    const model: LeadModel = { ...defaultLeadModel, engagement: { ...defaultLeadModel.engagement, halfLifeDays: null } }
    const activity = Array.from({ length: 10 }, (_, day) => entry('Email Link Clicked', day))
    const result = scoreLead(emptyProfile('x'), model, { now, activity })
    // 3 points a click, group "email" max 20: six full clicks, the seventh cut to 2, three capped.
    expect(pointsOf(result, 'email_clicked')).toEqual([3, 3, 3, 3, 3, 3, 2, 0])
    expect(result.engagement).toBe(20)
  })

  it('takes points away for a careers page, and ignores events after now', () => {
    const activity = [entry('$page', 0, { path: '/careers/backend' }), entry('Signed Up', -1)]
    const result = scoreLead(emptyProfile('x'), defaultLeadModel, { now, activity })
    expect(pointsOf(result, 'careers_page')).toEqual([-10])
    expect(pointsOf(result, 'signed_up')).toEqual([])
    expect(result.engagement).toBe(-9)
  })
})

describe('scoreLead', () => {
  it('scores a profile folded from events; the reasons add up to the score', () => {
    const at = (daysAgo: number): string => new Date(now - daysAgo * DAY).toISOString()
    const events: EcrmEvent[] = [
      {
        type: 'identify',
        messageId: 'i',
        userId: 'u',
        timestamp: at(20),
        traits: { title: 'Head of Growth', email: 'kim@shop.example', company: { name: 'Shop', employee_count: 300 } },
      },
      { type: 'page', messageId: 'p1', userId: 'u', timestamp: at(0), context: { page: { path: '/pricing' } } },
      {
        type: 'track',
        messageId: 't1',
        userId: 'u',
        timestamp: at(0),
        event: 'Lead Captured',
        properties: { form_type: 'demo' },
      },
      { type: 'track', messageId: 't2', userId: 'u', timestamp: at(10), event: 'Email Opened', properties: {} },
    ]
    const profile = events.reduce((p, e) => reduceProfile(p, e), emptyProfile('u'))
    const result = scoreLead(profile, defaultLeadModel, { now })
    // Fit: 201–1,000 → 15, head of → 15, business email 10, company 5 = 45.
    expect(result.fit).toBe(45)
    // Today: page 1 + pricing 10 + form 15 + demo 25 = 51; 10 days ago: email open 1 × 0.5^(1/3) = 0.79.
    expect(result.engagement).toBe(51.79)
    expect(result.score).toBe(96.79)
    expect(result.stage).toBe('sql')
    expect(result.grade).toBe('A1')
    expect(sum(result.reasons.map((reason) => reason.points))).toBeCloseTo(result.score, 9)
    expect(result.reasons.find((reason) => reason.ruleId === 'email_opened')?.why).toBe(
      '"Email Opened" (opened an email) on 2026-03-21, 10 days ago: 1 × 0.79 (half-life 30 d)',
    )
  })

  it('gives stages by thresholds and grades by fit letter and engagement digit', () => {
    const model: LeadModel = { ...defaultLeadModel, fit: { rules: [] } }
    const stageAt = (clicks: number): LeadScore =>
      scoreLead(
        emptyProfile('x'),
        { ...model, engagement: { rules: [{ id: 'e', event: 'E', points: 1 }], halfLifeDays: null } },
        { now, activity: Array.from({ length: clicks }, () => entry('E', 1)) },
      )
    expect([9, 10, 39, 40, 69, 70].map((k) => [stageAt(k).stage, stageAt(k).grade])).toEqual([
      ['lead', 'D3'],
      ['lead', 'D2'],
      ['lead', 'D1'],
      ['mql', 'D1'],
      ['mql', 'D1'],
      ['sql', 'D1'],
    ])
  })
})
