import type { CallOptions } from './browserClientTypes.js'

type Props = Record<string, unknown>

const isObject = (value: unknown): value is Props =>
  typeof value === 'object' && value !== null && !Array.isArray(value)
/** The argument when it is an object, else `undefined` (the slot was left out or holds something else). */
const objectOrUndefined = <T = Props>(value: unknown): T | undefined => (isObject(value) ? (value as T) : undefined)

/** The parts of a `page(...)` call, however it was written; a part the call left out is `undefined`. */
export interface PageArgs {
  readonly category?: string | undefined
  readonly name?: string | undefined
  readonly properties?: Props | undefined
  readonly options?: CallOptions | undefined
}

/**
 * Reads Segment's `page([category], [name], [properties], [options])`: `page()`, `page(name)`,
 * `page(name, properties)`, `page(properties)` and `page(category, name, properties, options)`.
 */
export function readPageArgs(a?: unknown, b?: unknown, c?: unknown, d?: unknown): PageArgs {
  if (isObject(a) || a === undefined || a === null)
    return { properties: objectOrUndefined(a), options: objectOrUndefined(b) }
  if (typeof b !== 'string') return { name: String(a), properties: objectOrUndefined(b), options: objectOrUndefined(c) }
  return { category: String(a), name: b, properties: objectOrUndefined(c), options: objectOrUndefined(d) }
}

/** The parts of an `identify(...)` call: `identify(userId, traits?, options?)` or `identify(traits, options?)`. */
export interface IdentifyArgs {
  readonly userId?: unknown
  readonly traits?: Props | undefined
  readonly options?: CallOptions | undefined
}

/** Reads `identify(userId?, traits?, options?)`, where the user id may be left out. */
export function readIdentifyArgs(a?: unknown, b?: unknown, c?: unknown): IdentifyArgs {
  if (isObject(a)) return { traits: a, options: objectOrUndefined(b) }
  const rest = { traits: objectOrUndefined(b), options: objectOrUndefined(c) }
  // No `userId` key without a user id, so one given in the options stays.
  return a === undefined || a === null ? rest : { userId: a, ...rest }
}
