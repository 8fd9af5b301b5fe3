import { z } from 'zod'
import type { JsonValue } from './envelope.js'

/** Deeper than this is refused: no real event nests this far, and a bound keeps the walk safe. */
const maxDepth = 64
/** After this many problems the walk stops: one bad array must not produce a megabyte of issues. */
const maxProblems = 20

/** One value JSON cannot carry, located by its path below the value checked. */
export interface JsonProblem {
  readonly path: (string | number)[]
  readonly message: string
}

/**
 * Lists the places in `value` that JSON cannot carry faithfully: NaN and ±Infinity, BigInt,
 * functions, symbols, `undefined` in arrays, Dates and other class instances, cycles, and nesting
 * deeper than 64 levels. Returns an empty list for a JSON value. Never throws.
 *
 * `undefined` as an object member is accepted: JSON.stringify drops it, which is what was meant.
 * Stops after 20 problems.
 */
export function findJsonProblems(value: unknown): JsonProblem[] {
  const problems: JsonProblem[] = []
  const ancestors = new Set<object>()

  const walk = (node: unknown, path: (string | number)[]): void => {
    if (problems.length >= maxProblems) return
    const report = (message: string): void => {
      problems.push({ path: [...path], message })
    }
    switch (typeof node) {
      case 'string':
      case 'boolean':
        return
      case 'number':
        if (!Number.isFinite(node)) report(`not a JSON value: ${String(node)} (send a finite number, or null)`)
        return
      case 'undefined':
        report('not a JSON value: undefined in an array (JSON turns it into null; remove it or send null)')
        return
      case 'bigint':
        report('not a JSON value: a BigInt (send a number or a string)')
        return
      case 'function':
      case 'symbol':
        report(`not a JSON value: a ${typeof node} (remove it)`)
        return
      default:
        break
    }
    if (node === null) return
    const object = node as object
    if (ancestors.has(object)) return report('not a JSON value: a circular reference (remove the cycle)')
    if (path.length >= maxDepth) return report(`nested deeper than ${maxDepth} levels (flatten the value)`)
    ancestors.add(object)
    if (Array.isArray(object)) {
      object.forEach((item: unknown, index) => walk(item, [...path, index]))
    } else {
      const proto: unknown = Object.getPrototypeOf(object)
      if (proto !== Object.prototype && proto !== null) {
        const name = object instanceof Date ? 'a Date (send an ISO 8601 string)' : 'a class instance (send a plain object)'
        report(`not a JSON value: ${name}`)
      } else {
        for (const [key, member] of Object.entries(object)) {
          if (member !== undefined) walk(member, [...path, key])
        }
      }
    }
    ancestors.delete(object)
  }

  walk(value, [])
  return problems
}

/**
 * Schema of any JSON value. Unlike a union of the JSON types, it reports the exact path of each
 * value JSON cannot carry (e.g. `properties.products[0].price: not a JSON value: NaN`), and it
 * returns its input unchanged (no copy).
 */
export const jsonValueSchema: z.ZodType<JsonValue> = z.custom<JsonValue>(() => true).check((ctx) => {
  for (const problem of findJsonProblems(ctx.value)) {
    ctx.issues.push({ code: 'custom', input: ctx.value, path: problem.path, message: problem.message })
  }
})
