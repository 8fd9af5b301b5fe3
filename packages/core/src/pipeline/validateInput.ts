import type { ValidationIssue } from '../errors.js'
import type { Path } from './sanitize.js'

/**
 * Cheap hand checks for the public methods (no zod, so nothing heavy ships to browsers). Each
 * check pushes issues into the caller's lists: `errors` refuse the call, `warnings` keep the
 * event with the offending part dropped or fixed.
 */
export interface InputChecks {
  readonly errors: ValidationIssue[]
  readonly warnings: ValidationIssue[]
}

/** Longest accepted ids and names, as in the Segment envelope schema. */
export const INPUT_LIMITS = { idLength: 200, eventLength: 200, messageIdLength: 100 } as const

/** True for a value that can hold properties (object, Map...), not null or an array. */
export function isObjectLike(value: unknown): value is object {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/**
 * Reads a required or optional id-like string (userId, groupId, event name). Finite numbers are
 * accepted as their decimal text with a warning; anything else, or an empty or too long string,
 * is an error.
 */
export function readIdentifier(
  checks: InputChecks,
  value: unknown,
  path: Path,
  options: { readonly required: boolean; readonly maxLength: number; readonly example: string },
): string | undefined {
  if (value === undefined || value === null) {
    if (options.required) {
      checks.errors.push({ path: [...path], code: 'required', message: `required; pass a non-empty string, e.g. ${options.example}` })
    }
    return undefined
  }
  let text: string
  if (typeof value === 'string') text = value
  else if (typeof value === 'number' && Number.isFinite(value)) {
    text = String(value)
    checks.warnings.push({ path: [...path], code: 'number_to_string', message: `the number ${text} was converted to a string` })
  } else {
    checks.errors.push({ path: [...path], code: 'invalid_type', message: `expected a string, got ${kindOf(value)}` })
    return undefined
  }
  if (text.trim() === '') {
    checks.errors.push({ path: [...path], code: 'empty', message: `must not be empty; pass e.g. ${options.example}` })
    return undefined
  }
  if (text.length > options.maxLength) {
    checks.errors.push({ path: [...path], code: 'too_long', message: `${text.length} characters; the limit is ${options.maxLength}` })
    return undefined
  }
  return text
}

/** Reads an optional free-text field (page name, category); a non-string is dropped with a warning. */
export function readOptionalText(checks: InputChecks, value: unknown, path: Path): string | undefined {
  if (value === undefined) return undefined
  if (typeof value === 'string') return value
  checks.warnings.push({ path: [...path], code: 'invalid_type', message: `expected a string, got ${kindOf(value)}; dropped` })
  return undefined
}

/** Reads an optional object section (properties, traits, context); anything else is dropped with a warning. */
export function readSection(checks: InputChecks, value: unknown, path: Path): object | undefined {
  if (value === undefined) return undefined
  if (isObjectLike(value)) return value
  checks.warnings.push({
    path: [...path],
    code: 'invalid_type',
    message: `expected an object like { key: 'value' }, got ${kindOf(value)}; dropped`,
  })
  return undefined
}

/**
 * Reads `timestamp` (Date, epoch ms or a date string) as an ISO string; an unreadable one is
 * replaced by `fallback` with a warning.
 */
export function readTimestamp(checks: InputChecks, value: unknown, fallback: string): string {
  if (value === undefined) return fallback
  const time =
    value instanceof Date ? value.getTime() : typeof value === 'number' ? value : typeof value === 'string' ? Date.parse(value) : Number.NaN
  // Years 0–9999 only: the ISO form of other years has a different shape that schemas reject.
  if (Number.isFinite(time) && time >= -62_167_219_200_000 && time <= 253_402_300_799_999) return new Date(time).toISOString()
  checks.warnings.push({
    path: ['timestamp'],
    code: 'invalid_timestamp',
    message: `${kindOf(value)} is not a readable date; the enqueue time was used (pass a Date, epoch ms or an ISO-8601 string)`,
  })
  return fallback
}

/** Names a value's kind for messages: `null`, `an array`, `a number`, ... */
export function kindOf(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  const type = typeof value
  return type === 'object' || type === 'undefined' ? type : `a ${type}`
}
