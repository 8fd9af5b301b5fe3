/**
 * Types shared by the JsonLogic engine, its operators and the CRM extensions.
 */

/**
 * A JsonLogic rule: a JSON value where an object with exactly one key is an operation
 * (`{ "==": [{ "var": "plan" }, "pro"] }`) and anything else is a literal.
 */
export type LogicRule = unknown

/** What the caller knows about the moment of evaluation. Never read from a global. */
export interface LogicContext {
  /** Evaluation time, epoch ms. Time operators (`now`, `days_since`, ...) give `null` without it. */
  readonly now?: number
  /**
   * IANA time zone of the customer (e.g. `"Europe/Paris"`) for `birthday_today` and
   * `anniversary` when the rule does not name one. @default "UTC"
   */
  readonly timeZone?: string
}

/** What an operation sees besides its evaluated arguments. */
export interface LogicScope {
  /** The data the rule is evaluated against (inside `map`/`filter`/..., the current element). */
  readonly data: unknown
  readonly context: LogicContext
}

/**
 * An operation: receives its arguments already evaluated. It must not throw on odd data (return
 * `null` instead): evaluation of a rule never throws.
 */
export type LogicOperation = (args: readonly unknown[], scope: LogicScope) => unknown

/** An operation with the arity the compiler checks. */
export interface LogicOperationDefinition {
  readonly evaluate: LogicOperation
  /** Fewest arguments accepted; fewer is refused at compile time. @default 0 */
  readonly minArgs?: number
  /** Most arguments accepted; more is refused at compile time. @default unlimited */
  readonly maxArgs?: number
}

/** A rule compiled to closures: call it as often as needed, it never throws. */
export type CompiledLogic = (data?: unknown, context?: LogicContext) => unknown

/** A compiled node: evaluates one rule node against data. */
export type Evaluator = (data: unknown, context: LogicContext) => unknown
