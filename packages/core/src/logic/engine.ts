import { EcrmError, EcrmValidationError } from '../errors.js'
import { compileNode, isSpecialForm } from './compileNode.js'
import { createCrmOperations } from './crmOperations.js'
import { createStandardOperations } from './standardOperations.js'
import type { CompiledLogic, LogicContext, LogicOperation, LogicOperationDefinition, LogicRule } from './types.js'

/** Options of {@link createLogicEngine}. */
export interface LogicEngineOptions {
  /** Extra operations for this engine only, by name. */
  readonly operations?: Readonly<Record<string, LogicOperation | LogicOperationDefinition>>
  /** Include the CRM operators (`days_since`, `count_events`, ...). @default true */
  readonly crmOperations?: boolean
  /** Receives what the `log` operator passes through (core has no console). @default ignore */
  readonly onLog?: (value: unknown) => void
}

/** A JsonLogic engine with its own operator table. Engines never share registrations. */
export interface LogicEngine {
  /**
   * Compiles a rule to closures once. Throws {@link EcrmValidationError} listing every unknown
   * operator and wrong arity with its path; the compiled function itself never throws.
   */
  readonly compile: (rule: LogicRule) => CompiledLogic
  /** Compiles and evaluates in one call (compile once with {@link LogicEngine.compile} in loops). */
  readonly apply: (rule: LogicRule, data?: unknown, context?: LogicContext) => unknown
  /**
   * Registers an operation on this engine; its arguments arrive evaluated. Rules compiled before
   * keep the table they were compiled with. Lazy operators (`if`, `and`, `or`, iterators) cannot
   * be replaced.
   */
  readonly addOperation: (name: string, operation: LogicOperation | LogicOperationDefinition) => void
  /** Tells whether `name` is an operator of this engine. */
  readonly hasOperation: (name: string) => boolean
}

const emptyContext: LogicContext = {}

/**
 * Creates a JsonLogic engine (https://jsonlogic.com) with the standard operators, the CRM
 * operators and any you add. No `eval`, no `new Function`: safe under a strict CSP.
 *
 * @example
 * const engine = createLogicEngine({ operations: { double: (args) => Number(args[0]) * 2 } })
 * const isBig = engine.compile({ '>': [{ double: [{ var: 'total' }] }, 100] })
 * isBig({ total: 60 }) // true
 */
export function createLogicEngine(options: LogicEngineOptions = {}): LogicEngine {
  const operations = createStandardOperations(options.onLog ?? (() => {}))
  if (options.crmOperations !== false) {
    for (const [name, definition] of createCrmOperations()) operations.set(name, definition)
  }

  function addOperation(name: string, operation: LogicOperation | LogicOperationDefinition): void {
    if (typeof name !== 'string' || name === '' || isSpecialForm(name)) {
      throw new EcrmError(
        'invalid_operation',
        `addOperation failed: "${String(name)}" (give a non-empty name that is not a lazy built-in such as if/and/or/map)`,
      )
    }
    operations.set(name, typeof operation === 'function' ? { evaluate: operation } : operation)
  }
  for (const [name, operation] of Object.entries(options.operations ?? {})) addOperation(name, operation)

  function compile(rule: LogicRule): CompiledLogic {
    const state = { operations: new Map(operations), issues: [] }
    const evaluate = compileNode(rule, [], state)
    if (state.issues.length > 0) throw new EcrmValidationError('Invalid JsonLogic rule', state.issues)
    return (data = null, context = emptyContext) => {
      try {
        return evaluate(data, context)
      } catch {
        // Built-ins never throw on JSON data; a custom operation might. Evaluation never throws.
        return null
      }
    }
  }

  return {
    compile,
    apply: (rule, data, context) => compile(rule)(data, context),
    addOperation,
    hasOperation: (name) => operations.has(name) || isSpecialForm(name),
  }
}

let defaultEngine: LogicEngine | undefined

/** The shared engine of {@link compileLogic}/{@link applyLogic}: built-ins only, never extended. */
function getDefaultEngine(): LogicEngine {
  return (defaultEngine ??= createLogicEngine())
}

/**
 * Compiles a JsonLogic rule (with the CRM operators) to closures, once; call the result per datum.
 * Throws {@link EcrmValidationError} for a malformed rule; the compiled function never throws.
 *
 * @example
 * const vip = compileLogic({ and: [{ '>=': [{ var: 'orders' }, 3] }, { in_segment: 'champions' }] })
 * vip({ orders: 4, rfm: { segment: 'champions' } }) // true
 */
export function compileLogic(rule: LogicRule): CompiledLogic {
  return getDefaultEngine().compile(rule)
}

/**
 * Evaluates a JsonLogic rule against data (compiling it first). `context.now` feeds the time
 * operators.
 *
 * @example
 * applyLogic({ days_since: { var: 'last_order_at' } }, { last_order_at: '2026-01-01' }, { now: Date.UTC(2026, 0, 31) }) // 30
 */
export function applyLogic(rule: LogicRule, data?: unknown, context?: LogicContext): unknown {
  return getDefaultEngine().apply(rule, data, context)
}
