import { toEpochMs } from '../logic/duration.js'
import { SqlRefusal } from './sqlRefusal.js'
import type { SqlPath } from './sqlRefusal.js'
import type { SqlScope, SqlValue } from './sqlScope.js'
import { DAY_MS, HOUR_MS } from '../time/units.js'

/** The evaluation time, or a refusal: SQL never reads its own clock. */
export function evaluationTime(scope: SqlScope, at: SqlPath, name: string): number {
  const { now } = scope.options
  if (typeof now !== 'number' || !Number.isFinite(now)) {
    throw new SqlRefusal(at, `"${name}" needs the evaluation time: pass { now } (epoch ms) to compileLogicToSql`)
  }
  return now
}

/** A time operand that depends on the row: an epoch-ms number (text dates are refused). */
function epochOperand(scope: SqlScope, node: unknown, path: SqlPath, name: string): SqlValue | null {
  const operand = scope.value(node, path)
  if (operand.type === 'null') return null
  if (operand.type !== 'number') {
    throw new SqlRefusal(
      path,
      `"${name}" reads epoch-ms numbers in SQL (lastSeenAt, money.lastOrderAt, ...), not ${operand.type}: JavaScript's Date.parse of a text date has no exact SQL equivalent`,
    )
  }
  return operand
}

/**
 * `days_since` / `hours_since` of a row's epoch-ms value: `floor((now - at) / unit)` in float8,
 * the same IEEE arithmetic as memory's `Math.floor`; NULL when the value is missing. Constant
 * operands never get here: the compiler folds them with `now`.
 */
export function compileElapsed(
  name: 'days_since' | 'hours_since',
  args: readonly unknown[],
  at: SqlPath,
  scope: SqlScope,
): SqlValue {
  const now = evaluationTime(scope, at, name)
  const operand = epochOperand(scope, args[0], [...at, 0], name)
  if (operand === null) return { sql: 'NULL', type: 'null', nullable: true }
  const unit = name === 'days_since' ? DAY_MS : HOUR_MS
  return {
    sql: `floor((${scope.bind(now)}::float8 - ${operand.sql}) / ${unit}::float8)`,
    type: 'number',
    nullable: operand.nullable,
  }
}

/**
 * `before` / `after` as a never-NULL condition. A constant side is resolved to epoch ms here
 * (ISO dates, relative times against `now`), exactly as memory's `toEpochMs`; a missing or
 * unreadable side makes it false, as in memory.
 */
export function compileTimeOrder(
  name: 'before' | 'after',
  args: readonly unknown[],
  at: SqlPath,
  scope: SqlScope,
): string {
  const now = evaluationTime(scope, at, name)
  const sides: (string | null)[] = [0, 1].map((index) => {
    const constant = scope.constantOf(args[index])
    if (constant !== undefined) {
      const ms = toEpochMs(constant.value, now)
      return ms === null ? null : `${scope.bind(ms)}::float8`
    }
    return epochOperand(scope, args[index], [...at, index], name)?.sql ?? null
  })
  const [left, right] = sides
  if (left === null || right === null || left === undefined || right === undefined) return 'FALSE'
  return `COALESCE(${left} ${name === 'before' ? '<' : '>'} ${right}, FALSE)`
}
