import type { ValidationIssue } from '../errors.js'
import { isOperationNode, isTruthy } from './semantics.js'
import type { Evaluator, LogicContext, LogicOperationDefinition } from './types.js'

/** Where compilation is, and where it reports faults. */
export interface CompileState {
  readonly operations: ReadonlyMap<string, LogicOperationDefinition>
  readonly issues: ValidationIssue[]
}

type Path = readonly (string | number)[]

const returnNull: Evaluator = () => null

/**
 * Compiles one rule node to a closure. Faults (unknown operator, wrong arity) are collected in
 * `state.issues` with their path, so one pass reports every fault of a rule.
 */
export function compileNode(rule: unknown, path: Path, state: CompileState): Evaluator {
  if (Array.isArray(rule)) {
    const items = rule.map((item, index) => compileNode(item, [...path, index], state))
    return (data, context) => items.map((item) => item(data, context))
  }
  if (!isOperationNode(rule)) return () => rule
  const name = Object.keys(rule)[0] as string
  const raw = rule[name]
  const args: readonly unknown[] = Array.isArray(raw) ? raw : [raw]
  const at: Path = [...path, name]
  const special = Object.hasOwn(specialForms, name) ? specialForms[name] : undefined
  if (special !== undefined) return special(args, at, state)
  const operation = state.operations.get(name)
  if (operation === undefined) {
    state.issues.push({
      path: at,
      code: 'unknown_operator',
      message: `unknown operator "${name}"; check the spelling or register it with engine.addOperation("${name}", ...)`,
    })
    return returnNull
  }
  checkArity(name, args.length, operation.minArgs ?? 0, operation.maxArgs ?? Number.POSITIVE_INFINITY, at, state)
  const compiled = compileArgs(args, at, state)
  const { evaluate } = operation
  if (args.length > 0 && args.every(isConstant)) {
    // The common case (`{"var": "a.b"}`): literal arguments are evaluated once, here.
    return (data, context) => evaluate(args, { data, context })
  }
  return (data, context) => evaluate(evaluateAll(compiled, data, context), { data, context })
}

function isConstant(value: unknown): boolean {
  return value === null || typeof value !== 'object'
}

function compileArgs(args: readonly unknown[], at: Path, state: CompileState): Evaluator[] {
  return args.map((arg, index) => compileNode(arg, [...at, index], state))
}

function evaluateAll(compiled: readonly Evaluator[], data: unknown, context: LogicContext): unknown[] {
  const values = new Array<unknown>(compiled.length)
  for (let index = 0; index < compiled.length; index += 1) values[index] = (compiled[index] as Evaluator)(data, context)
  return values
}

function checkArity(name: string, count: number, min: number, max: number, at: Path, state: CompileState): void {
  if (count >= min && count <= max) return
  const expected = min === max ? `${min}` : max === Number.POSITIVE_INFINITY ? `at least ${min}` : `${min} to ${max}`
  state.issues.push({
    path: at,
    code: 'wrong_arity',
    message: `"${name}" takes ${expected} argument${expected === '1' ? '' : 's'}, got ${count}`,
  })
}

type SpecialForm = (args: readonly unknown[], at: Path, state: CompileState) => Evaluator

/** Operators that decide which of their arguments to evaluate (lazy), and iterators with a scope. */
const specialForms: Readonly<Record<string, SpecialForm>> = {
  if: compileIf,
  '?:': compileIf,
  and(args, at, state) {
    const parts = compileArgs(args, at, state)
    return (data, context) => {
      let value: unknown = null
      for (const part of parts) {
        value = part(data, context)
        if (!isTruthy(value)) return value
      }
      return value
    }
  },
  or(args, at, state) {
    const parts = compileArgs(args, at, state)
    return (data, context) => {
      let value: unknown = null
      for (const part of parts) {
        value = part(data, context)
        if (isTruthy(value)) return value
      }
      return value
    }
  },
  map: iterator((items, each, context) => items.map((item) => each(item, context))),
  filter: iterator((items, each, context) => items.filter((item) => isTruthy(each(item, context)))),
  all: iterator(
    (items, each, context) => items.length > 0 && items.every((item) => isTruthy(each(item, context))),
    false,
  ),
  some: iterator((items, each, context) => items.some((item) => isTruthy(each(item, context))), false),
  none: iterator((items, each, context) => !items.some((item) => isTruthy(each(item, context))), true),
  reduce(args, at, state) {
    checkArity('reduce', args.length, 2, 3, at, state)
    const [source, step, initial] = compileArgs(args, at, state)
    return (data, context) => {
      const items = source?.(data, context)
      let accumulator = initial === undefined ? null : initial(data, context)
      if (!Array.isArray(items) || step === undefined) return accumulator
      for (const current of items) accumulator = step({ current, accumulator }, context)
      return accumulator
    }
  },
}

function compileIf(args: readonly unknown[], at: Path, state: CompileState): Evaluator {
  const parts = compileArgs(args, at, state)
  return (data, context) => {
    let index = 0
    for (; index < parts.length - 1; index += 2) {
      if (isTruthy((parts[index] as Evaluator)(data, context))) return (parts[index + 1] as Evaluator)(data, context)
    }
    return index === parts.length - 1 ? (parts[index] as Evaluator)(data, context) : null
  }
}

/**
 * Builds an iterator operator (`map`, `filter`, `all`, ...): the first argument gives the array,
 * the second is a rule run with each element as its data. A non-array gives `empty`.
 */
function iterator(
  run: (items: readonly unknown[], each: Evaluator, context: LogicContext) => unknown,
  empty: unknown = [],
): SpecialForm {
  return (args, at, state) => {
    const name = at[at.length - 1] as string
    checkArity(name, args.length, 2, 2, at, state)
    const [source, each] = compileArgs(args, at, state)
    return (data, context) => {
      const items = source?.(data, context)
      if (!Array.isArray(items) || each === undefined) return Array.isArray(empty) ? [] : empty
      return run(items, each, context)
    }
  }
}

/** Tells whether `name` is a lazy built-in (`if`, `and`, `map`, ...) that cannot be replaced. */
export function isSpecialForm(name: string): boolean {
  return Object.hasOwn(specialForms, name)
}
