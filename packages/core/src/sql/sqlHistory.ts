import { windowStart } from '../logic/crmOperations.js'
import { unsafeSegments } from '../logic/semantics.js'
import { quoteIdentifier } from './sqlColumns.js'
import { checkBoundValue, checkIdentifier, checkSqlText, SqlRefusal } from './sqlRefusal.js'
import type { SqlPath } from './sqlRefusal.js'
import type { SqlScope, SqlValue } from './sqlScope.js'
import { evaluationTime } from './sqlTime.js'
import { DAY_MS } from '../time/units.js'

const zero: SqlValue = { sql: '0::float8', type: 'number', nullable: false }

function constantArgument(scope: SqlScope, node: unknown, path: SqlPath, what: string): unknown {
  const constant = scope.constantOf(node)
  if (constant === undefined) throw new SqlRefusal(path, `${what} must be a constant in SQL`)
  return constant.value
}

/**
 * `count_events` / `sum_events` over the profile's day buckets (`options.eventDays`), as a
 * correlated sub-select over `jsonb_each`: the same buckets memory reads, the window's first UTC
 * day computed by memory's own `windowStart`, the same finite-number test on each amount. Day keys
 * are the UTC day numbers the profile reducer writes; other keys count only without a window.
 */
export function compileEventHistory(
  name: 'count_events' | 'sum_events',
  args: readonly unknown[],
  at: SqlPath,
  scope: SqlScope,
): SqlValue {
  const location = scope.options.eventDays
  if (location === undefined) {
    throw new SqlRefusal(
      at,
      `"${name}" needs the location of the profile's day buckets: pass { eventDays } to compileLogicToSql`,
    )
  }
  const event = constantArgument(scope, args[0], [...at, 0], 'the event name')
  // Memory counts nothing for a non-text name, nor reads a prototype key.
  if (typeof event !== 'string' || unsafeSegments.has(event)) return zero
  checkSqlText(event, [...at, 0], 'the event name', true)
  let since: number | undefined
  if (args.length > 1) {
    const window = constantArgument(scope, args[1], [...at, 1], 'the window')
    if (window !== null) {
      const start = windowStart(window, evaluationTime(scope, at, name))
      if (start === null) return zero
      if (!/^\d{4}-\d{2}-\d{2}$/.test(start))
        throw new SqlRefusal(
          [...at, 1],
          `the window starts on ${start}, outside the years 0000–9999 SQL compares day by day`,
        )
      since = Date.parse(`${start}T00:00:00Z`) / DAY_MS
    }
  }
  let amountKey = ['c']
  if (name === 'sum_events') {
    const chosen = args.length > 2 ? constantArgument(scope, args[2], [...at, 2], 'the summed property') : 'total'
    const property = typeof chosen === 'string' ? chosen : 'total'
    if (unsafeSegments.has(property)) return zero
    checkSqlText(property, [...at, 2], 'the summed property', true)
    amountKey = ['s', property]
  }
  checkIdentifier(location.jsonb, at)
  checkBoundValue(location.path, at, 'a key of eventDays.path', true)
  const column = quoteIdentifier(location.jsonb)
  const days = `(${column} #> ${scope.bind([...location.path, event])}::text[])`
  const amount = `(ecrm_day.value #> ${scope.bind(amountKey)}::text[])`
  // CASE, not AND: PostgreSQL may evaluate AND's operands in any order, and the cast must not see a non-number.
  const window =
    since === undefined
      ? ''
      : ` WHERE CASE WHEN ecrm_day.key ~ '^-?[0-9]{1,15}$' THEN ecrm_day.key::float8 END >= ${scope.bind(since)}::float8`
  return {
    sql: `(SELECT COALESCE(sum(CASE WHEN jsonb_typeof(${amount}) = 'number' THEN (${amount} #>> '{}')::float8 END), 0::float8) FROM jsonb_each(CASE WHEN jsonb_typeof(${days}) = 'object' THEN ${days} ELSE '{}'::jsonb END) AS ecrm_day${window})`,
    type: 'number',
    nullable: false,
  }
}
