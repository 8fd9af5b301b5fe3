import type { ValidationIssue } from '../errors.js'
import type { JsonValue } from '../model/envelope.js'

/** A location inside an input, e.g. `['properties', 'items', 0]`. */
export type Path = readonly (string | number)[]

/** What {@link sanitize} returns: the JSON-safe value and one warning per change. */
export interface SanitizeResult {
  /** The JSON-safe copy; `undefined` when the whole value was dropped. */
  readonly value: JsonValue | undefined
  /** One issue per change, naming the path. At most {@link MAX_SANITIZE_ISSUES}. */
  readonly issues: readonly ValidationIssue[]
}

/** Options of {@link sanitize}. */
export interface SanitizeOptions {
  /** Nesting deeper than this is cut (replaced by `null`). @default 32 */
  readonly maxDepth?: number
}

/** Warnings past this count are summarised in one last issue, so a huge bad array stays cheap. */
export const MAX_SANITIZE_ISSUES = 100

/** Keys that can rewrite prototypes when a backend merges the object naively; sanitize drops them. */
export const UNSAFE_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype'])

/**
 * Copies any value into one JSON can carry, never throwing. `undefined`, functions and symbols
 * are dropped (`null` inside arrays, to keep positions), BigInt becomes a string, NaN/±Infinity
 * `null`, cycles `"[Circular]"`, Dates ISO strings, Map/Set an object/array, class instances
 * their own enumerable properties, and `__proto__`/`constructor`/`prototype` keys go.
 * Each change is reported as a warning naming its path.
 *
 * Shared (non-cyclic) references are copied at each place they occur.
 *
 * @example
 * sanitize({ price: NaN, at: new Date(0) }, ['properties'])
 * // value: { price: null, at: '1970-01-01T00:00:00.000Z' }, two issues at properties.price / properties.at
 */
export function sanitize(value: unknown, path: Path = [], options: SanitizeOptions = {}): SanitizeResult {
  const maxDepth = options.maxDepth ?? 32
  const issues: ValidationIssue[] = []
  let overflow = 0
  const warn = (at: Path, code: string, message: string): void => {
    if (issues.length < MAX_SANITIZE_ISSUES) issues.push({ path: [...at], code, message })
    else overflow += 1
  }
  const ancestors: object[] = []

  const visit = (input: unknown, at: Path, inArray: boolean): JsonValue | undefined => {
    const dropped = (code: string, message: string): JsonValue | undefined => {
      warn(at, code, inArray ? `${message}; replaced by null to keep array positions` : `${message}; dropped`)
      return inArray ? null : undefined
    }
    switch (typeof input) {
      case 'string':
      case 'boolean':
        return input
      case 'number':
        // -0 is written "0" by JSON anyway; normalised here so the copy equals its JSON round trip.
        if (Number.isFinite(input)) return input === 0 ? 0 : input
        warn(at, 'non_finite_number', `${String(input)} is not valid JSON; replaced by null`)
        return null
      case 'bigint':
        warn(at, 'bigint_to_string', 'a BigInt was converted to a decimal string')
        return input.toString()
      case 'undefined':
        return dropped('dropped_undefined', 'undefined is not valid JSON')
      case 'function':
        return dropped('dropped_function', 'a function is not valid JSON')
      case 'symbol':
        return dropped('dropped_symbol', 'a symbol is not valid JSON')
    }
    if (input === null) return null
    const object = input as object
    if (ancestors.includes(object)) {
      warn(at, 'circular_reference', 'a circular reference was replaced by "[Circular]"')
      return '[Circular]'
    }
    if (ancestors.length >= maxDepth) {
      warn(at, 'too_deep', `nesting deeper than ${maxDepth} levels was replaced by null`)
      return null
    }
    ancestors.push(object)
    try {
      return visitObject(object, at)
    } catch (error) {
      // Getters and proxies can throw; the caller's event must still go out.
      warn(at, 'unreadable_value', `reading the value threw (${describe(error)}); replaced by null`)
      return null
    } finally {
      ancestors.pop()
    }
  }

  const visitObject = (object: object, at: Path): JsonValue | undefined => {
    if (Array.isArray(object)) {
      // An index loop, not map: holes of sparse arrays must become null too.
      const out: JsonValue[] = []
      for (let index = 0; index < object.length; index += 1) out.push(visit(object[index], [...at, index], true) ?? null)
      return out
    }
    if (object instanceof Date) {
      const time = object.getTime()
      if (Number.isNaN(time)) {
        warn(at, 'invalid_date', 'an invalid Date was replaced by null')
        return null
      }
      warn(at, 'date_to_string', 'a Date was converted to an ISO-8601 string')
      return object.toISOString()
    }
    if (object instanceof Map) {
      warn(at, 'map_to_object', 'a Map was converted to an object (keys as strings)')
      const entries: [string, unknown][] = [...object.entries()].map(([key, item]) => [String(key), item])
      return copyEntries(entries, at)
    }
    if (object instanceof Set) {
      warn(at, 'set_to_array', 'a Set was converted to an array')
      return [...object].map((item, index) => visit(item, [...at, index], true) ?? null)
    }
    if (ArrayBuffer.isView(object) && !(object instanceof DataView)) {
      warn(at, 'typed_array_to_array', 'a typed array was converted to an array')
      return visit(Array.from(object as unknown as ArrayLike<unknown>), at, false)
    }
    if (object instanceof Number || object instanceof String || object instanceof Boolean) {
      warn(at, 'boxed_primitive', 'a boxed primitive was unboxed')
      return visit(object.valueOf(), at, false)
    }
    const proto: unknown = Object.getPrototypeOf(object)
    if (proto !== Object.prototype && proto !== null) {
      const toJSON = (object as { toJSON?: unknown }).toJSON
      if (typeof toJSON === 'function') {
        warn(at, 'to_json', 'an object was replaced by the result of its toJSON()')
        return visit((toJSON as () => unknown).call(object), at, false)
      }
      if (object instanceof Error) {
        warn(at, 'error_to_object', 'an Error was converted to { name, message }')
        return { name: object.name, message: object.message }
      }
      warn(at, 'instance_to_object', 'a class instance was reduced to its own enumerable properties')
    }
    return copyEntries(Object.entries(object), at)
  }

  const copyEntries = (entries: readonly [string, unknown][], at: Path): JsonValue => {
    const out: { [key: string]: JsonValue } = {}
    for (const [key, item] of entries) {
      if (UNSAFE_KEYS.has(key)) {
        warn([...at, key], 'unsafe_key', `the key "${key}" can alter prototypes; dropped`)
        continue
      }
      const copied = visit(item, [...at, key], false)
      // defineProperty, not assignment: a "__proto__"-like key must stay a plain own property.
      if (copied !== undefined) Object.defineProperty(out, key, { value: copied, enumerable: true, writable: true, configurable: true })
    }
    return out
  }

  const result = visit(value, path, false)
  if (overflow > 0) issues.push({ path: [...path], code: 'too_many_issues', message: `and ${overflow} more changes` })
  return { value: result, issues }
}

function describe(error: unknown): string {
  if (error instanceof Error) return error.message
  try {
    return String(error)
  } catch {
    return 'unknown error'
  }
}
