import type { ValidationIssue } from '../errors.js'
import type { EcrmEvent, EventType, JsonObject, JsonValue } from '../model/envelope.js'
import type { Identity } from './identity.js'
import { isPlainJson } from './plainJson.js'
import { sanitize } from './sanitize.js'
import { MAX_MESSAGE_ID_LENGTH, isObjectLike, kindOf, readInput } from './validateInput.js'

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
  if (!isObjectLike(input)) {
    const example = type === 'track' ? "{ event: 'Order Completed' }" : "{ userId: 'user-42' }"
    const message = `expected an object like ${example}, got ${kindOf(input)}`
    return { ok: false, errors: [{ path: [], code: 'invalid_type', message }], warnings: [] }
  }
  const errors: ValidationIssue[] = []
  const warnings: ValidationIssue[] = []
  const { report, identifier, text, section, timestamp } = readInput(input as Record<string, unknown>, errors, warnings)
  // Key order is the wire order: type and messageId first, then the fields of the type.
  const event: Record<string, unknown> = { type, messageId: env.createId() }
  const put = (key: string, value: unknown): void => {
    if (value !== undefined) event[key] = value
  }
  // Plain JSON (nearly every call) is used as it is; anything else gets sanitize's reported copy.
  const clean = (value: unknown, key: string, copy = false): JsonValue | undefined => {
    if (!copy && isPlainJson(value)) return value as JsonValue
    const result = sanitize(value, [key])
    warnings.push(...result.issues)
    return result.value
  }
  const cleanSection = (key: string, copy?: boolean): JsonObject | undefined => {
    const value = section(key)
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

  const nowIso = env.nowIso ?? new Date(env.now).toISOString()
  const at = timestamp(nowIso)
  put('messageId', identifier('messageId', false, "'order-o-1'", MAX_MESSAGE_ID_LENGTH))

  // Ids: the call's own, else the remembered ones (browser). Alias defaults previousId to the current id.
  const remembered = env.identity.snapshot()
  const previousId = type === 'alias' ? identifier('previousId') ?? remembered.userId ?? anonymousId ?? remembered.anonymousId : undefined
  put('previousId', previousId)
  if (errors.length === 0) {
    if (type === 'alias' && previousId === undefined) {
      report(errors, 'previousId', 'required', 'no current id to alias from; pass previousId')
    } else {
      if (env.identityMode === 'persisted') {
        userId ??= type === 'alias' ? undefined : remembered.userId
        anonymousId ??= env.identity.ensureAnonymousId()
      }
      if (userId === undefined && anonymousId === undefined) {
        report(errors, 'userId', 'missing_identity', 'an event needs a userId or an anonymousId; this client keeps no identity, so pass one with each call')
      }
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
  event['originalTimestamp'] = nowIso
  event['context'] = context
  put('integrations', cleanSection('integrations'))
  if (type === 'identify') env.identity.identify(userId, traits)
  return { ok: true, event: event as unknown as EcrmEvent, warnings }
}
