/**
 * The value semantics of JsonLogic (https://jsonlogic.com/truthy.html, https://jsonlogic.com/operations.html):
 * truthiness, loose equality, ordering and the number coercions of the arithmetic operators. They
 * follow JavaScript's own rules on purpose, because that is what the reference implementation and
 * the official test suite define; the SQL compiler mirrors exactly these functions or refuses.
 */

/**
 * Tells whether a value counts as true in JsonLogic: JavaScript truthiness, except that an empty
 * array is false.
 */
export function isTruthy(value: unknown): boolean {
  if (Array.isArray(value)) return value.length > 0
  return Boolean(value)
}

/** Tells whether a value is a plain (non-array, non-null) object. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** Tells whether a rule node is an operation: an object with exactly one key. */
export function isOperationNode(value: unknown): value is Record<string, unknown> {
  if (!isPlainObject(value)) return false
  let count = 0
  for (const key in value) {
    if (Object.hasOwn(value, key)) count += 1
    if (count > 1) return false
  }
  return count === 1
}

/** JavaScript's `==`, which JsonLogic's `==` and `!=` are defined by. */
export function looseEquals(a: unknown, b: unknown): boolean {
  // biome-ignore lint/suspicious/noDoubleEquals: JsonLogic's `==` is JavaScript's loose equality by definition.
  return a == b
}

/** JavaScript's `<` with its coercions (numbers, or strings compared by code unit). */
export function lessThan(a: unknown, b: unknown): boolean {
  return (a as number) < (b as number)
}

/** JavaScript's `<=` with its coercions. */
export function lessOrEqual(a: unknown, b: unknown): boolean {
  return (a as number) <= (b as number)
}

/**
 * JavaScript's unary `+` (Number()), as the arithmetic operators coerce their operands. (json-logic-js
 * uses parseFloat for `+` and `*`; the official suite does not tell them apart, and Number() agrees
 * with `-`, `/`, the newer community suites and SQL's numeric casts.)
 */
export function toNumber(value: unknown): number {
  // Number() throws on symbols and some exotic objects; JSON data has neither, but never throw.
  try {
    return Number(value)
  } catch {
    return Number.NaN
  }
}

/** String() that never throws, for `cat`, `substr` and `var` paths. */
export function toText(value: unknown): string {
  try {
    return String(value)
  } catch {
    return ''
  }
}

/** Path segments that would reach an object's prototype; `var` refuses to follow them. */
export const unsafeSegments: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype'])

/**
 * Reads a dot path (`"customer.address.city"`, `"items.0"`) from data, following own properties
 * only; returns `fallback` when any step is missing or would leave the data (prototype keys).
 */
export function readPath(data: unknown, segments: readonly string[], fallback: unknown): unknown {
  let current: unknown = data
  for (const segment of segments) {
    if (current === null || current === undefined) return fallback
    if (unsafeSegments.has(segment)) return fallback
    if (typeof current !== 'object' && typeof current !== 'string') return fallback
    if (!Object.hasOwn(current as object, segment)) return fallback
    current = (current as Record<string, unknown>)[segment]
    if (current === undefined) return fallback
  }
  return current
}

/** Splits a `var` key into path segments; numbers index arrays, `""` and `null` mean the data itself. */
export function splitPath(key: unknown): readonly string[] {
  if (key === null || key === undefined || key === '') return []
  return toText(key).split('.')
}
