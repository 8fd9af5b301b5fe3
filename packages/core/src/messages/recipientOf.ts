/**
 * Where a message to a customer goes, read from the profile the pipeline folds: an email from
 * `traits.email`, a phone from `traits.phone` (normalised to E.164), a push subscription from
 * `traits.webPush` (what `subscribeToPush()` stores), the customer id for webhooks and CRMs.
 */
import * as z from 'zod'
import type { CustomerProfile } from '../profile/profileSchema.js'
import type { ChannelKind } from './messageTypes.js'
import { toE164 } from './phoneNumber.js'
import type { ToE164Options } from './phoneNumber.js'
import { pushSubscriptionSchema } from './pushSubscription.js'

/** Options of {@link recipientOf}. */
export type RecipientOptions = ToE164Options

/** The recipient of a message, or why the customer cannot be reached on that kind of channel. */
export type RecipientResult =
  | { readonly ok: true; readonly recipient: string }
  | { readonly ok: false; readonly reason: string }

const emailSchema = z.email()

/**
 * The `Message.recipient` for a channel kind: an email address, an E.164 number, a push
 * subscription as JSON text, or the customer id (webhook, CRM). Never throws; a customer without
 * a usable address gets `ok: false` with the reason, so the caller can record why nothing was sent.
 *
 * @example
 * recipientOf('sms', profile, { defaultCallingCode: '98' }) // { ok: true, recipient: '+989123456789' }
 * recipientOf('email', { id: 'c-1', traits: {} })           // { ok: false, reason: 'customer c-1 has no email trait' }
 */
export function recipientOf(
  kind: ChannelKind,
  profile: Pick<CustomerProfile, 'id' | 'traits'>,
  options: RecipientOptions = {},
): RecipientResult {
  const who = `customer ${profile.id}`
  switch (kind) {
    case 'email': {
      const email = profile.traits['email']
      if (typeof email !== 'string' || email.trim() === '') return { ok: false, reason: `${who} has no email trait` }
      const address = email.trim()
      return emailSchema.safeParse(address).success
        ? { ok: true, recipient: address }
        : { ok: false, reason: `${who} has an invalid email trait ${JSON.stringify(address)}` }
    }
    case 'sms': {
      const phone = profile.traits['phone']
      if (typeof phone !== 'string' || phone.trim() === '') return { ok: false, reason: `${who} has no phone trait` }
      const number = toE164(phone, options)
      return number.ok
        ? { ok: true, recipient: number.e164 }
        : { ok: false, reason: `${who}: phone trait ${number.reason}` }
    }
    case 'push': {
      const trait = profile.traits['webPush']
      if (trait === undefined || trait === null)
        return { ok: false, reason: `${who} has no webPush trait (not subscribed)` }
      const subscription = pushSubscriptionSchema.safeParse(trait)
      if (!subscription.success)
        return {
          ok: false,
          reason: `${who} has an invalid webPush trait (${subscription.error.issues[0]?.message ?? 'not a push subscription'})`,
        }
      return { ok: true, recipient: JSON.stringify(subscription.data) }
    }
    case 'webhook':
    case 'crm':
      return { ok: true, recipient: profile.id }
  }
}
