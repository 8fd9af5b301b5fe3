import type { ValidationIssue } from '../errors.js'
import type { JsonObject, JsonValue } from '../model/envelope.js'

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
  /** Reports one change at `at` and returns `result`, what the value became. */
  const warn = <T = undefined>(at: Path, code: string, message: string, result?: T): T => {
    if (issues.length < MAX_SANITIZE_ISSUES) issues.push({ path: [...at], code, message })
    else overflow += 1
    return result as T
  }
  const ancestors: object[] = []

  const visit = (input: unknown, at: Path, inArray: boolean): JsonValue | undefined => {
    switch (typeof input) {
      case 'string':
      case 'boolean':
        return input
      case 'number':
        // -0 is written "0" by JSON anyway; normalised here so the copy equals its JSON round trip.
        if (Number.isFinite(input)) return input === 0 ? 0 : input
        return warn(at, 'non_finite_number', `${input} is not JSON; replaced by null`, null)
      case 'bigint':
        return warn(at, 'bigint_to_string', 'a BigInt became a decimal string', String(input))
      case 'object':
        break
      default: {
        // undefined, a function or a symbol: codes dropped_undefined, dropped_function, dropped_symbol.
        const fix = inArray ? 'replaced by null to keep array positions' : 'dropped'
        return warn(at, `dropped_${typeof input}`, `${typeof input} is not JSON; ${fix}`, inArray ? null : undefined)
      }
    }
    if (input === null) return null
    const object = input as object
    if (ancestors.includes(object)) return warn(at, 'circular_reference', 'a cycle became "[Circular]"', '[Circular]')
    if (ancestors.length >= maxDepth)
      return warn(at, 'too_deep', `nesting deeper than ${maxDepth} levels became null`, null)
    ancestors.push(object)
    try {
      return visitObject(object, at)
    } catch (error) {
      // Getters and proxies can throw; the caller's event must still go out.
      return warn(at, 'unreadable_value', `reading it threw (${describe(error)}); replaced by null`, null)
    } finally {
      ancestors.pop()
    }
  }

  const visitObject = (object: object, at: Path): JsonValue | undefined => {
    const isSet = object instanceof Set
    const isTypedArray = ArrayBuffer.isView(object) && !(object instanceof DataView)
    if (isSet) warn(at, 'set_to_array', 'a Set became an array')
    if (isTypedArray) warn(at, 'typed_array_to_array', 'a typed array became an array')
    if (isSet || isTypedArray || Array.isArray(object)) {
      // Array.from reads the holes of a sparse array as undefined, so they become null too.
      return Array.from(object as Iterable<unknown>, (item, index) => visit(item, [...at, index], true) ?? null)
    }
    if (object instanceof Date) {
      return Number.isNaN(object.getTime())
        ? warn(at, 'invalid_date', 'an invalid Date became null', null)
        : warn(at, 'date_to_string', 'a Date became an ISO-8601 string', object.toISOString())
    }
    if (object instanceof Map) {
      warn(at, 'map_to_object', 'a Map became an object (keys as strings)')
      return copyEntries(
        Array.from(object, ([key, item]) => [String(key), item]),
        at,
      )
    }
    if (object instanceof Number || object instanceof String || object instanceof Boolean) {
      warn(at, 'boxed_primitive', 'a boxed primitive was unboxed')
      return visit(object.valueOf(), at, false)
    }
    const proto: unknown = Object.getPrototypeOf(object)
    if (proto !== Object.prototype && proto !== null) {
      const toJSON = (object as { toJSON?: unknown }).toJSON
      if (typeof toJSON === 'function') {
        warn(at, 'to_json', 'an object became its toJSON() result')
        return visit(toJSON.call(object), at, false)
      }
      if (object instanceof Error) {
        return warn(at, 'error_to_object', 'an Error became { name, message }', {
          name: object.name,
          message: object.message,
        })
      }
      warn(at, 'instance_to_object', 'a class instance became its own enumerable properties')
    }
    return copyEntries(Object.entries(object), at)
  }

  const copyEntries = (entries: readonly [string, unknown][], at: Path): JsonObject => {
    const kept: [string, JsonValue][] = []
    for (const [key, item] of entries) {
      const where = [...at, key]
      const copied = UNSAFE_KEYS.has(key)
        ? warn(where, 'unsafe_key', 'a key that can alter prototypes; dropped')
        : visit(item, where, false)
      if (copied !== undefined) kept.push([key, copied])
    }
    // fromEntries defines own data properties: no inherited setter (or frozen prototype) is involved.
    return Object.fromEntries(kept)
  }

  const result = visit(value, path, false)
  if (overflow > 0) issues.push({ path: [...path], code: 'too_many_issues', message: `and ${overflow} more changes` })
  return { value: result, issues }
}

/** The thrown value as text; String() itself can throw for a hostile object. */
function describe(error: unknown): string {
  try {
    return String(error)
  } catch {
    return 'unknown error'
  }
}
