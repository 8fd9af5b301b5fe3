import type { CallOptions } from './browserClientTypes.js'

type Props = Record<string, unknown>

const isObject = (value: unknown): value is Props =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

/** The parts of a `page(...)` call, however it was written. */
export interface PageArgs {
  readonly category?: string
  readonly name?: string
  readonly properties?: Props
  readonly options?: CallOptions
}

/**
 * Reads Segment's `page([category], [name], [properties], [options])`: `page()`, `page(name)`,
 * `page(name, properties)`, `page(properties)` and `page(category, name, properties, options)`.
 */
export function readPageArgs(a?: unknown, b?: unknown, c?: unknown, d?: unknown): PageArgs {
  if (isObject(a) || a === undefined || a === null) {
    return { ...(isObject(a) ? { properties: a } : {}), ...(isObject(b) ? { options: b as CallOptions } : {}) }
  }
  if (typeof b !== 'string') {
    return {
      name: String(a),
      ...(isObject(b) ? { properties: b } : {}),
      ...(isObject(c) ? { options: c as CallOptions } : {}),
    }
  }
  return {
    category: String(a),
    name: b,
    ...(isObject(c) ? { properties: c } : {}),
    ...(isObject(d) ? { options: d as CallOptions } : {}),
  }
}

/** The parts of an `identify(...)` call: `identify(userId, traits?, options?)` or `identify(traits, options?)`. */
export interface IdentifyArgs {
  readonly userId?: unknown
  readonly traits?: Props
  readonly options?: CallOptions
}

/** Reads `identify(userId?, traits?, options?)`, where the user id may be left out. */
export function readIdentifyArgs(a?: unknown, b?: unknown, c?: unknown): IdentifyArgs {
  if (isObject(a)) return { traits: a, ...(isObject(b) ? { options: b as CallOptions } : {}) }
  return {
    ...(a === undefined || a === null ? {} : { userId: a }),
    ...(isObject(b) ? { traits: b } : {}),
    ...(isObject(c) ? { options: c as CallOptions } : {}),
  }
}

/** Copies the defined fields of the call options into a core input. */
export function callFields(options: CallOptions | undefined): Props {
  if (!isObject(options)) return {}
  const fields: Props = {}
  for (const key of ['timestamp', 'context', 'integrations', 'messageId', 'anonymousId', 'userId'] as const) {
    if (options[key] !== undefined) fields[key] = options[key]
  }
  return fields
}
