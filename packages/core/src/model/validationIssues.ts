import type { z } from 'zod'
import type { ValidationIssue } from '../errors.js'

type RawIssue = Parameters<z.core.$ZodErrorMap>[0]

/** Names a received value in a message: `NaN`, `the string "19.99"`, `an array`. */
function describeInput(input: unknown): string {
  if (input === null) return 'null'
  if (Array.isArray(input)) return 'an array'
  switch (typeof input) {
    case 'string':
      return `the string ${JSON.stringify(input.length > 40 ? `${input.slice(0, 40)}…` : input)}`
    case 'number':
      return Number.isFinite(input) ? `the number ${input}` : String(input)
    case 'object':
      return 'an object'
    default:
      return `a ${typeof input}`
  }
}

function describeBound(issue: RawIssue & { code: 'too_big' | 'too_small' }): string {
  const atMost = issue.code === 'too_big'
  const bound = String(issue.code === 'too_big' ? issue.maximum : issue.minimum)
  const relation = issue.inclusive === false ? (atMost ? 'below' : 'above') : atMost ? 'at most' : 'at least'
  const input: unknown = issue.input
  if (typeof input === 'string') return `must have ${relation} ${bound} characters, has ${input.length}`
  if (Array.isArray(input)) return `must have ${relation} ${bound} items, has ${input.length}`
  return `must be ${relation} ${bound}, got ${describeInput(input)}`
}

/**
 * The messages ecrm gives zod issues: what was expected and what came instead, in plain words.
 * Pass as `schema.safeParse(value, { error: ecrmErrorMap })`. Schema-level messages win.
 */
export function ecrmErrorMap(issue: RawIssue): string | undefined {
  switch (issue.code) {
    case 'invalid_type':
      return issue.input === undefined
        ? `required: expected ${issue.expected}`
        : `expected ${issue.expected}, got ${describeInput(issue.input)}`
    case 'too_big':
    case 'too_small':
      return describeBound(issue)
    case 'invalid_union': {
      // A discriminated union names its options; say them, and what came instead.
      const { options, discriminator } = issue as { options?: unknown; discriminator?: unknown }
      if (!Array.isArray(options) || options.length === 0) return undefined
      const expected = `one of ${options.map((option) => JSON.stringify(option)).join(', ')}`
      // The issue's input is the whole object; the value that failed is its discriminator.
      const input: unknown =
        typeof discriminator === 'string' && typeof issue.input === 'object' && issue.input !== null
          ? (issue.input as Record<string, unknown>)[discriminator]
          : issue.input
      return input === undefined
        ? `required: expected ${expected}`
        : `expected ${expected}, got ${describeInput(input)}`
    }
    case 'invalid_format':
      if (issue.format === 'email') return 'not a valid email address'
      if (issue.format === 'date') return 'expected a calendar date as YYYY-MM-DD'
      if (issue.format === 'datetime') {
        return 'expected an ISO 8601 date-time with a timezone, e.g. 2026-01-31T12:00:00.000Z'
      }
      return undefined
    default:
      return undefined
  }
}

/** Keeps the string and number parts of a zod path (symbols cannot occur in JSON). */
function toPath(path: readonly PropertyKey[]): (string | number)[] {
  return path.filter((part): part is string | number => typeof part !== 'symbol')
}

/**
 * Turns a zod error into ecrm's {@link ValidationIssue}s: full path, message, and zod's issue code.
 * A failed union is reported once, at its path, not once per branch.
 *
 * @example
 * const result = productSchema.safeParse(input, { error: ecrmErrorMap })
 * if (!result.success) throw new EcrmValidationError('bad product', toValidationIssues(result.error))
 */
export function toValidationIssues(error: z.ZodError, prefix: readonly (string | number)[] = []): ValidationIssue[] {
  return error.issues.map((issue) => ({
    path: [...prefix, ...toPath(issue.path)],
    message: issue.message,
    code: issue.code,
  }))
}
