import type { z } from 'zod'
import type { ValidationIssue } from '../errors.js'
import { batchSchema, eventSchema } from './envelope.js'
import type { EcrmEvent } from './envelope.js'
import { findJsonProblems } from './jsonValue.js'
import { isKnownEventName, knownEventSchemas, suggestEventName } from './knownEvents.js'
import { traitsSchema } from './traits.js'
import { ecrmErrorMap, toValidationIssues } from './validationIssues.js'

/** What {@link validateEvent} returns: the parsed event and its warnings, or what is wrong. */
export type EventValidation =
  | { readonly ok: true; readonly event: EcrmEvent; readonly warnings: ValidationIssue[] }
  | { readonly ok: false; readonly issues: ValidationIssue[] }

/** What {@link validateBatch} returns. Issue paths are full: `['batch', 3, 'properties', 'price']`. */
export interface BatchValidation {
  /** The valid events, by their index in `batch`. */
  readonly events: { readonly index: number; readonly event: EcrmEvent; readonly warnings: ValidationIssue[] }[]
  /** The invalid events, by their index in `batch`. */
  readonly invalid: { readonly index: number; readonly issues: ValidationIssue[] }[]
  /** Problems with the body itself (not an object, no `batch` array); then nothing else is checked. */
  readonly issues: ValidationIssue[]
}

const pathKey = (path: readonly (string | number)[]): string => JSON.stringify(path)

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

function parseIssues(schema: z.ZodType, value: unknown, prefix: readonly (string | number)[]): ValidationIssue[] {
  const result = schema.safeParse(value, { error: ecrmErrorMap })
  return result.success ? [] : toValidationIssues(result.error, prefix)
}

/** The issues of the schema for this event's name or traits, and the warnings. */
function checkDetail(value: Record<string, unknown>): { issues: ValidationIssue[]; warnings: ValidationIssue[] } {
  const warnings: ValidationIssue[] = []
  if (value['type'] === 'track' && typeof value['event'] === 'string') {
    const name = value['event']
    const properties = value['properties'] ?? {}
    if (isKnownEventName(name)) {
      return {
        issues: isPlainObject(properties) ? parseIssues(knownEventSchemas[name], properties, ['properties']) : [],
        warnings,
      }
    }
    const suggestion = suggestEventName(name)
    if (suggestion !== undefined) {
      warnings.push({
        path: ['event'],
        code: 'unknown_event_name',
        message: `"${name}" is not a known event name; did you mean "${suggestion}"? (names are case-sensitive)`,
      })
    }
  }
  if (value['type'] === 'identify' && isPlainObject(value['traits'])) {
    // A badly formatted email or birthday should not cost the whole identify: warn instead.
    const issues: ValidationIssue[] = []
    for (const issue of parseIssues(traitsSchema, value['traits'], ['traits'])) {
      const isFormat = issue.code === 'invalid_format' || issue.code === 'invalid_union'
      ;(isFormat ? warnings : issues).push(issue)
    }
    return { issues, warnings }
  }
  return { issues: [], warnings }
}

function validate(value: unknown): EventValidation {
  const envelope = eventSchema.safeParse(value, { error: ecrmErrorMap })
  const detail = isPlainObject(value) ? checkDetail(value) : { issues: [], warnings: [] }
  // The properties schema names a wrong type more precisely than the envelope's JSON check does
  // ("expected number, got NaN" over "not a JSON value: NaN"), so at the same path it wins.
  const detailed = new Set(detail.issues.map((issue) => pathKey(issue.path)))
  // The whole event, unknown keys and every string included: a NUL or half an emoji anywhere
  // would fail the store's insert, and with it every other event of the batch.
  const unstorable = findJsonProblems(value).filter((problem) => !detailed.has(pathKey(problem.path)))
  for (const problem of unstorable) detailed.add(pathKey(problem.path))
  const envelopeIssues = envelope.success ? [] : toValidationIssues(envelope.error)
  const issues = [
    ...envelopeIssues.filter((issue) => !detailed.has(pathKey(issue.path))),
    ...unstorable,
    ...detail.issues,
  ]
  if (issues.length > 0 || !envelope.success) return { ok: false, issues }
  return { ok: true, event: envelope.data, warnings: detail.warnings }
}

/**
 * Validates one event at a trust boundary: the Segment envelope first, then, for a `track` with a
 * known name, its properties ({@link knownEventSchemas}), and for an `identify`, its traits.
 * Never throws, whatever `value` is. Issues carry full paths
 * (`['properties', 'products', 0, 'price']`) and say what was expected and what came.
 *
 * The whole event is also walked for what a store cannot keep: a NUL character or half of a
 * surrogate pair in any string or key (code `nul_character`, `unpaired_surrogate`), a value
 * JSON cannot carry, nesting deeper than 64 levels; date-times must be in years 0001–9999 with
 * offsets up to ±15:59. Not checked here: the 32 KB size limit and clock skew (the pipeline and
 * ingest handle those).
 *
 * @example
 * const result = validateEvent(JSON.parse(text))
 * if (!result.ok) return badRequest(result.issues)
 * store(result.event)
 */
export function validateEvent(value: unknown): EventValidation {
  try {
    return validate(value)
  } catch {
    // Only an exotic input (a Proxy, a throwing getter) can get here; JSON never does.
    return {
      ok: false,
      issues: [{ path: [], code: 'unreadable', message: 'the value could not be read (send plain JSON)' }],
    }
  }
}

/**
 * Validates a Segment `/v1/batch` body `{ batch: [...], sentAt?, writeKey? }` event by event: one
 * bad event does not reject the others. A `messageId` seen earlier in the same batch is a warning
 * (the backend dedupes it).
 *
 * @example
 * const { events, invalid, issues } = validateBatch(body)
 * if (issues.length > 0) return badRequest(issues)
 * await store(events.map(({ event }) => event))
 */
export function validateBatch(body: unknown): BatchValidation {
  const envelope = batchSchema.safeParse(body, { error: ecrmErrorMap })
  if (!envelope.success) return { events: [], invalid: [], issues: toValidationIssues(envelope.error) }
  const events: BatchValidation['events'] = []
  const invalid: BatchValidation['invalid'] = []
  const seen = new Set<string>()
  envelope.data.batch.forEach((item, index) => {
    const result = validateEvent(item)
    const located = (issue: ValidationIssue): ValidationIssue => ({ ...issue, path: ['batch', index, ...issue.path] })
    if (!result.ok) {
      invalid.push({ index, issues: result.issues.map(located) })
      return
    }
    const warnings = result.warnings.map(located)
    if (seen.has(result.event.messageId)) {
      warnings.push({
        path: ['batch', index, 'messageId'],
        code: 'duplicate_message_id',
        message: 'this messageId already occurs earlier in the batch',
      })
    }
    seen.add(result.event.messageId)
    events.push({ index, event: result.event, warnings })
  })
  return { events, invalid, issues: [] }
}
