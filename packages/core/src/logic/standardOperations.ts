import { isTruthy, lessOrEqual, lessThan, looseEquals, readPath, splitPath, toNumber, toText } from './semantics.js'
import type { LogicOperationDefinition, LogicScope } from './types.js'

/**
 * The eager operators of JsonLogic (https://jsonlogic.com/operations.html): their arguments are
 * evaluated first. The lazy ones (`if`, `and`, `map`, ...) are compiled in {@link compileNode}.
 */

/** Reads `key` (a dot path) from the data, or `fallback` (default `null`) when it is missing. */
function readVar(args: readonly unknown[], scope: LogicScope): unknown {
  const fallback = args.length > 1 ? args[1] : null
  return readPath(scope.data, splitPath(args[0]), fallback)
}

/** The keys among `keys` whose value is missing (`null`, `undefined` or `""`), in order. */
function findMissing(keys: readonly unknown[], data: unknown): unknown[] {
  const missing: unknown[] = []
  for (const key of keys) {
    const value = readPath(data, splitPath(key), null)
    if (value === null || value === '') missing.push(key)
  }
  return missing
}

function missingOf(args: readonly unknown[], scope: LogicScope): unknown[] {
  // `missing` takes its keys as arguments or as one array (e.g. the result of `merge`).
  const keys = Array.isArray(args[0]) ? (args[0] as unknown[]) : args
  return findMissing(keys, scope.data)
}

function missingSome(args: readonly unknown[], scope: LogicScope): unknown[] {
  const needed = toNumber(args[0])
  const options = Array.isArray(args[1]) ? (args[1] as unknown[]) : []
  const missing = findMissing(options, scope.data)
  return options.length - missing.length >= needed ? [] : missing
}

/** JavaScript's `String.prototype.substr`, including a negative length counted from the end. */
function substr(args: readonly unknown[]): string {
  const text = toText(args[0])
  const size = text.length
  let start = Math.trunc(toNumber(args[1])) || 0
  if (start < 0) start = Math.max(size + start, 0)
  start = Math.min(start, size)
  if (args.length < 3 || args[2] === undefined) return text.slice(start)
  const length = Math.trunc(toNumber(args[2])) || 0
  if (length < 0) return text.slice(start, Math.max(start, size + length))
  return text.slice(start, start + length)
}

function contains(args: readonly unknown[]): boolean {
  const [needle, haystack] = args
  if (typeof haystack === 'string') return haystack.includes(toText(needle))
  if (Array.isArray(haystack)) return haystack.indexOf(needle) !== -1
  return false
}

function merge(args: readonly unknown[]): unknown[] {
  const merged: unknown[] = []
  for (const arg of args) {
    if (Array.isArray(arg)) merged.push(...(arg as unknown[]))
    else merged.push(arg)
  }
  return merged
}

/** Chained comparison: `a op b` and, with a third argument, `b op c` (JsonLogic's "between"). */
function chain(compare: (a: unknown, b: unknown) => boolean) {
  return (args: readonly unknown[]): boolean => {
    for (let index = 0; index < args.length - 1; index += 1) {
      if (!compare(args[index], args[index + 1])) return false
    }
    return true
  }
}

/** Arithmetic over operands coerced with Number() (`"2"` is 2, `true` is 1, `null` and `""` are 0). */
function fold(args: readonly unknown[], step: (total: number, value: number) => number, start: number): number {
  let total = start
  for (const arg of args) total = step(total, toNumber(arg))
  return total
}

function foldLeft(args: readonly unknown[], step: (total: number, value: number) => number): number {
  return fold(args.slice(1), step, toNumber(args[0]))
}

const greaterThan = (a: unknown, b: unknown): boolean => lessThan(b, a)
const greaterOrEqual = (a: unknown, b: unknown): boolean => lessOrEqual(b, a)

/**
 * Builds the table of standard eager operations, with the arity the compiler enforces.
 * `onLog` receives the values `log` passes through (core has no console).
 */
export function createStandardOperations(onLog: (value: unknown) => void): Map<string, LogicOperationDefinition> {
  const table: [string, LogicOperationDefinition][] = [
    ['var', { evaluate: readVar, maxArgs: 2 }],
    ['missing', { evaluate: missingOf }],
    ['missing_some', { evaluate: missingSome, minArgs: 2, maxArgs: 2 }],
    // Two operands per jsonlogic.com; more are compared pairwise in a chain (a == b and b == c).
    ['==', { evaluate: chain(looseEquals), minArgs: 2 }],
    ['===', { evaluate: chain((a, b) => a === b), minArgs: 2 }],
    ['!=', { evaluate: chain((a, b) => !looseEquals(a, b)), minArgs: 2 }],
    ['!==', { evaluate: chain((a, b) => a !== b), minArgs: 2 }],
    ['!', { evaluate: (args) => !isTruthy(args[0]), minArgs: 1, maxArgs: 1 }],
    ['!!', { evaluate: (args) => isTruthy(args[0]), minArgs: 1, maxArgs: 1 }],
    ['<', { evaluate: chain(lessThan), minArgs: 2, maxArgs: 3 }],
    ['<=', { evaluate: chain(lessOrEqual), minArgs: 2, maxArgs: 3 }],
    // jsonlogic.com gives `<`/`<=` a third argument (between); `>`/`>=` get the same, chained.
    ['>', { evaluate: chain(greaterThan), minArgs: 2, maxArgs: 3 }],
    ['>=', { evaluate: chain(greaterOrEqual), minArgs: 2, maxArgs: 3 }],
    ['max', { evaluate: (args) => Math.max(...args.map(toNumber)) }],
    ['min', { evaluate: (args) => Math.min(...args.map(toNumber)) }],
    ['+', { evaluate: (args) => fold(args, (sum, value) => sum + value, 0) }],
    ['*', { evaluate: (args) => fold(args, (product, value) => product * value, 1) }],
    // With one operand `-` negates and `/` inverts; with more, they fold left (a - b - c).
    [
      '-',
      { evaluate: (args) => (args.length === 1 ? -toNumber(args[0]) : foldLeft(args, (a, b) => a - b)), minArgs: 1 },
    ],
    [
      '/',
      { evaluate: (args) => (args.length === 1 ? 1 / toNumber(args[0]) : foldLeft(args, (a, b) => a / b)), minArgs: 1 },
    ],
    ['%', { evaluate: (args) => foldLeft(args, (a, b) => a % b), minArgs: 2 }],
    ['in', { evaluate: contains, minArgs: 2, maxArgs: 2 }],
    ['cat', { evaluate: (args) => args.map((arg) => (arg === null || arg === undefined ? '' : toText(arg))).join('') }],
    ['substr', { evaluate: substr, minArgs: 2, maxArgs: 3 }],
    ['merge', { evaluate: merge }],
    [
      'log',
      {
        evaluate: (args) => {
          onLog(args[0])
          return args[0]
        },
        minArgs: 1,
        maxArgs: 1,
      },
    ],
  ]
  return new Map(table)
}
