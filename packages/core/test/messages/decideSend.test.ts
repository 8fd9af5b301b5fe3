import { describe, expect, it } from 'vitest'
import { capLookback, decideSend, messagePolicySchema } from '../../src/messages/index.js'
import type { Message, MessagePolicyInput, SendContext } from '../../src/messages/index.js'
import type { JsonObject } from '../../src/model/envelope.js'
import { emptyProfile } from '../../src/profile/emptyProfile.js'
import { reduceProfile } from '../../src/profile/reduceProfile.js'
import type { CustomerProfile } from '../../src/profile/profileSchema.js'
import { DAY, identify, T0 } from '../profile/events.js'

const HOUR = 3_600_000
const email = { kind: 'email', category: 'marketing', recipient: 'sara@example.com' } as const satisfies Pick<
  Message,
  'kind' | 'category' | 'recipient'
>
const receipt = { ...email, category: 'transactional' } as const

/** A profile folded from identify calls, the way the store builds it (consent from context.consent). */
function customer(traits: JsonObject, consent?: JsonObject): CustomerProfile {
  const event = identify(T0, traits, consent === undefined ? {} : ({ context: { consent } } as never))
  return reduceProfile(emptyProfile('u-1'), event)
}

const policy = (input: MessagePolicyInput = {}) => messagePolicySchema.parse(input)
const at = (now: number, sentAt: readonly number[] = [], isSuppressed = false): SendContext => ({
  now,
  sentAt,
  isSuppressed,
})
const granted = { categories: { marketing: true } }

describe('decideSend consent', () => {
  it('sends marketing to a customer who granted marketing, and to one who granted only marketing.email', () => {
    expect(decideSend(email, customer({}, granted), policy(), at(T0))).toEqual({ action: 'send' })
    expect(decideSend(email, customer({}, { categories: { 'marketing.email': true } }), policy(), at(T0))).toEqual({
      action: 'send',
    })
  })

  it('under opt-in suppresses a customer who never answered; under opt-out sends', () => {
    expect(decideSend(email, customer({}), policy(), at(T0))).toEqual({ action: 'suppress', reason: 'no_consent' })
    expect(decideSend(email, customer({}), policy({ consent: 'opt-out' }), at(T0))).toEqual({ action: 'send' })
  })

  it('an opt-out wins over any grant, for its kind only', () => {
    const optedOutOfEmail = customer({}, { categories: { marketing: true, 'marketing.email': false } })
    expect(decideSend(email, optedOutOfEmail, policy({ consent: 'opt-out' }), at(T0))).toEqual({
      action: 'suppress',
      reason: 'opted_out',
    })
    expect(
      decideSend({ ...email, kind: 'sms', recipient: '+989121234567' }, optedOutOfEmail, policy(), at(T0)),
    ).toEqual({ action: 'send' })
    const optedOutOfAll = customer({}, { categories: { marketing: false, 'marketing.email': true } })
    expect(decideSend(email, optedOutOfAll, policy(), at(T0))).toEqual({ action: 'suppress', reason: 'opted_out' })
  })

  it('GPC suppresses marketing unless the policy says otherwise', () => {
    const gpc = customer({}, { categories: { marketing: true }, gpc: true })
    expect(decideSend(email, gpc, policy(), at(T0))).toEqual({ action: 'suppress', reason: 'gpc' })
    expect(decideSend(email, gpc, policy({ respectGpc: false }), at(T0))).toEqual({ action: 'send' })
  })

  it('transactional skips consent, GPC, quiet hours and caps, never the suppression list or a missing recipient', () => {
    const optedOut = customer({ timezone: 'UTC' }, { categories: { marketing: false }, gpc: true })
    const strict = policy({ quietHours: { start: '00:00', end: '23:59' }, caps: [{ per: 'day', max: 1 }] })
    expect(decideSend(receipt, optedOut, strict, at(T0, [T0 - HOUR]))).toEqual({ action: 'send' })
    expect(decideSend(receipt, optedOut, strict, at(T0, [], true))).toEqual({
      action: 'suppress',
      reason: 'suppressed_recipient',
    })
    expect(decideSend({ ...receipt, recipient: '' }, optedOut, strict, at(T0))).toEqual({
      action: 'suppress',
      reason: 'no_recipient',
    })
  })
})

describe('decideSend quiet hours in the customer zone', () => {
  const quiet = policy({ quietHours: { start: '21:00', end: '08:00' } })

  it('defers a Tehran customer at 22:30 local to 08:00 local the next morning', () => {
    const tehran = customer({ timezone: 'Asia/Tehran' }, granted)
    const now = Date.UTC(2026, 0, 1, 19, 0) // 22:30 in Tehran (UTC+3:30)
    expect(decideSend(email, tehran, quiet, at(now))).toEqual({
      action: 'defer',
      until: Date.UTC(2026, 0, 2, 4, 30),
      reason: 'quiet_hours',
    })
    // The same instant is 20:00 in Paris: sent.
    expect(decideSend(email, customer({ timezone: 'Europe/Paris' }, granted), quiet, at(now))).toEqual({
      action: 'send',
    })
  })

  it('uses the policy zone for a customer without one, else UTC', () => {
    const now = Date.UTC(2026, 0, 1, 21, 30)
    expect(decideSend(email, customer({}, granted), quiet, at(now)).action).toBe('defer')
    expect(
      decideSend(
        email,
        customer({}, granted),
        policy({ quietHours: { start: '21:00', end: '08:00' }, timeZone: 'America/New_York' }),
        at(now),
      ).action,
    ).toBe('send')
  })

  it('across the spring DST change ends at 08:00 local on the new offset', () => {
    // Europe/Paris moves to UTC+2 at 02:00 on 29 March 2026: the night starts at UTC+1, ends at UTC+2.
    const paris = customer({ timezone: 'Europe/Paris' }, granted)
    const now = Date.UTC(2026, 2, 28, 22, 0) // 23:00 Paris, UTC+1
    expect(decideSend(email, paris, quiet, at(now))).toEqual({
      action: 'defer',
      until: Date.UTC(2026, 2, 29, 6, 0),
      reason: 'quiet_hours',
    })
  })

  it('across the autumn DST change too', () => {
    const newYork = customer({ timezone: 'America/New_York' }, granted)
    const now = Date.UTC(2026, 10, 1, 4, 30) // 00:30 EDT on 1 November, the night clocks go back at 02:00
    expect(decideSend(email, newYork, quiet, at(now))).toEqual({
      action: 'defer',
      until: Date.UTC(2026, 10, 1, 13, 0),
      reason: 'quiet_hours',
    })
  })
})

describe('decideSend frequency caps', () => {
  const tehran = customer({ timezone: 'Asia/Tehran' }, granted)

  it('one a day: a local calendar day; the next send waits for local midnight', () => {
    const daily = policy({ caps: [{ per: 'day', max: 1 }] })
    const now = Date.UTC(2026, 0, 1, 12, 0) // 15:30 Tehran
    const earlierToday = Date.UTC(2026, 0, 1, 6, 0) // 09:30 Tehran
    const yesterdayLate = Date.UTC(2026, 0, 1, 19, 0) - DAY // 22:30 Tehran on 31 Dec
    expect(decideSend(email, tehran, daily, at(now, [yesterdayLate]))).toEqual({ action: 'send' })
    expect(decideSend(email, tehran, daily, at(now, [earlierToday]))).toEqual({
      action: 'defer',
      until: Date.UTC(2026, 0, 1, 20, 30),
      reason: 'frequency_cap',
    })
  })

  it('three a week from Monday: full on Thursday waits for Monday 00:00 local', () => {
    const weekly = policy({ caps: [{ per: 'week', max: 3 }] })
    const thursday = Date.UTC(2026, 0, 8, 12, 0) // Thursday 8 January 2026, UTC
    const utc = customer({ timezone: 'UTC' }, granted)
    const sends = [Date.UTC(2026, 0, 5, 9), Date.UTC(2026, 0, 6, 9), Date.UTC(2026, 0, 7, 9)]
    expect(decideSend(email, utc, weekly, at(thursday, sends.slice(1)))).toEqual({ action: 'send' })
    expect(decideSend(email, utc, weekly, at(thursday, sends))).toEqual({
      action: 'defer',
      until: Date.UTC(2026, 0, 12),
      reason: 'frequency_cap',
    })
    // Last week's Sunday does not count.
    expect(decideSend(email, utc, weekly, at(thursday, [Date.UTC(2026, 0, 4, 23), ...sends.slice(1)]))).toEqual({
      action: 'send',
    })
  })

  it('a month cap waits for the first of the next month', () => {
    const monthly = policy({ caps: [{ per: 'month', max: 2 }] })
    const utc = customer({ timezone: 'UTC' }, granted)
    expect(
      decideSend(email, utc, monthly, at(Date.UTC(2026, 11, 20), [Date.UTC(2026, 11, 1), Date.UTC(2026, 11, 2)])),
    ).toEqual({ action: 'defer', until: Date.UTC(2027, 0, 1), reason: 'frequency_cap' })
  })

  it('a rolling window frees when its oldest send ages out; the later of two caps wins', () => {
    const rolling = policy({ caps: [{ per: '36h', max: 2 }] })
    const utc = customer({ timezone: 'UTC' }, granted)
    const now = T0
    expect(decideSend(email, utc, rolling, at(now, [now - 30 * HOUR, now - 2 * HOUR]))).toEqual({
      action: 'defer',
      until: now + 6 * HOUR,
      reason: 'frequency_cap',
    })
    expect(decideSend(email, utc, rolling, at(now, [now - 37 * HOUR, now - 2 * HOUR]))).toEqual({ action: 'send' })
    const both = policy({
      caps: [
        { per: '36h', max: 2 },
        { per: 'week', max: 2 },
      ],
    })
    const sunday = Date.UTC(2026, 0, 4, 12)
    expect(decideSend(email, utc, both, at(sunday, [sunday - 30 * HOUR, sunday - 2 * HOUR]))).toEqual({
      action: 'defer',
      until: Date.UTC(2026, 0, 5),
      reason: 'frequency_cap',
    })
  })

  it('a cap with a kind holds for that kind only; a freed time inside quiet hours moves to their end', () => {
    const smsOnly = policy({ caps: [{ per: 'day', max: 1, kind: 'sms' }] })
    const utc = customer({ timezone: 'UTC' }, granted)
    expect(decideSend(email, utc, smsOnly, at(T0, [T0 - HOUR]))).toEqual({ action: 'send' })
    const quietDaily = policy({ caps: [{ per: 'day', max: 1 }], quietHours: { start: '22:00', end: '07:00' } })
    expect(decideSend(email, utc, quietDaily, at(T0, [T0 - HOUR]))).toEqual({
      action: 'defer',
      until: Date.UTC(2026, 0, 2, 7),
      reason: 'frequency_cap',
    })
  })

  it('capLookback reaches back to the earliest window start', () => {
    const utc = customer({ timezone: 'UTC' }, granted)
    expect(
      capLookback(
        policy({
          caps: [
            { per: 'day', max: 1 },
            { per: '3d', max: 2 },
          ],
        }),
        utc,
        T0,
      ),
    ).toBe(T0 - 3 * DAY)
    expect(capLookback(policy(), utc, T0)).toBe(T0)
  })
})

describe('messagePolicySchema', () => {
  it('applies defaults and names bad fields by path', () => {
    expect(policy()).toEqual({ consent: 'opt-in', caps: [], respectGpc: true })
    const result = messagePolicySchema.safeParse({
      caps: [{ per: 'fortnight', max: 0 }],
      quietHours: { start: '9pm', end: '08:00' },
    })
    expect(result.success).toBe(false)
    expect(result.error?.issues.map((issue) => issue.path.join('.'))).toEqual([
      'caps.0.per',
      'caps.0.max',
      'quietHours.start',
    ])
  })
})
