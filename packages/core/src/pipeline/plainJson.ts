import { UNSAFE_KEYS } from './sanitize.js'

/**
 * Tells whether a value is already what {@link sanitize} would make of it, so it can be used as
 * is, without a copy: strings, booleans, finite numbers, `null`, dense arrays and plain objects
 * (prototype `Object.prototype` or `null`) of those, with no key `__proto__`, `constructor` or
 * `prototype`, nested fewer than `maxDepth` levels. Allocates nothing and never throws (a
 * throwing getter or proxy answers `false`); a cycle runs into the depth limit, so it answers
 * `false` too.
 *
 * @example
 * isPlainJson({ sku: 'sku-1', price: 19.99 }) // true
 * isPlainJson({ at: new Date() })             // false: sanitize would convert the Date
 */
export function isPlainJson(value: unknown, maxDepth = 32): boolean {
  try {
    return check(value, maxDepth)
  } catch {
    return false
  }
}

function check(value: unknown, depthLeft: number): boolean {
  // Number.isFinite is false for anything but a finite number: undefined, bigint, symbol, function.
  if (typeof value !== 'object')
    return typeof value === 'string' || typeof value === 'boolean' || Number.isFinite(value)
  if (value === null) return true
  // The same cut as sanitize: an object inside `maxDepth` others is replaced there.
  if (depthLeft < 1) return false
  const proto: unknown = Object.getPrototypeOf(value)
  if (proto === Array.prototype && Array.isArray(value)) {
    // A hole reads as undefined and fails: sanitize reports holes, so they take its path.
    for (let index = 0; index < value.length; index += 1) if (!check(value[index], depthLeft - 1)) return false
    return true
  }
  if (proto !== Object.prototype && proto !== null) return false
  for (const key in value) {
    // Inherited enumerable keys (a polluted prototype) are ignored by JSON.stringify too.
    if (
      Object.hasOwn(value, key) &&
      (UNSAFE_KEYS.has(key) || !check((value as Record<string, unknown>)[key], depthLeft - 1))
    )
      return false
  }
  return true
}
