import { EcrmValidationError } from '../errors.js'
import { applyLogic, compileLogic } from '../logic/engine.js'
import { isOperationNode, isTruthy } from '../logic/semantics.js'
import { columnExpression } from './sqlColumns.js'
import type { SqlColumnMap, SqlValueType } from './sqlColumns.js'

/** A PostgreSQL `WHERE` condition with its bound parameters (`$1`, `$2`, ...). */
export interface SqlCondition {
  /** A boolean expression that is never NULL. Values are never spliced in: all are in `params`. */
  readonly sql: string
  readonly params: unknown[]
}

type Path = readonly (string | number)[]
/** A compiled value: its SQL, its JsonLogic type, and whether it can be NULL (missing). */
interface Value {
  readonly sql: string
  readonly type: SqlValueType | 'null'
  readonly nullable: boolean
}

class Unsupported extends Error {
  constructor(
    readonly path: Path,
    readonly detail: string,
  ) {
    super(detail)
  }
}

/** Operators whose result depends only on their arguments (no time, no data): foldable. */
const crmOperators = new Set(['now', 'days_since', 'hours_since', 'before', 'after', 'birthday_today', 'anniversary', 'in_segment', 'count_events', 'sum_events'])

function isConstant(rule: unknown): boolean {
  if (Array.isArray(rule)) return rule.every(isConstant)
  if (!isOperationNode(rule)) return true
  const name = Object.keys(rule)[0] as string
  return name !== 'var' && name !== 'missing' && name !== 'missing_some' && !crmOperators.has(name) && isConstant(rule[name])
}

function argsOf(rule: Record<string, unknown>, name: string): unknown[] {
  const raw = rule[name]
  return Array.isArray(raw) ? raw : [raw]
}

/**
 * Compiles the condition of a rule to a PostgreSQL `WHERE` clause over a column map, so a segment
 * over a whole customer base runs in the database. A row matches exactly when
 * `applyLogic(rule, row-as-profile)` is truthy. Whatever cannot be translated exactly (JsonLogic's
 * loose `==` across types, relational operators on text, `/` by a non-constant, `%`, event
 * history...) is refused with {@link EcrmValidationError} and the path of the fault, never guessed.
 *
 * @example
 * const { sql, params } = compileLogicToSql(
 *   { and: [{ '>=': [{ var: 'orders' }, 3] }, { in_segment: 'champions' }] },
 *   { orders: { column: 'order_count', type: 'number' }, 'rfm.segment': { column: 'rfm_segment', type: 'text' } },
 * )
 * await db.query(`SELECT id FROM profiles WHERE ${sql}`, params)
 */
export function compileLogicToSql(rule: unknown, columns: SqlColumnMap): SqlCondition {
  const params: unknown[] = []
  const bind = (value: unknown): string => {
    params.push(value)
    return `$${params.length}`
  }
  const literal = (value: unknown, path: Path): Value => {
    if (value === null) return { sql: 'NULL', type: 'null', nullable: true }
    if (typeof value === 'number') {
      // PostgreSQL's NaN equals itself and overflow raises: only finite numbers translate exactly.
      if (!Number.isFinite(value)) throw new Unsupported(path, `the constant ${String(value)} has no exact SQL equivalent`)
      return { sql: `${bind(value)}::float8`, type: 'number', nullable: false }
    }
    if (typeof value === 'string') return { sql: `${bind(value)}::text`, type: 'text', nullable: false }
    if (typeof value === 'boolean') return { sql: value ? 'TRUE' : 'FALSE', type: 'boolean', nullable: false }
    throw new Unsupported(path, 'arrays and objects are only supported as the list of "in"')
  }

  /** A value whose SQL is a JsonLogic value of a known type. */
  function value(node: unknown, path: Path): Value {
    if (isConstant(node)) return literal(applyLogic(node), path)
    const rule = node as Record<string, unknown>
    const name = Object.keys(rule)[0] as string
    const args = argsOf(rule, name)
    const at = [...path, name]
    if (name === 'var') {
      if (args.length !== 1 || typeof args[0] !== 'string') {
        throw new Unsupported(at, 'only {"var": "<mapped path>"} is supported (a default cannot tell a missing field from NULL)')
      }
      const spec = Object.hasOwn(columns, args[0]) ? columns[args[0]] : undefined
      if (spec === undefined) throw new Unsupported(at, `the path "${args[0]}" is not in the column map; add it`)
      return { sql: columnExpression(spec, bind), type: spec.type, nullable: true }
    }
    if (name === '+' || name === '*' || name === '-' || name === '/' || name === 'max' || name === 'min') {
      return arithmetic(name, args, at)
    }
    throw new Unsupported(at, `"${name}" is not supported as a value in SQL; use it as a condition or evaluate in memory`)
  }

  /** A number operand as JavaScript's Number() sees it: a missing value (null) is 0. */
  function numeric(node: unknown, path: Path): string {
    const operand = value(node, path)
    if (operand.type === 'null') return '0::float8'
    if (operand.type !== 'number') {
      throw new Unsupported(path, `arithmetic and ordering are supported on numbers only, not ${operand.type}`)
    }
    return operand.nullable ? `COALESCE(${operand.sql}, 0)` : operand.sql
  }

  function arithmetic(name: string, args: unknown[], at: Path): Value {
    const number = (sql: string): Value => ({ sql, type: 'number', nullable: false })
    if (name === 'max' || name === 'min') {
      if (args.length === 0) throw new Unsupported(at, `"${name}" needs at least one argument in SQL`)
      return number(`${name === 'max' ? 'GREATEST' : 'LEAST'}(${args.map((arg, index) => numeric(arg, [...at, index])).join(', ')})`)
    }
    if (name === '/') {
      // PostgreSQL raises on division by zero where JavaScript gives Infinity: only safe divisors.
      const divisors = args.slice(1)
      if (args.length < 2 || !divisors.every((arg) => isConstant(arg) && typeof applyLogic(arg) === 'number' && applyLogic(arg) !== 0)) {
        throw new Unsupported(at, '"/" is supported with constant, non-zero numeric divisors only')
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
    if (left.type === 'text[]' || right.type === 'text[]') throw new Unsupported(at, 'arrays can only be tested with "in_segment"')
    if (left.type === right.type) return `(${left.sql} IS NOT DISTINCT FROM ${right.sql})`
    if (strict) return 'FALSE' // different JsonLogic types, neither null: never strictly equal
    throw new Unsupported(at, `loose "==" between ${left.type} and ${right.type} follows JavaScript coercions that SQL cannot match; compare values of one type`)
  }

  function comparison(name: string, args: unknown[], at: Path): string {
    if (name === '==' || name === '===' || name === '!=' || name === '!==') {
      if (args.length !== 2) throw new Unsupported(at, `"${name}" is supported with 2 arguments in SQL`)
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
    if (args.length < 2 || args.length > 3) throw new Unsupported(at, `"${name}" is supported with 2 or 3 arguments in SQL`)
    const operands = args.map((arg, index) => numeric(arg, [...at, index]))
    const pairs = operands.slice(1).map((right, index) => `(${operands[index] as string} ${name} ${right})`)
    return `(${pairs.join(' AND ')})`
  }

  /**
   * Rewrites a string or boolean literal compared loosely with a number into that number; `null`
   * when it converts to NaN, which equals nothing (not even a missing value: null == NaN is false).
   */
  function coerceLiteral(self: Value, other: Value, node: unknown): Value | null {
    if (other.type !== 'number' || !isConstant(node)) return self
    const constant = applyLogic(node)
    if (typeof constant !== 'string' && typeof constant !== 'boolean') return self
    const converted = Number(constant)
    return Number.isNaN(converted) ? null : literal(converted, [])
  }

  function membership(args: unknown[], at: Path): string {
    if (args.length !== 2) throw new Unsupported(at, '"in" takes 2 arguments')
    const [needle, haystack] = args
    if (Array.isArray(haystack) && haystack.every((item) => !isOperationNode(item) && !Array.isArray(item))) {
      // Array membership is strict equality (indexOf): only items of the needle's type can match.
      const subject = value(needle, [...at, 0])
      const matches = haystack.map((item) => equals(subject, literal(item, [...at, 1]), true, at)).filter((sql) => sql !== 'FALSE')
      return matches.length === 0 ? 'FALSE' : `(${matches.join(' OR ')})`
    }
    const text = value(haystack, [...at, 1])
    const part = value(needle, [...at, 0])
    if (text.type === 'text' && part.type === 'text' && !part.nullable) return `COALESCE(strpos(${text.sql}, ${part.sql}) > 0, FALSE)`
    throw new Unsupported(at, '"in" is supported on a literal array, or a text field and a constant string')
  }

  function inSegment(args: unknown[], at: Path): string {
    const wanted = Array.isArray(args[0]) ? args[0] : [args[0]]
    if (!wanted.every((item) => typeof item === 'string') || (args[1] !== undefined && typeof args[1] !== 'string')) {
      throw new Unsupported(at, '"in_segment" is supported with constant segment names and a constant path')
    }
    const list = `${bind(wanted)}::text[]`
    const test = (path: string): string | null => {
      const spec = Object.hasOwn(columns, path) ? columns[path] : undefined
      if (spec === undefined) return null
      const sql = columnExpression(spec, bind)
      return spec.type === 'text[]' ? `COALESCE(${sql} && ${list}, FALSE)` : spec.type === 'text' ? `COALESCE(${sql} = ANY(${list}), FALSE)` : null
    }
    const paths = typeof args[1] === 'string' ? [args[1]] : ['rfm.segment', 'segments']
    const tests = paths.map(test).filter((sql): sql is string => sql !== null)
    if (tests.length === 0) throw new Unsupported(at, `"in_segment" needs ${paths.join(' or ')} mapped as text or text[]`)
    return `(${tests.join(' OR ')})`
  }

  /** The JsonLogic truthiness of a node, as a never-NULL SQL boolean. */
  function condition(node: unknown, path: Path): string {
    if (isConstant(node)) return isTruthy(applyLogic(node)) ? 'TRUE' : 'FALSE'
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
      case '==': case '===': case '!=': case '!==': case '<': case '<=': case '>': case '>=':
        return comparison(name, args, at)
      case 'in':
        return membership(args, at)
      case 'in_segment':
        return inSegment(args, at)
      default:
        return truthOf(value(node, path))
    }
  }

  compileLogic(rule) // malformed rules are refused with the engine's messages first
  try {
    return renumber(condition(rule, []), params)
  } catch (error) {
    if (!(error instanceof Unsupported)) throw error
    throw new EcrmValidationError('Rule cannot be compiled to SQL', [
      { path: error.path, message: error.detail, code: 'unsupported_in_sql' },
    ])
  }
}

/**
 * Keeps only the parameters the SQL uses, numbered in order of appearance: PostgreSQL refuses a
 * statement with a parameter it cannot type, and folding can drop a bound value.
 */
function renumber(sql: string, params: readonly unknown[]): SqlCondition {
  const mapping = new Map<string, string>()
  const kept: unknown[] = []
  const text = sql.replace(/\$(\d+)/g, (_match, index: string) => {
    let name = mapping.get(index)
    if (name === undefined) {
      kept.push(params[Number(index) - 1])
      name = `$${kept.length}`
      mapping.set(index, name)
    }
    return name
  })
  return { sql: text, params: kept }
}
