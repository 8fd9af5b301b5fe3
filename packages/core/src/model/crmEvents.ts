import * as z from 'zod'
import { currencySchema, moneySchema, productListSchema } from './commerce.js'
import { jsonObjectSchema } from './envelope.js'
import { ERASURE_EVENT_NAME } from './erasure.js'

/**
 * Properties of the CRM events ecrm adds to the Segment spec (see DESIGN.md, "Event model"):
 * leads, email engagement, surveys, privacy requests, experiments and rule firings.
 */

/** `Lead Captured`: a form was submitted. A lead needs an `email` or a `phone`. */
export const leadCapturedSchema = z
  .looseObject({
    form_id: z.string().min(1).optional(),
    email: z.email().optional(),
    phone: z.string().min(1).optional(),
    /** The other form fields, by name. */
    fields: jsonObjectSchema.optional(),
  })
  .check((ctx) => {
    if (ctx.value.email === undefined && ctx.value.phone === undefined) {
      ctx.issues.push({
        code: 'custom',
        input: ctx.value,
        path: ['email'],
        message: 'a lead needs an email or a phone',
      })
    }
  })

const emailFields = {
  campaign_id: z.string().min(1).optional(),
  email_id: z.string().min(1),
}

/** `Email Opened`: `email_id` required; `campaign_id` when the email belongs to a campaign. */
export const emailOpenedSchema = z.looseObject(emailFields)
/** `Email Clicked`: `email_id` and the clicked `url` required. */
export const emailClickedSchema = z.looseObject({ ...emailFields, url: z.string().min(1) })
/**
 * `Email Link Clicked` (Segment's email spec name, what ecrm's click redirect records): the same
 * fields as `Email Clicked`.
 */
export const emailLinkClickedSchema = emailClickedSchema

const surveyFields = { survey_id: z.string().min(1), comment: z.string().optional() }

/**
 * `Survey Responded`: an NPS answer (`type: 'nps'`, integer score 0–10) or a CSAT answer
 * (`type: 'csat'`, integer score 1–5). Other survey types are refused.
 */
export const surveyRespondedSchema = z.discriminatedUnion('type', [
  z.looseObject({ ...surveyFields, type: z.literal('nps'), score: z.int().min(0).max(10) }),
  z.looseObject({ ...surveyFields, type: z.literal('csat'), score: z.int().min(1).max(5) }),
])

/** `Data Erasure Requested`: the person (the event's user) asks to be forgotten (GDPR Art. 17). */
export const dataErasureRequestedSchema = z.looseObject({
  reason: z.string().optional(),
  email: z.email().optional(),
})

/** `Experiment Viewed`: an exposure; ids as GrowthBook and Segment send them. */
export const experimentViewedSchema = z.looseObject({
  experiment_id: z.string().min(1),
  variation_id: z.union([z.string().min(1), z.int().min(0)]),
  experiment_name: z.string().optional(),
  variation_name: z.string().optional(),
})

/** `Cart Abandoned`: emitted by the cart-abandonment rule. */
export const cartAbandonedSchema = z.looseObject({
  rule_id: z.string().min(1).optional(),
  cart_id: z.string().optional(),
  products: productListSchema.optional(),
  /** Value of the cart, in major currency units. */
  value: moneySchema.optional(),
  currency: currencySchema.optional(),
})

/** `Rule Fired`: a rule's action ran for this customer. */
export const ruleFiredSchema = z.looseObject({
  rule_id: z.string().min(1),
  rule_name: z.string().optional(),
})

/** The CRM event names and the schema of each one's properties. */
export const crmEventSchemas = {
  'Lead Captured': leadCapturedSchema,
  'Email Opened': emailOpenedSchema,
  'Email Clicked': emailClickedSchema,
  'Email Link Clicked': emailLinkClickedSchema,
  'Survey Responded': surveyRespondedSchema,
  [ERASURE_EVENT_NAME]: dataErasureRequestedSchema,
  'Experiment Viewed': experimentViewedSchema,
  'Cart Abandoned': cartAbandonedSchema,
  'Rule Fired': ruleFiredSchema,
} as const

/** Properties of Lead Captured. */
export type LeadCapturedProperties = z.infer<typeof leadCapturedSchema>
/** Properties of Survey Responded. */
export type SurveyRespondedProperties = z.infer<typeof surveyRespondedSchema>
/** Properties of Experiment Viewed. */
export type ExperimentViewedProperties = z.infer<typeof experimentViewedSchema>
