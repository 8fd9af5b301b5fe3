import * as z from 'zod'
import { duration, localTime, scheduleSchema, sendStepSchema, timeZoneSchema } from '../rules/ruleSchema.js'

/**
 * The zod schema of a journey (JSON a marketer's tool can store and edit): a trigger, steps that
 * point at each other by id, exit events, a re-entry policy and a goal. The step graph (unknown
 * targets, cycles without a wait) is checked by {@link compileJourney}, which runs this schema.
 */

/** The target that ends the journey instead of naming a step. */
export const END_STEP = 'end'

const eventName = z.string().min(1, 'expected an event name such as "Order Completed"')

/** JsonLogic over `{ event, profile }` (or `{ profile, trigger, events }` in a branch); compiled later. */
const condition = z.unknown()

const stepId = z
  .string()
  .regex(/^[a-z][a-z0-9_]*$/, 'expected a snake_case step id such as "first_email"')
  .refine((id) => id !== END_STEP, `"${END_STEP}" is reserved: it is the target that ends the journey`)

/** A step to go to: a step id, or `"end"`. */
const target = z.string().min(1, 'expected a step id, or "end"')

/** An event to match: its name and an optional JsonLogic condition on `{ event, profile }`. */
const eventMatch = z.strictObject({ event: eventName, where: condition.optional() })

/** An event that ends (exit) or converts (goal) an instance. */
const keyedMatch = eventMatch.extend({
  /**
   * With the journey's `key`: only an event whose property of that name equals the instance's key
   * counts (the `Order Completed` of *this* cart). @default true
   */
  matchKey: z.boolean().optional(),
})

const trigger = z.union(
  [
    eventMatch,
    z.strictObject({ segmentEntered: z.string().min(1, 'expected a segment id such as "at_risk"') }),
    z.strictObject({ schedule: scheduleSchema }),
  ],
  'expected { "event": ... }, { "segmentEntered": ... } or { "schedule": ... }',
)

const base = { id: stepId, next: target.optional() }

const waitStep = z
  .strictObject({
    ...base,
    type: z.literal('wait'),
    /** Waits this long. */
    duration: duration.optional(),
    /** Waits until the customer's local clock next reads `HH:MM`. */
    until: localTime.optional(),
    /** Waits for this event (keyed like exits), at most `timeout`. */
    for: keyedMatch.optional(),
    timeout: duration.optional(),
    /** Where a timed-out `for` wait goes. @default `next` */
    onTimeout: target.optional(),
  })
  .superRefine((step, context) => {
    const kinds = [step.duration, step.until, step.for].filter((value) => value !== undefined).length
    if (kinds !== 1)
      context.addIssue({
        code: 'custom',
        path: ['duration'],
        message: 'give exactly one of "duration", "until" or "for"',
      })
    if (step.for !== undefined && step.timeout === undefined)
      context.addIssue({ code: 'custom', path: ['timeout'], message: 'a wait "for" an event needs a "timeout"' })
    if (step.for === undefined && (step.timeout !== undefined || step.onTimeout !== undefined))
      context.addIssue({
        code: 'custom',
        path: ['timeout'],
        message: '"timeout" and "onTimeout" belong to a wait "for" an event',
      })
  })

const branchStep = z.strictObject({
  id: stepId,
  type: z.literal('branch'),
  /** JsonLogic over `{ profile, trigger, events }`. */
  if: condition,
  then: target,
  /** @default "end" */
  else: target.optional(),
})

const sendStep = sendStepSchema.extend({ ...base, type: z.literal('send') })

const setTraitStep = z.strictObject({
  ...base,
  type: z.literal('set_trait'),
  trait: z.string().min(1, 'expected a trait name such as "cart_reminded"'),
  value: z.unknown(),
})

const setConsentStep = z.strictObject({
  ...base,
  type: z.literal('set_consent'),
  /** A consent category, e.g. `"marketing.sms"`. */
  category: z.string().min(1, 'expected a consent category such as "marketing.email"'),
  granted: z.boolean(),
})

const callStep = z.strictObject({
  ...base,
  type: z.literal('call'),
  /** A destination's name in the server config, e.g. `"hubspot"`. */
  destination: z.string().min(1, 'expected a configured destination name such as "hubspot"'),
  /** The event the destination receives. @default "Journey Step" */
  event: eventName.optional(),
  properties: z.record(z.string(), z.unknown()).optional(),
})

const step = z.discriminatedUnion(
  'type',
  [waitStep, branchStep, sendStep, setTraitStep, setConsentStep, callStep],
  'expected a step "type": wait, branch, send, set_trait, set_consent or call',
)

const reentry = z.union(
  [
    z.enum(['never', 'always'], 'expected "never", "always" or { "afterDays": N }'),
    z.strictObject({ afterDays: z.number().positive() }),
  ],
  'expected "never", "always" or { "afterDays": N }',
)

/** Schema of {@link JourneyDefinition}. */
export const journeySchema = z.strictObject({
  /** snake_case id; part of every instance and message id. */
  id: z.string().regex(/^[a-z][a-z0-9_]*$/, 'expected a snake_case id such as "cart_recovery"'),
  description: z.string().optional(),
  trigger,
  /**
   * A property of the trigger event that names one instance (`"cart_id"`): waits, exits and the
   * goal then match only events with the same value, and each value runs its own instance.
   */
  key: z.string().min(1).optional(),
  /** The first step is where an instance starts; a step without `next` goes to the following one. */
  steps: z.array(step).min(1, 'expected at least one step'),
  exit: z.array(keyedMatch).optional(),
  /** Whether a customer may enter again after an entry. @default "never" */
  reentry: reentry.optional(),
  /** Counts an instance as converted when this event comes within `within` of its entry. */
  goal: keyedMatch.extend({ within: duration }).optional(),
  /** Zone for local times when the profile has none. @default "UTC" */
  timeZone: timeZoneSchema.optional(),
})

/** A journey as stored and edited: JSON only. */
export type JourneyDefinition = z.infer<typeof journeySchema>
/** One step of a journey. */
export type JourneyStep = z.infer<typeof step>
/** What starts a journey. */
export type JourneyTrigger = z.infer<typeof trigger>
/** An exit or goal event. */
export type JourneyEventMatch = z.infer<typeof keyedMatch>
