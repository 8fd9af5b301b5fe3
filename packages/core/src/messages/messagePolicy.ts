/**
 * The message policy a shop sets once: consent mode, frequency caps and quiet hours for marketing
 * messages, and whether Global Privacy Control counts as an opt-out.
 */
import * as z from 'zod'
import { duration, localTime } from '../rules/ruleSchema.js'
import { isValidTimeZone } from '../logic/timeZone.js'

const capSchema = z.strictObject({
  /** A local calendar `day`, ISO `week` (from Monday) or `month` in the customer's zone, or a rolling duration (`"36h"`, ms). */
  per: z.union([z.enum(['day', 'week', 'month']), duration]),
  /** Most marketing messages in one window. */
  max: z.number().int().positive(),
  /** Only messages of this channel kind; without it the cap holds for each kind separately. */
  kind: z
    .enum(['email', 'sms', 'push', 'webhook', 'crm'], 'expected a channel kind: email, sms, push, webhook or crm')
    .optional(),
})

/** Schema of a {@link MessagePolicy} (what `messages` in the server config holds besides channels). */
export const messagePolicySchema = z.strictObject({
  /** `opt-in`: marketing needs `marketing` or `marketing.<kind>` granted; `opt-out`: sent unless denied. */
  consent: z.enum(['opt-in', 'opt-out'], 'expected "opt-in" or "opt-out"').default('opt-in'),
  /** Frequency caps over the customer's marketing messages per channel kind. */
  caps: z.array(capSchema).default([]),
  /** Local hours (customer's zone) in which marketing waits, e.g. `{ start: '21:00', end: '08:00' }`. */
  quietHours: z.strictObject({ start: localTime, end: localTime }).optional(),
  /** A customer's Global Privacy Control signal suppresses marketing. @default true */
  respectGpc: z.boolean().default(true),
  /** The zone for customers whose own is unknown. @default "UTC" */
  timeZone: z.string().refine(isValidTimeZone, 'expected an IANA time zone such as "Europe/Paris"').optional(),
})

/** A validated message policy (defaults applied). */
export type MessagePolicy = z.output<typeof messagePolicySchema>
/** A message policy as written in config (defaults optional). */
export type MessagePolicyInput = z.input<typeof messagePolicySchema>
/** One frequency cap. */
export type FrequencyCap = MessagePolicy['caps'][number]
