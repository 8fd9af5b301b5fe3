import type { ValidationIssue } from '../errors.js'

/**
 * Cheap hand checks of one public call's input (no zod, so nothing heavy ships to browsers).
 * Each reader takes a key of the input and records its issues at that key.
 */
export interface InputReader {
  /** Adds an issue at `key` to `list`; returns undefined, for a reader that gives up. */
  readonly report: (list: ValidationIssue[], key: string, code: string, message: string) => undefined
  /**
   * Reads an id-like string (userId, groupId, event name). A finite number is accepted as its
   * decimal text with a warning; anything else, or an empty or too long string, is an error.
   * `example` shows a good value in the messages.
   */
  readonly identifier: (key: string, required?: boolean, example?: string, maxLength?: number) => string | undefined
  /** Reads an optional free-text field (page name, category); a non-string is dropped with a warning. */
  readonly text: (key: string) => string | undefined
  /** Reads an optional object section (properties, traits, context); anything else is dropped with a warning. */
  readonly section: (key: string) => object | undefined
  /**
   * Reads `timestamp` (Date, epoch ms or a date string) as an ISO string; an unreadable one is
   * replaced by `fallback` with a warning.
   */
  readonly timestamp: (fallback: string) => string
}

/** Longest accepted ids and event names, as in the Segment envelope schema. */
export const MAX_ID_LENGTH = 200
/** Longest accepted `messageId`, as in the Segment envelope schema. */
export const MAX_MESSAGE_ID_LENGTH = 100

/**
 * Creates the {@link InputReader} of one call's input. Issues go to `errors` (the call is
 * refused) or `warnings` (the event is kept with the offending part dropped or fixed).
 */
export function readInput(input: Readonly<Record<string, unknown>>, errors: ValidationIssue[], warnings: ValidationIssue[]): InputReader {
  const report = (list: ValidationIssue[], key: string, code: string, message: string): undefined => {
    list.push({ path: [key], code, message })
  }
  /** An optional field: kept when `isValid`, else dropped with a warning saying what was expected. */
  const optional = <T>(key: string, isValid: (value: unknown) => value is T, expected: string): T | undefined => {
    const value = input[key]
    if (value === undefined || isValid(value)) return value
    return report(warnings, key, 'invalid_type', `expected ${expected}, got ${kindOf(value)}; dropped`)
  }
  return {
    report,
    identifier(key, required = false, example = "'user-42'", maxLength = MAX_ID_LENGTH) {
      const value = input[key]
      if (value === undefined || value === null) {
        return required ? report(errors, key, 'required', `required; pass a string like ${example}`) : undefined
      }
      let id = value
      if (typeof value === 'number' && Number.isFinite(value)) {
        id = String(value)
        report(warnings, key, 'number_to_string', `the number ${id} became a string`)
      }
      if (typeof id !== 'string') return report(errors, key, 'invalid_type', `expected a string, got ${kindOf(value)}`)
      if (id.trim() === '') return report(errors, key, 'empty', `must not be empty; pass e.g. ${example}`)
      if (id.length > maxLength) return report(errors, key, 'too_long', `${id.length} characters; the limit is ${maxLength}`)
      return id
    },
    text: (key) => optional(key, (value) => typeof value === 'string', 'a string'),
    section: (key) => optional(key, isObjectLike, "an object like { key: 'value' }"),
    timestamp(fallback) {
      const value = input['timestamp']
      if (value === undefined) return fallback
      // toJSON, unlike toISOString, gives null for an invalid date instead of throwing.
      const iso = value instanceof Date || typeof value === 'number' || typeof value === 'string' ? new Date(value).toJSON() : null
      // Years 0–9999 only: other years have a different ISO shape (±YYYYYY-...) that schemas reject.
      if (iso !== null && /^\d{4}-/.test(iso)) return iso
      report(warnings, 'timestamp', 'invalid_timestamp', 'not a readable date; the enqueue time was used (pass a Date, epoch ms or ISO-8601 text)')
      return fallback
    },
  }
}

/** True for a value that can hold properties (object, Map...), not null or an array. */
export function isObjectLike(value: unknown): value is object {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** Names a value's kind for messages, as the model's validation does: `null`, `array`, `number`, ... */
export function kindOf(value: unknown): string {
  return value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value
}
