import type { ValidationIssue } from '../errors.js'
import type { EcrmEvent, EventType, JsonObject, JsonValue } from '../model/envelope.js'
import type { Identity } from './identity.js'
import { sanitize } from './sanitize.js'

/** Longest accepted ids and event names, as in the Segment envelope schema. */
export const MAX_ID_LENGTH = 200
/** Longest accepted `messageId`, as in the Segment envelope schema. */
export const MAX_MESSAGE_ID_LENGTH = 100

/** What {@link buildEvent} needs from the client. */
export interface BuildEventEnv {
  /** The time of the call as ISO-8601 text. */
  readonly nowIso: string
  readonly createId: () => string
  /** The remembered ids; in `'none'` mode it remembers none and makes no anonymousId. */
  readonly identity: Identity
  readonly library: { readonly name: string; readonly version: string }
  /** The adapter's context at call time (already called; may be undefined). */
  readonly enriched: unknown
  /**
   * The pre-check that lets plain JSON parts skip sanitize's copy (core's `isPlainJson`). Servers
   * pass it (`createCoreClient` does): without it every part is copied, a few µs per event,
   * which a browser's click rate never notices but a server's hot path does.
   */
  readonly isPlainJson?: ((value: unknown) => boolean) | undefined
}

/** The event, or why it was refused; warnings list every value that was changed or dropped. */
export type BuildEventResult =
  | { readonly ok: true; readonly event: EcrmEvent; readonly warnings: readonly ValidationIssue[] }
  | { readonly ok: false; readonly errors: readonly ValidationIssue[]; readonly warnings: readonly ValidationIssue[] }

/**
 * Turns the input of a public call (`track`, `identify`, ...) into a Segment Spec event: checks
 * it by hand (no zod, so nothing heavy ships to browsers), sanitises every free-form part, fills
 * ids, `messageId` and timestamps (once, now), and merges the context. Never throws, whatever
 * `input` is. Issues go to `errors` (the call is refused) or `warnings` (the event is kept with
 * the offending part dropped or fixed), each at the key of the input it is about.
 *
 * With `env.isPlainJson`, parts that are already plain JSON are used as they are, not copied,
 * except identify traits, which the identity keeps: the caller must serialise the event before
 * control returns to whoever made the call, and copy it before handing it to other code.
 */
export function buildEvent(type: EventType, input: unknown, env: BuildEventEnv): BuildEventResult {
  if (!isObjectLike(input)) {
    const example = type === 'track' ? "{ event: 'Order Completed' }" : "{ userId: 'user-42' }"
    const message = `expected an object like ${example}, got ${kindOf(input)}`
    return { ok: false, errors: [{ path: [], code: 'invalid_type', message }], warnings: [] }
  }
  const fields = input as Readonly<Record<string, unknown>>
  const errors: ValidationIssue[] = []
  const warnings: ValidationIssue[] = []
  /** Adds an issue at `key` to `list`; returns undefined, for a reader that gives up. */
  const report = (list: ValidationIssue[], key: string, code: string, message: string): undefined => {
    list.push({ path: [key], code, message })
  }
  /**
   * Reads an id-like string (userId, groupId, event name). A finite number is accepted as its
   * decimal text with a warning; anything else, or an empty or too long string, is an error.
   * `example` shows a good value in the messages.
   */
  const identifier = (
    key: string,
    required = false,
    example = "'user-42'",
    maxLength = MAX_ID_LENGTH,
  ): string | undefined => {
    const value = fields[key]
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
    if (id.length > maxLength)
      return report(errors, key, 'too_long', `${id.length} characters; the limit is ${maxLength}`)
    return id
  }
  /** Reads an optional field: kept when `isValid`, else dropped with a warning saying what was expected. */
  const optional = <T>(key: string, isValid: (value: unknown) => value is T, expected: string): T | undefined => {
    const value = fields[key]
    if (value === undefined || isValid(value)) return value
    return report(warnings, key, 'invalid_type', `expected ${expected}, got ${kindOf(value)}; dropped`)
  }
  const text = (key: string): string | undefined => optional(key, (value) => typeof value === 'string', 'a string')
  // Key order is the wire order: type and messageId first, then the fields of the type.
  const event: Record<string, unknown> = { type, messageId: env.createId() }
  const put = (key: string, value: unknown): void => {
    if (value !== undefined) event[key] = value
  }
  // With the pre-check, plain JSON (nearly every call) is used as it is; anything else gets sanitize's reported copy.
  const clean = (value: unknown, key: string, copy = false): JsonValue | undefined => {
    if (!copy && env.isPlainJson?.(value)) return value as JsonValue
    const result = sanitize(value, [key])
    warnings.push(...result.issues)
    return result.value
  }
  /** Reads an optional object section (properties, traits, context) and cleans it; anything else is dropped with a warning. */
  const cleanSection = (key: string, copy?: boolean): JsonObject | undefined => {
    const value = optional(key, isObjectLike, "an object like { key: 'value' }")
    return value && (clean(value, key, copy) as JsonObject | undefined)
  }

  let userId = identifier('userId', type === 'alias')
  let anonymousId = identifier('anonymousId')
  if (type === 'track') put('event', identifier('event', true, "'Order Completed'"))
  if (type === 'page' || type === 'screen') put('name', text('name'))
  if (type === 'page') put('category', text('category'))
  if (type === 'group') put('groupId', identifier('groupId', true, "'company-7'"))
  if (type === 'track' || type === 'page' || type === 'screen') put('properties', cleanSection('properties'))
  // Identify traits are kept by the identity (and shown in getState): a copy the caller cannot change.
  const traits = type === 'identify' || type === 'group' ? cleanSection('traits', type === 'identify') : undefined
  put('traits', traits)

  // `timestamp`: a Date, epoch ms or a date string; anything unreadable becomes the enqueue time.
  const given = fields['timestamp']
  // toJSON, unlike toISOString, gives null for an invalid date instead of throwing.
  let at =
    given instanceof Date || typeof given === 'number' || typeof given === 'string' ? new Date(given).toJSON() : null
  // Years 0–9999 only: other years have a different ISO shape (±YYYYYY-...) that schemas reject.
  if (at === null || !/^\d{4}-/.test(at)) {
    if (given !== undefined)
      report(
        warnings,
        'timestamp',
        'invalid_timestamp',
        'not a readable date; the enqueue time was used (pass a Date, epoch ms or ISO-8601 text)',
      )
    at = env.nowIso
  }
  put('messageId', identifier('messageId', false, "'order-o-1'", MAX_MESSAGE_ID_LENGTH))

  // Ids: the call's own, else the remembered ones (browser). Alias defaults previousId to the current id.
  const remembered = env.identity.snapshot()
  const previousId =
    type === 'alias'
      ? (identifier('previousId') ?? remembered.userId ?? anonymousId ?? remembered.anonymousId)
      : undefined
  put('previousId', previousId)
  if (errors.length === 0) {
    if (type === 'alias' && previousId === undefined) {
      report(errors, 'previousId', 'required', 'no current id to alias from; pass previousId')
    } else {
      // Nothing is remembered (or made) in 'none' mode: an event may come out with no id at all,
      // which createCoreClient, the only client with that mode, refuses (ServerExtras.checkEvent).
      userId ??= type === 'alias' ? undefined : remembered.userId
      anonymousId ??= env.identity.ensureAnonymousId()
    }
  }
  if (errors.length > 0) return { ok: false, errors, warnings }

  const enriched = isObjectLike(env.enriched) ? clean(env.enriched, 'context') : undefined
  // Object.assign skips an undefined source: a missing context adds nothing.
  const context: Record<string, JsonValue> = Object.assign({}, enriched, cleanSection('context'))
  context['library'] ??= { name: env.library.name, version: env.library.version }
  put('userId', userId)
  put('anonymousId', anonymousId)
  event['timestamp'] = at
  event['originalTimestamp'] = env.nowIso
  event['context'] = context
  put('integrations', cleanSection('integrations'))
  if (type === 'identify') env.identity.identify(userId, traits)
  return { ok: true, event: event as unknown as EcrmEvent, warnings }
}

/** True for a value that can hold properties (object, Map...), not null or an array. */
export function isObjectLike(value: unknown): value is object {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** Names a value's kind for messages, as the model's validation does: `null`, `array`, `number`, ... */
export function kindOf(value: unknown): string {
  return value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value
}
