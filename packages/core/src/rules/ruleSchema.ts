import * as z from 'zod'
import { parseDuration } from '../logic/duration.js'
import { isValidTimeZone } from '../logic/timeZone.js'

/**
 * The zod schema of a rule definition (JSON a marketer's tool can store and edit). Types are
 * inferred from it. Only {@link defineRule} runs it; the rule engine imports the types alone, so
 * zod does not ship to browsers that receive rules defined (validated) elsewhere.
 */

/** A positive duration (`"1h"`, `"7d"`, ms); shared with the message policy's caps. */
export const duration = z.union([z.string(), z.number()]).refine((value) => {
  const ms = parseDuration(value)
  return ms !== null && ms > 0
}, 'expected a positive duration such as "1h", "30m", "7d", "1w" or a number of ms')

/** A local time `"HH:MM"` (24 h); shared with the message policy's quiet hours. */
export const localTime = z
  .string()
  .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected a local time "HH:MM" (24 h), e.g. "09:00"')

const eventName = z.string().min(1, 'expected an event name such as "Order Completed"')

/** JsonLogic condition; its operators are checked by compiling it (see defineRule). */
const condition = z.unknown()

/** A property value `where` compares with (strict equality). */
const propertyValue = z.union([z.string(), z.number(), z.boolean(), z.null()])

/**
 * An event to match: its name, or its name with `where` (properties that must equal these values,
 * e.g. `{ segment_id: 'at_risk' }`) and a JsonLogic condition on `{ event, profile }`.
 */
const eventMatch = z.union([
  eventName,
  z.strictObject({ event: eventName, where: z.record(z.string(), propertyValue).optional(), if: condition.optional() }),
])

/** When a rule (or a journey) runs on its own clock instead of on an event. Times are in the customer's zone. */
export const scheduleSchema = z.union([
  z.strictObject({ daily: localTime }),
  z.strictObject({
    birthday: z.string().min(1).describe('path of the birth date in the profile, e.g. "traits.birthday"'),
    at: localTime.optional(),
    /** The calendar the date recurs in: its Gregorian or its Persian (Jalali) month and day. @default "gregorian" */
    calendar: z.enum(['gregorian', 'persian'], 'expected "gregorian" or "persian"').optional(),
  }),
  z.strictObject({
    inactiveDays: z.number().int().positive(),
    /** Path of the last activity's time in the profile. @default "money.lastOrderAt" */
    field: z.string().min(1).optional(),
    at: localTime.optional(),
  }),
])

const quietHours = z.strictObject({ start: localTime, end: localTime })

/** An IANA zone name; shared with journeys. */
export const timeZoneSchema = z.string().refine(isValidTimeZone, 'expected an IANA time zone such as "Europe/Paris"')

/** A message a firing (or a journey's send step) sends: a configured channel, a template, why it is sent. */
export const sendStepSchema = z.strictObject({
  /** A channel's name in the server config, e.g. "email". */
  channel: z.string().min(1, 'expected a configured channel name such as "email"'),
  /** A template's name in the templates folder (file name without extension). */
  template: z.string().min(1, 'expected a template name such as "welcome"'),
  /** @default "marketing" (consent, caps and quiet hours apply) */
  category: z.enum(['transactional', 'marketing'], 'expected "transactional" or "marketing"').optional(),
  /** Campaign name for reports and link tracking. @default the rule id */
  campaign: z.string().min(1).optional(),
})

/** What a firing does. */
const action = z.strictObject({
  /** The tracked event's name. @default "Rule Fired" */
  event: eventName.optional(),
  /** Extra properties of the tracked event (JSON). */
  properties: z.record(z.string(), z.unknown()).optional(),
  /** Messages to send, in order (step i is the message id's suffix). Sent by the server only. */
  send: z.array(sendStepSchema).optional(),
})

/** Schema of {@link RuleDefinition}. */
export const ruleDefinitionSchema = z
  .strictObject({
    /** snake_case id; handlers listen on `rule:<id>`. */
    id: z.string().regex(/^[a-z][a-z0-9_]*$/, 'expected a snake_case id such as "cart_abandoned"'),
    description: z.string().optional(),
    when: eventMatch.optional(),
    if: condition.optional(),
    unless: eventMatch.optional(),
    within: duration.optional(),
    schedule: scheduleSchema.optional(),
    cooldown: duration.optional(),
    maxFirings: z.number().int().positive().optional(),
    quietHours: quietHours.optional(),
    /** Zone for schedules and quiet hours when the profile has none. @default "UTC" */
    timeZone: timeZoneSchema.optional(),
    then: action.optional(),
  })
  .superRefine((rule, context) => {
    if ((rule.when === undefined) === (rule.schedule === undefined)) {
      context.addIssue({
        code: 'custom',
        path: ['when'],
        message: 'give exactly one of "when" (an event) or "schedule"',
      })
    }
    if (rule.unless !== undefined && rule.within === undefined) {
      context.addIssue({
        code: 'custom',
        path: ['within'],
        message: '"unless" needs "within", the window the event must stay absent',
      })
    }
    if (rule.schedule !== undefined && (rule.unless !== undefined || rule.within !== undefined)) {
      context.addIssue({
        code: 'custom',
        path: ['schedule'],
        message: 'a scheduled rule cannot have "unless" or "within"',
      })
    }
  })

/** A rule as stored and edited: JSON only. */
export type RuleDefinition = z.infer<typeof ruleDefinitionSchema>
/** An event to match: a name or `{ event, if }`. */
export type RuleEventMatch = z.infer<typeof eventMatch>
/** A rule's schedule. */
export type RuleSchedule = z.infer<typeof scheduleSchema>
/** Quiet hours, local `HH:MM` start and end (the end may be on the next day). */
export type QuietHours = z.infer<typeof quietHours>
/** What a firing does. */
export type RuleAction = z.infer<typeof action>
/** A message a firing sends. */
export type RuleSendStep = z.infer<typeof sendStepSchema>
