import * as z from 'zod'
import { jsonObjectSchema } from '../model/envelope.js'

/**
 * The customer profile as plain JSON data, so it can live in localStorage, IndexedDB or a
 * PostgreSQL `jsonb` column unchanged. Times are epoch ms; money is in major units of the order's
 * currency (27.5 means 27.50 EUR).
 *
 * The reducer imports only the inferred types, so zod stays out of the browser bundle; use
 * {@link customerProfileSchema} where a stored profile crosses a trust boundary.
 */

const countsSchema = z.record(z.string(), z.number())

/** One visit: a `context.sessionId`, or (`key: null`) events no more than 30 minutes apart. */
export const sessionSpanSchema = z.object({
  key: z.string().nullable(),
  startAt: z.number(),
  endAt: z.number(),
  events: z.number().int().nonnegative(),
})

/** One order, joined from Order Completed / Order Refunded / Order Cancelled events. */
export const orderRecordSchema = z.object({
  id: z.string(),
  /** Epoch ms of Order Completed; null while only a refund or cancellation was seen. */
  completedAt: z.number().nullable(),
  /** Order total in major units of `currency`; null until Order Completed is seen. */
  total: z.number().nullable(),
  currency: z.string().nullable(),
  /** Sum of refunds with an amount, major units. */
  refunded: z.number(),
  /** An Order Refunded without an amount was seen: the whole total is refunded. */
  fullyRefunded: z.boolean(),
  cancelledAt: z.number().nullable(),
})

/** Order totals of one currency. */
export const currencyTotalsSchema = z.object({
  orders: z.number().int().nonnegative(),
  gross: z.number(),
  refunds: z.number(),
})

/** A campaign touch (first or last), from `context.campaign`. */
export const touchSchema = z.object({
  at: z.number(),
  source: z.string().nullable(),
  medium: z.string().nullable(),
  name: z.string().nullable(),
})

/** A Survey Responded answer. */
export const surveyAnswerSchema = z.object({
  kind: z.enum(['nps', 'csat']),
  score: z.number(),
  at: z.number(),
  surveyId: z.string().nullable(),
})

/** One day of one event name: count `c` and sums `s` of its numeric top-level properties. */
export const dayBucketSchema = z.object({ c: z.number().int().nonnegative(), s: countsSchema })

/** A recent track or page event, kept for decaying scores (lead scoring). */
export const activityEntrySchema = z.object({
  id: z.string(),
  name: z.string(),
  at: z.number(),
  props: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])),
})

/** RFM scores of a stored profile, against the base's cut points (or the fixed recency edges). */
export const profileRfmSchema = z.object({
  r: z.number().int().min(1).max(10),
  f: z.number().int().min(1).max(10),
  m: z.number().int().min(1).max(10),
  /** snake_case id of the R × F segment, e.g. `champions`, `at_risk`. */
  segment: z.string(),
  /** How the base was scored: quantiles of the base, or the configured fixed edges. */
  method: z.enum(['quantile', 'fixed']),
  /** Epoch ms scored at. */
  at: z.number(),
})

/** One line of a stored lead score's explanation. */
export const profileLeadReasonSchema = z.object({ id: z.string(), label: z.string(), points: z.number() })

/** The lead score of a stored profile, by the configured lead model. */
export const profileLeadSchema = z.object({
  score: z.number(),
  /** Letter and level together, e.g. `A1`. */
  grade: z.string(),
  /** Fit letter, `A` (best) … `D`. */
  letter: z.string(),
  /** Engagement level, 1 (best) … 3. */
  level: z.number().int(),
  /** `lead`, `mql` or `sql`. */
  stage: z.string(),
  /** The five reasons with the most points (by absolute value). */
  reasons: z.array(profileLeadReasonSchema),
  at: z.number(),
})

/** Predicted lifetime value of a stored profile: BG/NBD + Gamma-Gamma fitted on the base. */
export const profileClvSchema = z.object({
  /** P(alive) at `at`. */
  pAlive: z.number(),
  /** Expected repeat purchases within `horizonDays`. */
  expectedPurchases: z.number(),
  horizonDays: z.number(),
  /** Discounted value of those purchases, major units of `currency`. */
  value: z.number(),
  currency: z.string().nullable(),
  at: z.number(),
})

/** Loyalty standing of a stored profile, by the configured program. */
export const profileLoyaltySchema = z.object({ balance: z.number(), tier: z.string().nullable(), at: z.number() })

/**
 * What was sent to a customer on one channel kind and how they answered: counts of the message
 * events (`Message Sent`, `Message Delivered`, ... `Email Opened`, `Email Link Clicked`,
 * `Unsubscribed`). Opens and clicks count the first of each message (and link), as stored.
 */
export const messageCountsSchema = z.object({
  sent: z.number().int().nonnegative(),
  delivered: z.number().int().nonnegative(),
  bounced: z.number().int().nonnegative(),
  failed: z.number().int().nonnegative(),
  suppressed: z.number().int().nonnegative(),
  opened: z.number().int().nonnegative(),
  clicked: z.number().int().nonnegative(),
  unsubscribed: z.number().int().nonnegative(),
  /** Epoch ms of the latest `Message Sent`. */
  lastSentAt: z.number().nullable(),
  lastOpenedAt: z.number().nullable(),
  lastClickedAt: z.number().nullable(),
})

/** Schema of a stored {@link CustomerProfile}. */
export const customerProfileSchema = z.object({
  version: z.literal(1),
  id: z.string().min(1),
  identities: z.object({
    userIds: z.array(z.string()),
    anonymousIds: z.array(z.string()),
    emails: z.array(z.string()),
    groupIds: z.array(z.string()),
  }),
  traits: jsonObjectSchema,
  /** Epoch ms at which each trait was last set; a late event never overwrites a newer value. */
  traitTimes: countsSchema,
  firstSeenAt: z.number().nullable(),
  lastSeenAt: z.number().nullable(),
  sessions: z.object({
    count: z.number().int().nonnegative(),
    /** Sessions dropped from `recent` by the cap, still counted in `count`. */
    archived: z.number().int().nonnegative(),
    recent: z.array(sessionSpanSchema),
  }),
  pageViews: z.number().int().nonnegative(),
  orders: z.object({
    recent: z.array(orderRecordSchema),
    /** Totals of orders dropped from `recent` by the cap, by currency. */
    archived: z.record(z.string(), currencyTotalsSchema),
    /** Earliest completion among archived orders. */
    archivedFirstAt: z.number().nullable(),
  }),
  money: z.object({
    /** The currency with the most orders; the fields below are in it. */
    currency: z.string().nullable(),
    orderCount: z.number().int().nonnegative(),
    grossRevenue: z.number(),
    refunds: z.number(),
    /** Gross minus refunds. */
    revenue: z.number(),
    /** Average order value: gross revenue / completed orders; 0 without orders. */
    aov: z.number(),
    cancelledCount: z.number().int().nonnegative(),
    firstOrderAt: z.number().nullable(),
    lastOrderAt: z.number().nullable(),
    byCurrency: z.record(z.string(), currencyTotalsSchema),
  }),
  products: z.object({ viewed: countsSchema, bought: countsSchema }),
  categories: z.object({ viewed: countsSchema, bought: countsSchema }),
  campaigns: z.object({
    firstTouch: touchSchema.nullable(),
    lastTouch: touchSchema.nullable(),
    /** Events per `source / medium`. */
    channels: countsSchema,
    /** Events per campaign name. */
    names: countsSchema,
  }),
  consent: z.object({
    categories: z.record(z.string(), z.object({ granted: z.boolean(), at: z.number() })),
    gpc: z.object({ value: z.boolean(), at: z.number() }).nullable(),
  }),
  surveys: z.object({
    nps: surveyAnswerSchema.nullable(),
    csat: surveyAnswerSchema.nullable(),
    recent: z.array(surveyAnswerSchema),
  }),
  events: z.object({
    /** All-time count per event name (`$page`, `$screen`, `$identify`, ... for non-track calls). */
    totals: countsSchema,
    /** Per event name, per UTC day number (`floor(epochMs / 86400000)`), a {@link dayBucketSchema}. */
    days: z.record(z.string(), z.record(z.string(), dayBucketSchema)),
  }),
  activity: z.array(activityEntrySchema),
  /**
   * Messages sent and answered, per channel kind (`email`, `sms`, `push`, ...); absent until the
   * first message event. Message lifecycle events are counted here only, never as activity.
   */
  messages: z.record(z.string(), messageCountsSchema).optional(),
  /** Recent messageIds, newest last, for idempotency. */
  seenMessageIds: z.array(z.string()),
  /** Events ignored because they carried no usable timestamp. */
  skipped: z.number().int().nonnegative(),
  // Derived by the store (absent until it derives them): see docs/profiles.md.
  rfm: profileRfmSchema.optional(),
  lead: profileLeadSchema.optional(),
  clv: profileClvSchema.optional(),
  /** Ids of the named (configured) segments the customer is in now, sorted. */
  segments: z.array(z.string()).optional(),
  /** Entry time (epoch ms) of each id in `segments`. */
  segmentsSince: z.record(z.string(), z.number()).optional(),
  loyalty: profileLoyaltySchema.optional(),
})

/** A customer profile: identities, traits, sessions, orders, products, campaigns, consent... */
export type CustomerProfile = z.infer<typeof customerProfileSchema>
/** One visit in {@link CustomerProfile.sessions}. */
export type SessionSpan = z.infer<typeof sessionSpanSchema>
/** One order in {@link CustomerProfile.orders}. */
export type OrderRecord = z.infer<typeof orderRecordSchema>
/** Orders, gross revenue and refunds of one currency. */
export type CurrencyTotals = z.infer<typeof currencyTotalsSchema>
/** A first or last campaign touch. */
export type Touch = z.infer<typeof touchSchema>
/** A survey answer (NPS 0–10 or CSAT 1–5). */
export type SurveyAnswer = z.infer<typeof surveyAnswerSchema>
/** One day of one event name. */
export type DayBucket = z.infer<typeof dayBucketSchema>
/** A recent event kept for scoring. */
export type ActivityEntry = z.infer<typeof activityEntrySchema>
/** Message counts of one channel kind in {@link CustomerProfile.messages}. */
export type MessageCounts = z.infer<typeof messageCountsSchema>
/** RFM scores stored on a profile. */
export type ProfileRfm = z.infer<typeof profileRfmSchema>
/** A lead score stored on a profile. */
export type ProfileLead = z.infer<typeof profileLeadSchema>
/** A predicted lifetime value stored on a profile. */
export type ProfileClv = z.infer<typeof profileClvSchema>
/** A loyalty standing stored on a profile. */
export type ProfileLoyalty = z.infer<typeof profileLoyaltySchema>
