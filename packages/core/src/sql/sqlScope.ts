import type { SqlPath } from './sqlRefusal.js'
import type { SqlValueType } from './sqlColumns.js'

/** Options of `compileLogicToSql`. */
export interface SqlCompileOptions {
  /**
   * The evaluation time, epoch ms: what `context.now` is in memory. It is bound as a parameter
   * (never SQL's `now()`), so memory and SQL agree for one `now`. Without it, `now`,
   * `days_since`, `hours_since`, `before`, `after`, `birthday_today` and `anniversary` are refused.
   */
  readonly now?: number
  /** The customer time zone constant calendar operators fold with. @default "UTC" */
  readonly timeZone?: string
  /**
   * Where the profile's day buckets of events live (`{ <event>: { <UTC day number>: { c, s } } }`,
   * the ecrm profile's `events.days`): a JSONB column and the keys down to them. Without it,
   * `count_events` and `sum_events` are refused.
   *
   * @example { jsonb: 'p.profile', path: ['events', 'days'] }
   */
  readonly eventDays?: { readonly jsonb: string; readonly path: readonly string[] }
}

/** A compiled value: its SQL, its JsonLogic type, and whether it can be NULL (missing). */
export interface SqlValue {
  readonly sql: string
  readonly type: SqlValueType | 'null'
  readonly nullable: boolean
}

/** What the operator compilers (time, history) need from the compiler of one rule. */
export interface SqlScope {
  /** Adds a parameter and returns its `$n`. Strings must be checked (NUL, length) before. */
  readonly bind: (value: unknown) => string
  /** Compiles a node to a value. */
  readonly value: (node: unknown, path: SqlPath) => SqlValue
  /** The value of a node that needs no data (evaluated with the options' `now`), else `undefined`. */
  readonly constantOf: (node: unknown) => { readonly value: unknown } | undefined
  readonly options: SqlCompileOptions
}
