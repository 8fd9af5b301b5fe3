import { EcrmValidationError } from '../errors.js'
import { applyLogic, compileLogic } from '../logic/engine.js'
import { isOperationNode, isTruthy, splitPath, unsafeSegments } from '../logic/semantics.js'
import type { LogicContext } from '../logic/types.js'
import { columnExpression, missingExpression } from './sqlColumns.js'
import type { SqlColumnMap } from './sqlColumns.js'
import { compileEventHistory } from './sqlHistory.js'
import { renumber } from './sqlParameters.js'
import { checkSqlText, SqlRefusal } from './sqlRefusal.js'
import type { SqlPath as Path } from './sqlRefusal.js'
import type { SqlCompileOptions, SqlScope, SqlValue as Value } from './sqlScope.js'
import { compileElapsed, compileTimeOrder, evaluationTime } from './sqlTime.js'

/** A PostgreSQL `WHERE` condition with its bound parameters (`$1`, `$2`, ...). */
export interface SqlCondition {
  /** A boolean expression that is never NULL. Values are never spliced in: all are in `params`. */
  readonly sql: string
  readonly params: unknown[]
}

/** Operators that read the row: never folded. */
const dataOperators = new Set(['var', 'missing', 'missing_some', 'in_segment', 'count_events', 'sum_events'])
/** Operators that read the evaluation time: folded only when it is known. */
const timeOperators = new Set(['now', 'days_since', 'hours_since', 'before', 'after', 'birthday_today', 'anniversary'])

/** True when a node needs no row: it is evaluated once, in JavaScript, and bound. */
function isConstant(rule: unknown, hasNow: boolean): boolean {
  if (Array.isArray(rule)) return rule.every((item) => isConstant(item, hasNow))
  if (!isOperationNode(rule)) return true
  const name = Object.keys(rule)[0] as string
  if (dataOperators.has(name) || (timeOperators.has(name) && !hasNow)) return false
  return isConstant(rule[name], hasNow)
}

function argsOf(rule: Record<string, unknown>, name: string): unknown[] {
  const raw = rule[name]
  return Array.isArray(raw) ? raw : [raw]
}

/**
 * Compiles the condition of a rule to a PostgreSQL `WHERE` clause over a column map, so a segment
 * over a whole customer base runs in the database. A row matches exactly when
 * `applyLogic(rule, row-as-profile, { now: options.now })` is truthy. Time operators compare
 * against `options.now`, bound as a parameter; `count_events`/`sum_events` read the day buckets at
 * `options.eventDays`. Whatever cannot be translated exactly (JsonLogic's loose `==` across types,
 * relational operators on text, `/` by a non-constant, `%`, text dates...) is refused with
 * {@link EcrmValidationError} and the path of the fault, never guessed; so are a NUL character in
 * any text (PostgreSQL cannot hold it) and names over 256 characters. Every value is a parameter.
 *
 * @example
 * const { sql, params } = compileLogicToSql(
 *   { and: [{ '>=': [{ var: 'orders' }, 3] }, { in_segment: 'champions' }] },
 *   { orders: { column: 'order_count', type: 'number' }, 'rfm.segment': { column: 'rfm_segment', type: 'text' } },
 * )
 * await db.query(`SELECT id FROM profiles WHERE ${sql}`, params)
 */
export function compileLogicToSql(rule: unknown, columns: SqlColumnMap, options: SqlCompileOptions = {}): SqlCondition {
  const params: unknown[] = []
  const bind = (value: unknown): string => {
    params.push(value)
    return `$${params.length}`
  }
  const hasNow = options.now !== undefined
  const context: LogicContext = {
    ...(hasNow ? { now: options.now } : {}),
    ...(options.timeZone === undefined ? {} : { timeZone: options.timeZone }),
  }
  const fold = (node: unknown): unknown => applyLogic(node, null, context)
  const literal = (value: unknown, path: Path): Value => {
    if (value === null) return { sql: 'NULL', type: 'null', nullable: true }
    if (typeof value === 'number') {
      // PostgreSQL's NaN equals itself and overflow raises: only finite numbers translate exactly.
      if (!Number.isFinite(value))
        throw new SqlRefusal(path, `the constant ${String(value)} has no exact SQL equivalent`)
      return { sql: `${bind(value)}::float8`, type: 'number', nullable: false }
    }
    if (typeof value === 'string') {
      checkSqlText(value, path, 'the text')
      return { sql: `${bind(value)}::text`, type: 'text', nullable: false }
    }
    if (typeof value === 'boolean') return { sql: value ? 'TRUE' : 'FALSE', type: 'boolean', nullable: false }
    throw new SqlRefusal(path, 'arrays and objects are only supported as the list of "in"')
  }

  /** The mapped column of a `var`/`missing` key, or a refusal at `at`. */
  function mapped(key: unknown, at: Path) {
    if (typeof key !== 'string') throw new SqlRefusal(at, 'only text paths are supported in SQL')
    checkSqlText(key, at, `the path "${key.slice(0, 40)}"`, true)
    // Memory never follows a prototype key (it reads missing): a column could not agree.
    if (splitPath(key).some((segment) => unsafeSegments.has(segment)))
      throw new SqlRefusal(
        at,
        `the path "${key}" has a prototype key (__proto__, constructor, prototype), which is always missing`,
      )
    const spec = Object.hasOwn(columns, key) ? columns[key] : undefined
    if (spec === undefined) throw new SqlRefusal(at, `the path "${key}" is not in the column map; add it`)
    return spec
  }

  /** A value whose SQL is a JsonLogic value of a known type. */
  function value(node: unknown, path: Path): Value {
    if (isConstant(node, hasNow)) return literal(fold(node), path)
    const rule = node as Record<string, unknown>
    const name = Object.keys(rule)[0] as string
    const args = argsOf(rule, name)
    const at = [...path, name]
    if (name === 'var') {
      if (args.length !== 1)
        throw new SqlRefusal(
          at,
          'only {"var": "<mapped path>"} is supported (a default cannot tell a missing field from NULL)',
        )
      const spec = mapped(args[0], at)
      return { sql: columnExpression(spec, bind, at), type: spec.type, nullable: true }
    }
    if (name === '+' || name === '*' || name === '-' || name === '/' || name === 'max' || name === 'min') {
      return arithmetic(name, args, at)
    }
    if (name === 'days_since' || name === 'hours_since') return compileElapsed(name, args, at, scope)
    if (name === 'count_events' || name === 'sum_events') return compileEventHistory(name, args, at, scope)
    if (timeOperators.has(name)) evaluationTime(scope, at, name)
    throw new SqlRefusal(
      at,
      `"${name}" is not supported as a value in SQL; use it as a condition or evaluate in memory`,
    )
  }

  const scope: SqlScope = {
    bind,
    value,
    constantOf: (node) => (isConstant(node, hasNow) ? { value: fold(node) } : undefined),
    options,
  }

  /** A number operand as JavaScript's Number() sees it: a missing value (null) is 0. */
  function numeric(node: unknown, path: Path): string {
    const operand = value(node, path)
    if (operand.type === 'null') return '0::float8'
    if (operand.type !== 'number') {
      throw new SqlRefusal(path, `arithmetic and ordering are supported on numbers only, not ${operand.type}`)
    }
    return operand.nullable ? `COALESCE(${operand.sql}, 0)` : operand.sql
  }

  function arithmetic(name: string, args: unknown[], at: Path): Value {
    const number = (sql: string): Value => ({ sql, type: 'number', nullable: false })
    if (name === 'max' || name === 'min') {
      if (args.length === 0) throw new SqlRefusal(at, `"${name}" needs at least one argument in SQL`)
      return number(
        `${name === 'max' ? 'GREATEST' : 'LEAST'}(${args.map((arg, index) => numeric(arg, [...at, index])).join(', ')})`,
      )
    }
    if (name === '/') {
      // PostgreSQL raises on division by zero where JavaScript gives Infinity: only safe divisors.
      const divisors = args.slice(1)
      if (
        args.length < 2 ||
        !divisors.every((arg) => isConstant(arg, hasNow) && typeof fold(arg) === 'number' && fold(arg) !== 0)
      ) {
        throw new SqlRefusal(at, '"/" is supported with constant, non-zero numeric divisors only')
      }
    }
    const parts = args.map((arg, index) => numeric(arg, [...at, index]))
    if (name === '-' && parts.length === 1) return number(`(-${parts[0]})`)
    if (parts.length === 0) return number(`${bind(name === '*' ? 1 : 0)}::float8`)
    return number(`(${parts.join(` ${name} `)})`)
  }

  /** JsonLogic truthiness of a value, as a never-NULL boolean. */
  function truthOf(operand: Value): string {
    switch (operand.type) {
      case 'null':
        return 'FALSE'
      case 'number':
        return operand.nullable ? `COALESCE(${operand.sql} <> 0, FALSE)` : `(${operand.sql} <> 0)`
      case 'text':
        return `COALESCE(${operand.sql} <> '', FALSE)`
      case 'boolean':
        return operand.nullable ? `COALESCE(${operand.sql}, FALSE)` : operand.sql
      case 'text[]':
        return `COALESCE(cardinality(${operand.sql}) > 0, FALSE)`
    }
  }

  /** `==` (loose) or `===` (strict) of two values, never NULL. */
  function equals(left: Value, right: Value, strict: boolean, at: Path): string {
    if (left.type === 'null' || right.type === 'null') {
      const other = left.type === 'null' ? right : left
      return other.type === 'null' ? 'TRUE' : other.nullable ? `(${other.sql} IS NULL)` : 'FALSE'
    }
    if (left.type === 'text[]' || right.type === 'text[]')
      throw new SqlRefusal(at, 'arrays can only be tested with "in_segment"')
    if (left.type === right.type) return `(${left.sql} IS NOT DISTINCT FROM ${right.sql})`
    if (strict) return 'FALSE' // different JsonLogic types, neither null: never strictly equal
    throw new SqlRefusal(
      at,
      `loose "==" between ${left.type} and ${right.type} follows JavaScript coercions that SQL cannot match; compare values of one type`,
    )
  }

  function comparison(name: string, args: unknown[], at: Path): string {
    if (name === '==' || name === '===' || name === '!=' || name === '!==') {
      if (args.length !== 2) throw new SqlRefusal(at, `"${name}" is supported with 2 arguments in SQL`)
      const strict = name.length === 3
      let [left, right] = [value(args[0], [...at, 0]), value(args[1], [...at, 1])]
      let sql: string
      if (strict) sql = equals(left, right, true, at)
      else {
        // A literal takes a number's type exactly as JavaScript's == converts it (5 == "5", 1 == true).
        const [l, r] = [coerceLiteral(left, right, args[0]), coerceLiteral(right, left, args[1])]
        sql = l === null || r === null ? 'FALSE' : equals((left = l), (right = r), false, at)
      }
      return name.startsWith('!') ? `(NOT ${sql})` : sql
    }
    if (args.length < 2 || args.length > 3)
      throw new SqlRefusal(at, `"${name}" is supported with 2 or 3 arguments in SQL`)
    const operands = args.map((arg, index) => numeric(arg, [...at, index]))
    const pairs = operands.slice(1).map((right, index) => `(${operands[index] as string} ${name} ${right})`)
    return `(${pairs.join(' AND ')})`
  }

  /**
   * Rewrites a string or boolean literal compared loosely with a number into that number; `null`
   * when it converts to NaN, which equals nothing (not even a missing value: null == NaN is false).
   */
  function coerceLiteral(self: Value, other: Value, node: unknown): Value | null {
    if (other.type !== 'number' || !isConstant(node, hasNow)) return self
    const constant = fold(node)
    if (typeof constant !== 'string' && typeof constant !== 'boolean') return self
    const converted = Number(constant)
    return Number.isNaN(converted) ? null : literal(converted, [])
  }

  function membership(args: unknown[], at: Path): string {
    if (args.length !== 2) throw new SqlRefusal(at, '"in" takes 2 arguments')
    const [needle, haystack] = args
    if (Array.isArray(haystack) && haystack.every((item) => !isOperationNode(item) && !Array.isArray(item))) {
      // Array membership is strict equality (indexOf): only items of the needle's type can match.
      const subject = value(needle, [...at, 0])
      const matches = haystack
        .map((item) => equals(subject, literal(item, [...at, 1]), true, at))
        .filter((sql) => sql !== 'FALSE')
      return matches.length === 0 ? 'FALSE' : `(${matches.join(' OR ')})`
    }
    const text = value(haystack, [...at, 1])
    const part = value(needle, [...at, 0])
    if (text.type === 'text' && part.type === 'text' && !part.nullable)
      return `COALESCE(strpos(${text.sql}, ${part.sql}) > 0, FALSE)`
    throw new SqlRefusal(at, '"in" is supported on a literal array, or a text field and a constant string')
  }

  function inSegment(args: unknown[], at: Path): string {
    const wanted = Array.isArray(args[0]) ? args[0] : [args[0]]
    if (!wanted.every((item) => typeof item === 'string') || (args[1] !== undefined && typeof args[1] !== 'string')) {
      throw new SqlRefusal(at, '"in_segment" is supported with constant segment names and a constant path')
    }
    for (const [index, item] of wanted.entries())
      checkSqlText(item as string, [...at, 0, index], 'the segment name', true)
    if (typeof args[1] === 'string') checkSqlText(args[1], [...at, 1], 'the path', true)
    const list = `${bind(wanted)}::text[]`
    const test = (path: string): string | null => {
      const spec = Object.hasOwn(columns, path) ? columns[path] : undefined
      if (spec === undefined) return null
      const sql = columnExpression(spec, bind, at)
      return spec.type === 'text[]'
        ? `COALESCE(${sql} && ${list}, FALSE)`
        : spec.type === 'text'
          ? `COALESCE(${sql} = ANY(${list}), FALSE)`
          : null
    }
    const paths = typeof args[1] === 'string' ? [args[1]] : ['rfm.segment', 'segments']
    const tests = paths.map(test).filter((sql): sql is string => sql !== null)
    if (tests.length === 0)
      throw new SqlRefusal(at, `"in_segment" needs ${paths.join(' or ')} mapped as text or text[]`)
    return `(${tests.join(' OR ')})`
  }

  /** How many of the literal `keys` are missing, as an SQL integer handed to `test`. */
  function missingCount(keys: readonly unknown[], at: Path, test: (count: string) => string): string {
    if (keys.length === 0) return 'FALSE'
    const count = keys
      .map(
        (key, index) =>
          `(CASE WHEN ${missingExpression(mapped(key, [...at, index]), bind, [...at, index])} THEN 1 ELSE 0 END)`,
      )
      .join(' + ')
    return test(`(${count})`)
  }

  /** The JsonLogic truthiness of a node, as a never-NULL SQL boolean. */
  function condition(node: unknown, path: Path): string {
    if (isConstant(node, hasNow)) return isTruthy(fold(node)) ? 'TRUE' : 'FALSE'
    const rule = node as Record<string, unknown>
    const name = Object.keys(rule)[0] as string
    const args = argsOf(rule, name)
    const at = [...path, name]
    const each = (): string[] => args.map((arg, index) => condition(arg, [...at, index]))
    switch (name) {
      case 'and':
        return args.length === 0 ? 'FALSE' : `(${each().join(' AND ')})`
      case 'or':
        return args.length === 0 ? 'FALSE' : `(${each().join(' OR ')})`
      case '!':
        return `(NOT ${condition(args[0], [...at, 0])})`
      case '!!':
        return condition(args[0], [...at, 0])
      case 'if':
      case '?:': {
        const parts = each()
        if (parts.length === 0) return 'FALSE'
        let sql = parts.length % 2 === 1 ? (parts[parts.length - 1] as string) : 'FALSE'
        for (let index = parts.length - (parts.length % 2 === 1 ? 3 : 2); index >= 0; index -= 2) {
          sql = `(CASE WHEN ${parts[index] as string} THEN ${parts[index + 1] as string} ELSE ${sql} END)`
        }
        return sql
      }
      case '==':
      case '===':
      case '!=':
      case '!==':
      case '<':
      case '<=':
      case '>':
      case '>=':
        return comparison(name, args, at)
      case 'in':
        return membership(args, at)
      case 'in_segment':
        return inSegment(args, at)
      case 'before':
      case 'after':
        return compileTimeOrder(name, args, at, scope)
      case 'missing':
        return missingCount(Array.isArray(args[0]) ? args[0] : args, at, (count) => `(${count} > 0)`)
      case 'missing_some': {
        // Truthy when fewer than `needed` keys are present and at least one is missing.
        const [needed, keys] = args
        if (!isConstant(needed, hasNow) || !Array.isArray(keys))
          throw new SqlRefusal(at, '"missing_some" is supported with a constant count and a literal list of keys')
        const minimum = Number(fold(needed))
        // "present >= needed" is false for NaN and Infinity, always true for -Infinity.
        if (minimum === -Infinity) return 'FALSE'
        return missingCount(keys, [...at, 1], (count) =>
          Number.isFinite(minimum)
            ? `(${keys.length} - ${count} < ${bind(minimum)}::float8 AND ${count} > 0)`
            : `(${count} > 0)`,
        )
      }
      default:
        return truthOf(value(node, path))
    }
  }

  compileLogic(rule) // malformed rules are refused with the engine's messages first
  try {
    return renumber(condition(rule, []), params)
  } catch (error) {
    if (!(error instanceof SqlRefusal)) throw error
    throw new EcrmValidationError('Rule cannot be compiled to SQL', [
      { path: error.path, message: error.detail, code: error.code },
    ])
  }
}
