import * as z from 'zod'
import type { JsonValue } from './envelope.js'

/** Deeper than this is refused: no real event nests this far, and a bound keeps the walk safe. */
const maxDepth = 64
/** After this many problems the walk stops: one bad array must not produce a megabyte of issues. */
const maxProblems = 20

/** One value JSON cannot carry, located by its path below the value checked. */
export interface JsonProblem {
  readonly path: (string | number)[]
  /** `not_json` (NaN, a function, a cycle...), `too_deep`, `nul_character` or `unpaired_surrogate`. */
  readonly code: 'not_json' | 'too_deep' | 'nul_character' | 'unpaired_surrogate'
  readonly message: string
}

// A NUL, a high surrogate not followed by a low one, or a low one not preceded by a high one.
const badText = /\0|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/

/** What is wrong with a string (a value or a key) that UTF-8 or PostgreSQL cannot store, if anything. */
function textProblem(text: string, what: string): Pick<JsonProblem, 'code' | 'message'> | undefined {
  const found = badText.exec(text)
  if (found === null) return undefined
  if (found[0] === '\0') {
    return {
      code: 'nul_character',
      message: `${what} contains a NUL character (U+0000) at index ${found.index}, which PostgreSQL cannot store (remove it)`,
    }
  }
  return {
    code: 'unpaired_surrogate',
    message: `${what} contains half of a UTF-16 surrogate pair at index ${found.index} (text cut inside an emoji or other character), which UTF-8 cannot encode (send whole characters)`,
  }
}

/**
 * Lists the places in `value` that JSON in UTF-8, or a PostgreSQL store, cannot carry faithfully:
 * NaN and ±Infinity, BigInt, functions, symbols, `undefined` in arrays, Dates and other class
 * instances, cycles, nesting deeper than 64 levels, and strings or keys holding a NUL character
 * or half of a surrogate pair (PostgreSQL refuses the first in text and jsonb, and jsonb the
 * second; JSON.parse produces both from `\u0000` and `\ud83d` escapes). Returns an empty list
 * for a JSON value of whole characters. Never throws.
 *
 * `undefined` as an object member is accepted: JSON.stringify drops it, which is what was meant.
 * Stops after 20 problems.
 */
export function findJsonProblems(value: unknown): JsonProblem[] {
  const problems: JsonProblem[] = []
  const ancestors = new Set<object>()

  const walk = (node: unknown, path: (string | number)[]): void => {
    if (problems.length >= maxProblems) return
    const report = (message: string, code: JsonProblem['code'] = 'not_json'): void => {
      problems.push({ path: [...path], code, message })
    }
    switch (typeof node) {
      case 'string': {
        const problem = textProblem(node, 'the text')
        if (problem !== undefined) report(problem.message, problem.code)
        return
      }
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
    if (ancestors.has(object)) {
      report('not a JSON value: a circular reference (remove the cycle)')
      return
    }
    if (path.length >= maxDepth) {
      report(`nested deeper than ${maxDepth} levels (flatten the value)`, 'too_deep')
      return
    }
    ancestors.add(object)
    if (Array.isArray(object)) {
      for (const [index, item] of (object as unknown[]).entries()) walk(item, [...path, index])
    } else {
      const proto: unknown = Object.getPrototypeOf(object)
      if (proto !== Object.prototype && proto !== null) {
        const name =
          object instanceof Date ? 'a Date (send an ISO 8601 string)' : 'a class instance (send a plain object)'
        report(`not a JSON value: ${name}`)
      } else {
        for (const [key, member] of Object.entries(object)) {
          const keyProblem = textProblem(key, 'the key')
          if (keyProblem !== undefined && problems.length < maxProblems)
            problems.push({ path: [...path, key], ...keyProblem })
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
export const jsonValueSchema: z.ZodType<JsonValue> = z
  .custom<JsonValue>(() => true)
  .check((ctx) => {
    for (const problem of findJsonProblems(ctx.value)) {
      ctx.issues.push({ code: 'custom', input: ctx.value, path: problem.path, message: problem.message })
    }
  })
