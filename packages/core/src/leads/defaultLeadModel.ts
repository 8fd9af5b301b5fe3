import type { LeadModel } from './leadModelSchema.js'

/**
 * Free mailbox providers: a lead writing from one of these is less likely a business buyer.
 * `$email_is_free` in fit rules is true for them.
 */
export const freeEmailDomains: readonly string[] = [
  'gmail.com',
  'googlemail.com',
  'yahoo.com',
  'yahoo.fr',
  'yahoo.co.uk',
  'hotmail.com',
  'hotmail.fr',
  'outlook.com',
  'live.com',
  'msn.com',
  'aol.com',
  'icloud.com',
  'me.com',
  'mac.com',
  'proton.me',
  'protonmail.com',
  'gmx.de',
  'gmx.net',
  'web.de',
  't-online.de',
  'orange.fr',
  'free.fr',
  'laposte.net',
  'mail.ru',
  'yandex.ru',
  'qq.com',
  '163.com',
  'zoho.com',
]

const DECISION_MAKERS = [
  'ceo',
  'cto',
  'cfo',
  'coo',
  'cmo',
  'founder',
  'owner',
  'president',
  'vp',
  'vice president',
  'head of',
  'director',
]

/**
 * A B2B starting point, to tune against your own won and lost deals. Traits follow the Segment
 * identify spec (`title`, `email`, `company.employee_count`, `company.name`, `phone`).
 *
 * Fit (at most 50): company size 5–20, decision-maker title 15 (manager 8, student or intern −10),
 * business email 10 (free mailbox −5), company name 5, phone 5.
 * Engagement (half-life 30 days): page view 1 (5 a day, group web ≤ 20), pricing page 10 (10 a
 * day, intent ≤ 30), careers page −10, email open 1 (3 a day) and click 3 (6 a day, group email
 * ≤ 20), form filled (Lead Captured) 15 and demo form 25 (forms ≤ 50), Signed Up 20,
 * Unsubscribed −20 without decay.
 * Thresholds: MQL at 40 points, SQL at 70. Grades: fit A ≥ 35, B ≥ 20, C ≥ 10, else D;
 * engagement 1 ≥ 30, 2 ≥ 10, else 3.
 */
export const defaultLeadModel: LeadModel = {
  fit: {
    max: 50,
    rules: [
      {
        id: 'size_11_50',
        description: '11–50 employees',
        when: [
          { field: 'company.employee_count', op: 'gte', value: 11 },
          { field: 'company.employee_count', op: 'lte', value: 50 },
        ],
        points: 5,
      },
      {
        id: 'size_51_200',
        description: '51–200 employees',
        when: [
          { field: 'company.employee_count', op: 'gte', value: 51 },
          { field: 'company.employee_count', op: 'lte', value: 200 },
        ],
        points: 10,
      },
      {
        id: 'size_201_1000',
        description: '201–1,000 employees',
        when: [
          { field: 'company.employee_count', op: 'gte', value: 201 },
          { field: 'company.employee_count', op: 'lte', value: 1000 },
        ],
        points: 15,
      },
      {
        id: 'size_1001_plus',
        description: 'over 1,000 employees',
        when: [{ field: 'company.employee_count', op: 'gt', value: 1000 }],
        points: 20,
      },
      {
        id: 'decision_maker',
        description: 'title of a decision maker',
        when: [{ field: 'title', op: 'contains_any', value: DECISION_MAKERS }],
        points: 15,
      },
      {
        id: 'manager',
        description: 'manager title',
        when: [
          { field: 'title', op: 'contains', value: 'manager' },
          { field: 'title', op: 'not_contains_any', value: DECISION_MAKERS },
        ],
        points: 8,
      },
      {
        id: 'student',
        description: 'student or intern',
        when: [{ field: 'title', op: 'contains_any', value: ['student', 'intern'] }],
        points: -10,
      },
      {
        id: 'business_email',
        description: 'writes from a business domain',
        when: [{ field: '$email_is_free', op: 'eq', value: false }],
        points: 10,
      },
      {
        id: 'free_email',
        description: 'writes from a free mailbox',
        when: [{ field: '$email_is_free', op: 'eq', value: true }],
        points: -5,
      },
      {
        id: 'company_named',
        description: 'gave a company name',
        when: [{ field: 'company.name', op: 'exists' }],
        points: 5,
      },
      { id: 'phone_given', description: 'gave a phone number', when: [{ field: 'phone', op: 'exists' }], points: 5 },
    ],
  },
  engagement: {
    halfLifeDays: 30,
    groups: { web: { max: 20 }, intent: { max: 30 }, email: { max: 20 }, forms: { max: 50 } },
    rules: [
      { id: 'page_view', description: 'viewed a page', event: '$page', points: 1, group: 'web', maxPerDay: 5 },
      {
        id: 'pricing_page',
        description: 'viewed the pricing page',
        event: '$page',
        when: [{ field: 'path', op: 'contains', value: '/pricing' }],
        points: 10,
        group: 'intent',
        maxPerDay: 10,
      },
      {
        id: 'careers_page',
        description: 'viewed a careers page (a job seeker, not a buyer)',
        event: '$page',
        when: [{ field: 'path', op: 'contains_any', value: ['/careers', '/jobs'] }],
        points: -10,
        maxPerDay: 10,
      },
      {
        id: 'email_opened',
        description: 'opened an email',
        event: 'Email Opened',
        points: 1,
        group: 'email',
        maxPerDay: 3,
      },
      {
        id: 'email_clicked',
        description: 'clicked a link in an email',
        event: 'Email Link Clicked',
        points: 3,
        group: 'email',
        maxPerDay: 6,
      },
      {
        id: 'email_clicked_legacy',
        description: 'clicked a link in an email (the older event name)',
        event: 'Email Clicked',
        points: 3,
        group: 'email',
        maxPerDay: 6,
      },
      { id: 'form_filled', description: 'filled a form', event: 'Lead Captured', points: 15, group: 'forms' },
      {
        id: 'demo_requested',
        description: 'asked for a demo',
        event: 'Lead Captured',
        when: [{ field: 'form_type', op: 'eq', value: 'demo' }],
        points: 25,
        group: 'forms',
      },
      { id: 'signed_up', description: 'signed up', event: 'Signed Up', points: 20 },
      { id: 'unsubscribed', description: 'unsubscribed from emails', event: 'Unsubscribed', points: -20, decay: false },
    ],
  },
  thresholds: { mql: 40, sql: 70 },
  grades: { fit: { A: 35, B: 20, C: 10 }, engagement: { 1: 30, 2: 10 } },
}
