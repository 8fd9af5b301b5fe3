import { customerProfileSchema, jsonValueSchema } from '@ecrm/core'
import * as z from 'zod'

/**
 * The read API's requests and responses as zod schemas: the handler validates requests with
 * them, and the OpenAPI document is generated from them (`readApiOpenApi`), so the two never drift.
 */

const derived = customerProfileSchema.shape

/** Any JSON value (traits, JsonLogic conditions). */
export const jsonSchema = jsonValueSchema.meta({ description: 'Any JSON value' })

/** A customer as the read API shows it: who, what they did, and everything derived about them. */
export const profileViewSchema = z.object({
  id: z.string().meta({ description: "The store's customer id" }),
  identities: derived.identities,
  traits: z.record(z.string(), jsonSchema),
  firstSeenAt: z.number().nullable().meta({ description: 'Epoch ms' }),
  lastSeenAt: z.number().nullable().meta({ description: 'Epoch ms' }),
  sessions: z.number().int().meta({ description: 'Visits counted' }),
  pageViews: derived.pageViews,
  money: derived.money.omit({ byCurrency: true }),
  eventTotals: z.record(z.string(), z.number()).meta({ description: 'All-time count per event name' }),
  rfm: derived.rfm.unwrap().nullable().meta({ description: 'RFM scores and segment; null until derived' }),
  lead: derived.lead.unwrap().nullable().meta({ description: 'Lead score, grade and reasons; null until derived' }),
  clv: derived.clv.unwrap().nullable().meta({ description: 'Predicted lifetime value; null until derived' }),
  segments: z.array(z.string()).meta({ description: 'Named segments the customer is in now, sorted' }),
  segmentsSince: z.record(z.string(), z.number()).meta({ description: 'Entry time (epoch ms) of each named segment' }),
  loyalty: derived.loyalty
    .unwrap()
    .nullable()
    .meta({ description: 'Loyalty balance and tier; null without a program' }),
})

/** `GET /v1/profiles/:id`. */
export const profileResponseSchema = z.object({ profile: profileViewSchema })

/** A segment the API lists: a named (configured) one or an RFM segment. */
export const segmentSchema = z.object({
  id: z.string().meta({ description: 'snake_case id, as in `in_segment`' }),
  kind: z.enum(['named', 'rfm']),
  name: z.string(),
  description: z.string().nullable(),
  when: jsonSchema
    .nullable()
    .meta({ description: 'The JsonLogic condition of a named segment; null for RFM segments' }),
})

/** `GET /v1/segments`. */
export const segmentListResponseSchema = z.object({ segments: z.array(segmentSchema) })

/** A customer in a list of members or a preview sample. */
export const memberSchema = z.object({
  id: z.string().meta({ description: "The store's customer id (GET /v1/profiles/{id})" }),
  userId: z.string().nullable(),
  email: z.string().nullable(),
  enteredAt: z
    .number()
    .nullable()
    .meta({ description: 'Epoch ms the customer entered a named segment; null for RFM segments and previews' }),
})

/** `GET /v1/segments/:id/members`. */
export const membersPageSchema = z.object({
  segment: z.string(),
  members: z.array(memberSchema),
  next: z.string().nullable().meta({ description: 'Cursor of the next page (pass as `after`); null on the last page' }),
})

/** The query of `GET /v1/segments/:id/members`. */
export const membersQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  after: z.string().min(1).max(2000).optional(),
})

/** An instant in a query string: an ISO 8601 date or date-time (UTC unless it says), or epoch ms. */
const instantSchema = z
  .string()
  .transform((text, context) => {
    const at = /^-?\d+$/.test(text) ? Number(text) : Date.parse(text)
    if (Number.isFinite(at)) return at
    context.addIssue({
      code: 'custom',
      message: `is not a date (got ${JSON.stringify(text)}; pass 2026-03-01, an ISO date-time or epoch ms)`,
    })
    return z.NEVER
  })
  .meta({ description: 'ISO 8601 date or date-time, or epoch ms' })

/** The query of `GET /v1/kpis`: the period `[from, to)` and optionally a segment. */
export const kpisQuerySchema = z
  .object({
    from: instantSchema,
    to: instantSchema,
    segment: z.string().min(1).max(320).optional(),
  })
  .refine((query) => query.to >= query.from, { path: ['to'], message: 'is before from (periods are [from, to))' })

/** `GET /v1/kpis`: the KPI report of `queryKpis` (every field is described in docs/kpis.md). */
export const kpisResponseSchema = z
  .looseObject({
    from: z.number().meta({ description: 'Epoch ms, inclusive' }),
    to: z.number().meta({ description: 'Epoch ms, exclusive' }),
    segment: z.string().nullable(),
    conversion: z.looseObject({}),
    aov: z.object({ orders: z.number(), revenue: z.number(), aov: z.number() }),
    repeatRate: z.object({ numerator: z.number(), denominator: z.number(), rate: z.number() }),
    churn: z.looseObject({ rate: z.number() }),
    surveys: z.looseObject({}),
    retention: z.array(z.looseObject({})),
    pAlive: z.looseObject({}),
    clv: z.looseObject({}),
    attribution: z.looseObject({}),
    salesCycle: z.looseObject({}),
  })
  .meta({ description: 'The KPIs of the period (see docs/kpis.md for each field)' })

/** `POST /v1/segments/preview`: a JsonLogic condition to count and sample over the whole base. */
export const previewRequestSchema = z
  .object({
    when: jsonSchema.meta({
      description: 'JsonLogic over the stored profile, e.g. {">=": [{"var": "money.revenue"}, 100]}',
    }),
    sample: z
      .number()
      .int()
      .min(0)
      .max(100)
      .default(10)
      .meta({ description: 'How many members to return (first by customer id)' }),
    now: z
      .number()
      .int()
      .min(0)
      .optional()
      .meta({ description: 'Evaluation time, epoch ms, for days_since, before/after and event windows; default: now' }),
    traits: z
      .record(z.string().min(1).max(256), z.enum(['number', 'text', 'boolean']))
      .optional()
      .meta({
        description: 'Types of the traits the condition reads; dotted names are nested (company.employee_count)',
      }),
  })
  .strict()

/** The answer to a preview. */
export const previewResponseSchema = z.object({
  count: z.number().int(),
  sample: z.array(memberSchema),
  now: z.number(),
})

/** One problem of a refused request, located by its path. */
export const issueSchema = z.object({
  path: z.array(z.union([z.string(), z.number()])),
  message: z.string(),
  code: z.string(),
})

/** Every refusal: a stable code, a sentence, and where it applies the issues. */
export const errorBodySchema = z.object({
  error: z.object({ code: z.string(), message: z.string(), issues: z.array(issueSchema).optional() }),
})

/** The schemas named in the OpenAPI document's components. */
export const readApiComponents = {
  Profile: profileViewSchema,
  ProfileResponse: profileResponseSchema,
  Segment: segmentSchema,
  SegmentList: segmentListResponseSchema,
  Member: memberSchema,
  MembersPage: membersPageSchema,
  PreviewRequest: previewRequestSchema,
  PreviewResponse: previewResponseSchema,
  KpisResponse: kpisResponseSchema,
  Issue: issueSchema,
  Error: errorBodySchema,
} as const
