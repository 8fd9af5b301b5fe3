import type { ValidationIssue } from '../errors.js'
import type { EcrmEvent, EventContext, EventType, JsonObject, JsonValue } from '../model/envelope.js'
import type { Identity } from './identity.js'
import { isPlainJson } from './plainJson.js'
import { sanitize } from './sanitize.js'
import type { Path } from './sanitize.js'
import {
  INPUT_LIMITS,
  isObjectLike,
  kindOf,
  readIdentifier,
  readOptionalText,
  readSection,
  readTimestamp,
} from './validateInput.js'
import type { InputChecks } from './validateInput.js'

/** What {@link buildEvent} needs from the client. */
export interface BuildEventEnv {
  readonly now: number
  /** `now` as ISO-8601 text, when the caller has it (the client caches it per millisecond). */
  readonly nowIso?: string
  readonly createId: () => string
  readonly identity: Identity
  readonly identityMode: 'persisted' | 'none'
  readonly library: { readonly name: string; readonly version: string }
  /** The adapter's context at call time (already called; may be undefined). */
  readonly enriched: unknown
}

/** The event, or why it was refused; warnings list every value that was changed or dropped. */
export type BuildEventResult =
  | { readonly ok: true; readonly event: EcrmEvent; readonly warnings: readonly ValidationIssue[] }
  | { readonly ok: false; readonly errors: readonly ValidationIssue[]; readonly warnings: readonly ValidationIssue[] }

/**
 * Turns the input of a public call (`track`, `identify`, ...) into a Segment Spec event: checks
 * it by hand, sanitises every free-form part, fills ids, `messageId` and timestamps (once, now),
 * and merges the context. Never throws, whatever `input` is.
 *
 * Parts that are already plain JSON ({@link isPlainJson}) are used as they are, not copied,
 * except identify traits, which the identity keeps: the caller must serialise the event before
 * control returns to whoever made the call, and copy it before handing it to other code.
 */
export function buildEvent(type: EventType, input: unknown, env: BuildEventEnv): BuildEventResult {
  const checks: InputChecks = { errors: [], warnings: [] }
  if (!isObjectLike(input)) {
    const example = type === 'track' ? "{ event: 'Order Completed', properties: { total: 42 } }" : '{ userId: ... }'
    checks.errors.push({ path: [], code: 'invalid_type', message: `expected an object like ${example}, got ${kindOf(input)}` })
    return { ok: false, errors: checks.errors, warnings: checks.warnings }
  }
  const raw = input as Record<string, unknown>
  // Plain JSON (nearly every call) is used as it is; anything else gets sanitize's reported copy.
  const clean = (value: unknown, path: Path, copy = false): JsonValue | undefined => {
    if (!copy && isPlainJson(value)) return value as JsonValue
    const result = sanitize(value, path)
    checks.warnings.push(...result.issues)
    return result.value
  }
  const section = (key: string, copy?: boolean): JsonObject | undefined => {
    const value = readSection(checks, raw[key], [key])
    return value === undefined ? undefined : (clean(value, [key], copy) as JsonObject | undefined)
  }

  const idOptions = { required: false, maxLength: INPUT_LIMITS.idLength, example: "'user-42'" }
  let userId = readIdentifier(checks, raw['userId'], ['userId'], { ...idOptions, required: type === 'alias' })
  let anonymousId = readIdentifier(checks, raw['anonymousId'], ['anonymousId'], idOptions)
  const fields: Record<string, JsonValue> = {}
  if (type === 'track') {
    const event = readIdentifier(checks, raw['event'], ['event'], {
      required: true,
      maxLength: INPUT_LIMITS.eventLength,
      example: "'Order Completed'",
    })
    if (event !== undefined) fields['event'] = event
  }
  if (type === 'page' || type === 'screen') {
    const name = readOptionalText(checks, raw['name'], ['name'])
    if (name !== undefined) fields['name'] = name
  }
  if (type === 'page') {
    const category = readOptionalText(checks, raw['category'], ['category'])
    if (category !== undefined) fields['category'] = category
  }
  if (type === 'group') {
    const groupId = readIdentifier(checks, raw['groupId'], ['groupId'], { ...idOptions, required: true, example: "'company-7'" })
    if (groupId !== undefined) fields['groupId'] = groupId
  }
  const properties = type === 'track' || type === 'page' || type === 'screen' ? section('properties') : undefined
  // Identify traits are kept by the identity (and shown in getState): a copy the caller cannot change.
  const traits = type === 'identify' || type === 'group' ? section('traits', type === 'identify') : undefined
  if (properties !== undefined) fields['properties'] = properties
  if (traits !== undefined) fields['traits'] = traits

  const nowIso = env.nowIso ?? new Date(env.now).toISOString()
  const timestamp = readTimestamp(checks, raw['timestamp'], nowIso)
  let messageId = env.createId()
  if (raw['messageId'] !== undefined) {
    const given = readIdentifier(checks, raw['messageId'], ['messageId'], {
      required: false,
      maxLength: INPUT_LIMITS.messageIdLength,
      example: "'order-o-1'",
    })
    if (given !== undefined) messageId = given
  }

  // Ids: the call's own, else the remembered ones (browser). Alias defaults previousId to the current id.
  const remembered = env.identity.snapshot()
  if (type === 'alias') {
    const previousId = readIdentifier(checks, raw['previousId'], ['previousId'], idOptions) ?? remembered.userId ?? anonymousId ?? remembered.anonymousId
    if (previousId === undefined && checks.errors.length === 0) {
      checks.errors.push({ path: ['previousId'], code: 'required', message: 'there is no current id to alias from; pass previousId' })
    }
    if (previousId !== undefined) fields['previousId'] = previousId
  }
  if (env.identityMode === 'persisted' && checks.errors.length === 0) {
    userId ??= type === 'alias' ? undefined : remembered.userId
    anonymousId ??= env.identity.ensureAnonymousId()
  }
  if (userId === undefined && anonymousId === undefined && checks.errors.length === 0) {
    checks.errors.push({
      path: ['userId'],
      code: 'missing_identity',
      message: 'an event needs a userId or an anonymousId; this client keeps no identity, so pass one with each call',
    })
  }
  if (checks.errors.length > 0) return { ok: false, errors: checks.errors, warnings: checks.warnings }

  const context: Record<string, JsonValue> = {}
  if (isObjectLike(env.enriched)) Object.assign(context, clean(env.enriched, ['context']) as JsonObject)
  const ownContext = section('context')
  if (ownContext !== undefined) Object.assign(context, ownContext)
  context['library'] ??= { name: env.library.name, version: env.library.version }
  const integrations = section('integrations')

  const event: Record<string, JsonValue> = { type, messageId, ...fields }
  if (userId !== undefined) event['userId'] = userId
  if (anonymousId !== undefined) event['anonymousId'] = anonymousId
  event['timestamp'] = timestamp
  event['originalTimestamp'] = nowIso
  event['context'] = context as JsonObject & EventContext
  if (integrations !== undefined) event['integrations'] = integrations
  if (type === 'identify') env.identity.identify(userId, traits)
  return { ok: true, event: event as unknown as EcrmEvent, warnings: checks.warnings }
}
