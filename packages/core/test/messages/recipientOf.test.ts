import { describe, expect, it } from 'vitest'
import { recipientOf, toE164 } from '../../src/messages/index.js'
import { emptyProfile } from '../../src/profile/emptyProfile.js'
import { reduceProfile } from '../../src/profile/reduceProfile.js'
import { identify, T0 } from '../profile/events.js'

// A subscription as Chromium's PushSubscription.toJSON() gives it (keys are 65 and 16 bytes, base64url).
const subscription = {
  endpoint: 'https://fcm.googleapis.com/fcm/send/abc:def',
  expirationTime: null,
  keys: {
    p256dh: 'BNcRdreALRFXTkOOUHK1EtK2wtaz5Ry4YfYCA_0QTpQtUbVlUls0VJXg7A8u-Ts1XbjhazAkj7I99e8QcYP7DkM',
    auth: 'tBHItJI5svbpez7KI4CCXg',
  },
}

/** A profile as the pipeline folds it from one identify call. */
function profileWith(traits: Record<string, unknown>) {
  return reduceProfile(emptyProfile('c-1'), identify(T0, traits as never))
}

describe('recipientOf', () => {
  it('reads the email, phone and push subscription an identify call stored', () => {
    const profile = profileWith({ email: ' sara@shop.example ', phone: '+98 912 345 6789', webPush: subscription })
    expect(recipientOf('email', profile)).toEqual({ ok: true, recipient: 'sara@shop.example' })
    expect(recipientOf('sms', profile)).toEqual({ ok: true, recipient: '+989123456789' })
    const push = recipientOf('push', profile)
    expect(push.ok && JSON.parse(push.recipient)).toEqual(subscription)
    expect(recipientOf('webhook', profile)).toEqual({ ok: true, recipient: 'c-1' })
    expect(recipientOf('crm', profile)).toEqual({ ok: true, recipient: 'c-1' })
  })

  it('says why a customer cannot be reached', () => {
    const profile = profileWith({
      email: 'not-an-email',
      phone: '0912 345 6789',
      webPush: { endpoint: 'https://push.example/x' },
    })
    expect(recipientOf('email', profile)).toEqual({
      ok: false,
      reason: 'customer c-1 has an invalid email trait "not-an-email"',
    })
    const sms = recipientOf('sms', profile)
    expect(sms.ok).toBe(false)
    expect(!sms.ok && sms.reason).toMatch(/national number/)
    expect(recipientOf('sms', profile, { defaultCallingCode: '98' })).toEqual({ ok: true, recipient: '+989123456789' })
    expect(recipientOf('push', profile)).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/invalid webPush trait/),
    })
    const empty = profileWith({})
    expect(recipientOf('email', empty)).toEqual({ ok: false, reason: 'customer c-1 has no email trait' })
    expect(recipientOf('sms', empty)).toEqual({ ok: false, reason: 'customer c-1 has no phone trait' })
    expect(recipientOf('push', empty)).toEqual({
      ok: false,
      reason: 'customer c-1 has no webPush trait (not subscribed)',
    })
  })
})

describe('toE164', () => {
  it('reads separators, 00, Persian and Arabic-Indic digits', () => {
    expect(toE164('+1 (415) 555-2671')).toEqual({ ok: true, e164: '+14155552671' })
    expect(toE164('0044 20 7946 0958')).toEqual({ ok: true, e164: '+442079460958' })
    expect(toE164('۰۹۱۲۳۴۵۶۷۸۹', { defaultCallingCode: '98' })).toEqual({ ok: true, e164: '+989123456789' })
    expect(toE164('+٩٨٩١٢٣٤٥٦٧٨٩')).toEqual({ ok: true, e164: '+989123456789' })
  })

  it('refuses what is not a number', () => {
    expect(toE164('+1 415 CALL-NOW').ok).toBe(false)
    expect(toE164('+0123456789').ok).toBe(false)
    expect(toE164('+1234567890123456').ok).toBe(false)
    expect(toE164('4155552671')).toEqual({
      ok: false,
      reason: '"4155552671" has no country code (expected E.164, e.g. +989123456789)',
    })
    expect(toE164('09123456789', { defaultCallingCode: '+98' }).ok).toBe(false)
  })
})
