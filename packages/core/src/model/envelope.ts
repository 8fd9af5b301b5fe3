import * as z from 'zod'
import { jsonValueSchema } from './jsonValue.js'

/**
 * The Segment Spec envelope (https://segment.com/docs/connections/spec/common/), which any
 * Segment-compatible backend accepts unchanged. Types are inferred from these schemas.
 *
 * The browser client imports only the types from this module, so zod does not ship to browsers.
 */

/** A JSON value as it travels on the wire. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue }

/** A JSON object (properties, traits, context sections). */
export type JsonObject = { [key: string]: JsonValue }

// A walker, not a recursive union: a union reports "Invalid input" at the top of the object,
// the walker names the exact path of the NaN, function or cycle (see jsonValue.ts).
const jsonValue: z.ZodType<JsonValue> = jsonValueSchema

/** Schema of a JSON object with any keys. */
export const jsonObjectSchema: z.ZodType<JsonObject> = z.record(z.string(), jsonValue)

/**
 * ISO-8601 date-time with a timezone (`2026-11-23T14:00:00.000Z`), in the range a PostgreSQL
 * `timestamptz` takes: years 0001–9999 (PostgreSQL has no year 0) and UTC offsets up to ±15:59
 * (real zones span −12:00 to +14:00; PostgreSQL refuses ±16:00 and beyond).
 */
export const isoDateTimeSchema = z.iso.datetime({ offset: true }).check((ctx) => {
  const problem = storableDateTimeProblem(ctx.value)
  if (problem !== undefined) ctx.issues.push({ code: 'custom', input: ctx.value, message: problem })
})

/** Why a date-time zod accepted is outside what a store can keep, if it is. */
function storableDateTimeProblem(value: string): string | undefined {
  if (value.startsWith('0000')) return 'year 0000 does not exist in PostgreSQL (years 0001 to 9999 are kept)'
  const offsetHours = /[+-](\d{2}):\d{2}$/.exec(value)?.[1]
  if (offsetHours !== undefined && Number(offsetHours) > 15) {
    return `the UTC offset ${value.slice(-6)} is beyond ±15:59, the most PostgreSQL accepts (real zones span -12:00 to +14:00)`
  }
  return undefined
}

/** Campaign (UTM) and click ids of a visit. */
export const campaignSchema = z.looseObject({
  name: z.string().optional(),
  source: z.string().optional(),
  medium: z.string().optional(),
  term: z.string().optional(),
  content: z.string().optional(),
  gclid: z.string().optional(),
  fbclid: z.string().optional(),
  msclkid: z.string().optional(),
})

/** The page an event happened on. */
export const pageContextSchema = z.looseObject({
  path: z.string().optional(),
  referrer: z.string().optional(),
  search: z.string().optional(),
  title: z.string().optional(),
  url: z.string().optional(),
})

/** Consent categories granted (`true`), denied (`false`) or not yet decided (absent). */
export const consentSchema = z.looseObject({
  categories: z.record(z.string(), z.boolean()).optional(),
  gpc: z.boolean().optional(),
})

/** Where and how an event was captured. Unknown keys are kept. */
export const contextSchema = z.looseObject({
  library: z.looseObject({ name: z.string(), version: z.string() }).optional(),
  page: pageContextSchema.optional(),
  campaign: campaignSchema.optional(),
  locale: z.string().optional(),
  timezone: z.string().optional(),
  userAgent: z.string().optional(),
  ip: z.string().optional(),
  consent: consentSchema.optional(),
  sessionId: z.string().optional(),
  /**
   * Identity verification: HMAC-SHA256 of `userId` (hex) made by the shop's server with the
   * collector's identity secret (`signUserId` in @ecrm/node). The collector checks it and does
   * not store it.
   */
  userHash: z.string().optional(),
})

const common = {
  messageId: z.string().min(1).max(100),
  anonymousId: z.string().min(1).max(200).optional(),
  userId: z.string().min(1).max(200).optional(),
  timestamp: isoDateTimeSchema.optional(),
  originalTimestamp: isoDateTimeSchema.optional(),
  sentAt: isoDateTimeSchema.optional(),
  receivedAt: isoDateTimeSchema.optional(),
  context: contextSchema.optional(),
  integrations: z.record(z.string(), z.union([z.boolean(), jsonObjectSchema])).optional(),
}

/** `track`: a customer did something. */
export const trackEventSchema = z.looseObject({
  ...common,
  type: z.literal('track'),
  event: z.string().min(1).max(200),
  properties: jsonObjectSchema.optional(),
})

/** `identify`: who the customer is, and their traits. */
export const identifyEventSchema = z.looseObject({
  ...common,
  type: z.literal('identify'),
  traits: jsonObjectSchema.optional(),
})

/** `page`: a web page view. */
export const pageEventSchema = z.looseObject({
  ...common,
  type: z.literal('page'),
  name: z.string().optional(),
  category: z.string().optional(),
  properties: jsonObjectSchema.optional(),
})

/** `screen`: an app screen view. */
export const screenEventSchema = z.looseObject({
  ...common,
  type: z.literal('screen'),
  name: z.string().optional(),
  properties: jsonObjectSchema.optional(),
})

/** `group`: the customer belongs to an account or company. */
export const groupEventSchema = z.looseObject({
  ...common,
  type: z.literal('group'),
  groupId: z.string().min(1),
  traits: jsonObjectSchema.optional(),
})

/** `alias`: two user ids are the same person. */
export const aliasEventSchema = z.looseObject({
  ...common,
  type: z.literal('alias'),
  previousId: z.string().min(1),
})

/** Any Segment Spec event. Every event needs a `userId` or an `anonymousId`. */
export const eventSchema = z
  .discriminatedUnion('type', [
    trackEventSchema,
    identifyEventSchema,
    pageEventSchema,
    screenEventSchema,
    groupEventSchema,
    aliasEventSchema,
  ])
  .check((ctx) => {
    if (ctx.value.userId === undefined && ctx.value.anonymousId === undefined) {
      ctx.issues.push({
        code: 'custom',
        input: ctx.value,
        path: ['userId'],
        message: 'an event needs a userId or an anonymousId',
      })
    }
  })

/** The Segment `/v1/batch` body. */
export const batchSchema = z.looseObject({
  batch: z.array(z.unknown()).min(1),
  sentAt: isoDateTimeSchema.optional(),
  writeKey: z.string().optional(),
})

/** Event context: library, page, campaign, locale, timezone, user agent, consent. */
export type EventContext = z.infer<typeof contextSchema>
/** Campaign (UTM) parameters and click ids. */
export type Campaign = z.infer<typeof campaignSchema>
/** A `track` event. */
export type TrackEvent = z.infer<typeof trackEventSchema>
/** An `identify` event. */
export type IdentifyEvent = z.infer<typeof identifyEventSchema>
/** A `page` event. */
export type PageEvent = z.infer<typeof pageEventSchema>
/** A `screen` event. */
export type ScreenEvent = z.infer<typeof screenEventSchema>
/** A `group` event. */
export type GroupEvent = z.infer<typeof groupEventSchema>
/** An `alias` event. */
export type AliasEvent = z.infer<typeof aliasEventSchema>
/** Any Segment Spec event. */
export type EcrmEvent = z.infer<typeof eventSchema>
/** The event types. */
export type EventType = EcrmEvent['type']
