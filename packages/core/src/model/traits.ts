import * as z from 'zod'
import { isoDateTimeSchema } from './envelope.js'

/**
 * The traits of an `identify` call: the Segment reserved traits
 * (https://segment.com/docs/connections/spec/identify/#traits) plus ecrm's `timezone`.
 * Lenient: every trait is optional and unknown traits are kept. {@link validateEvent} reports a
 * badly formatted email or date here as a warning, not an error, so the rest of the identify
 * still counts.
 */

/** A calendar date `YYYY-MM-DD`, or a full ISO 8601 date-time (what SDKs send for a Date). */
const dateSchema = z.union([z.iso.date(), isoDateTimeSchema], {
  error: 'expected a date as YYYY-MM-DD or an ISO 8601 date-time',
})

/** A postal address. */
export const addressSchema = z.looseObject({
  street: z.string().optional(),
  city: z.string().optional(),
  postal_code: z.string().optional(),
  state: z.string().optional(),
  /** A country name or an ISO 3166-1 code. */
  country: z.string().optional(),
})

/** The company a person works for. */
export const companySchema = z.looseObject({
  id: z.string().optional(),
  name: z.string().optional(),
  industry: z.string().optional(),
  /** Head count (Segment's name). */
  employee_count: z.int().min(0).optional(),
  /** Head count (accepted alias of `employee_count`). */
  employees: z.int().min(0).optional(),
  plan: z.string().optional(),
})

/** Identify traits. */
export const traitsSchema = z.looseObject({
  email: z.email().optional(),
  name: z.string().optional(),
  first_name: z.string().optional(),
  last_name: z.string().optional(),
  username: z.string().optional(),
  phone: z.string().optional(),
  /** `YYYY-MM-DD` (or an ISO date-time); drives birthday rules. */
  birthday: dateSchema.optional(),
  age: z.number().min(0).optional(),
  gender: z.string().optional(),
  /** When the account was created: `YYYY-MM-DD` or an ISO date-time. */
  created_at: dateSchema.optional(),
  company: companySchema.optional(),
  title: z.string().optional(),
  address: addressSchema.optional(),
  /** IANA time zone, e.g. `Europe/Paris`. */
  timezone: z.string().optional(),
  avatar: z.string().optional(),
  description: z.string().optional(),
  website: z.string().optional(),
  id: z.string().optional(),
})

/** Identify traits, inferred from {@link traitsSchema}. */
export type Traits = z.infer<typeof traitsSchema>
