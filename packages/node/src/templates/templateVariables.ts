import * as z from 'zod'
import { customerProfileSchema } from '@ecrm/core'

const firingSchema = z.object({
  id: z.string(),
  ruleId: z.string(),
  customerId: z.string(),
  at: z.number(),
  event: z.object({ event: z.string(), properties: z.record(z.string(), z.unknown()) }),
})

/**
 * What a template may refer to, as zod schemas: a path is checked against these at load, so a
 * misspelt variable fails then rather than rendering as a blank in a sent mail.
 */
export const templateVariablesSchema = z.object({
  profile: customerProfileSchema,
  firing: firingSchema,
  offer: z.object({ code: z.string() }),
  message: z.object({ id: z.string(), template: z.string(), locale: z.string() }),
})

// Liquid's own properties of arrays and strings.
const SIZE_LIKE = new Set(['size', 'first', 'last'])

/**
 * Whether `segments` name something `schema` can hold. Free-form parts (traits, properties,
 * records) accept any key: their keys are data, not the template's vocabulary.
 */
export function isKnownPath(schema: z.ZodType, segments: readonly (string | number)[]): boolean {
  let current: z.ZodType = schema
  for (const segment of segments) {
    while (current instanceof z.ZodNullable || current instanceof z.ZodOptional || current instanceof z.ZodDefault)
      current = current.unwrap() as z.ZodType
    if (current instanceof z.ZodObject) {
      const next = (current.shape as Record<string, z.ZodType>)[String(segment)]
      if (next === undefined) return false
      current = next
    } else if (current instanceof z.ZodArray) {
      if (typeof segment === 'string' && SIZE_LIKE.has(segment)) return true
      if (typeof segment !== 'number') return false
      current = current.element as z.ZodType
    } else if (current instanceof z.ZodString) {
      return typeof segment === 'string' && SIZE_LIKE.has(segment)
    } else if (current instanceof z.ZodNumber || current instanceof z.ZodBoolean || current instanceof z.ZodLiteral) {
      return false
    } else {
      return true
    }
  }
  return true
}
