import { checkBoundValue, checkIdentifier, SqlRefusal } from './sqlRefusal.js'
import type { SqlPath } from './sqlRefusal.js'

/**
 * How `var` paths of a rule map to PostgreSQL: plain columns or typed paths inside a JSONB
 * column. The map is the profile's schema for SQL: a field absent from the map is refused.
 */

/** The JsonLogic value type a column holds. `text[]` only serves `in_segment`. */
export type SqlValueType = 'number' | 'text' | 'boolean' | 'text[]'

/** A plain column (`double precision`/`numeric`, `text`, `boolean`, `text[]`), NULL when missing. */
export interface SqlPlainColumn {
  /** Column name, optionally qualified (`"p.order_count"`); quoted as identifiers. */
  readonly column: string
  readonly type: SqlValueType
}

/**
 * A value inside a JSONB column, reached key by key (`['traits', 'company', 'employee_count']` is
 * `traits.company.employee_count`, as `var` reads it in memory). A JSON value of another type than
 * `type` (or JSON null) reads as missing, as if the field were absent; keep the JSON typed as declared.
 */
export interface SqlJsonbColumn {
  /** The JSONB column, e.g. `"traits"`. */
  readonly jsonb: string
  /** Keys from that column down to the value, e.g. `['address', 'city']`. */
  readonly path: readonly string[]
  readonly type: Exclude<SqlValueType, 'text[]'>
}

/** Where each `var` path of a rule lives, e.g. `{ orders: { column: 'order_count', type: 'number' } }`. */
export type SqlColumnMap = Readonly<Record<string, SqlPlainColumn | SqlJsonbColumn>>

/** Quotes an identifier (each dot-separated part), doubling embedded quotes. */
export function quoteIdentifier(name: string): string {
  return name
    .split('.')
    .map((part) => `"${part.replaceAll('"', '""')}"`)
    .join('.')
}

const jsonbTypes: Readonly<Record<SqlJsonbColumn['type'], { json: string; cast: string }>> = {
  number: { json: 'number', cast: '::float8' },
  text: { json: 'string', cast: '' },
  boolean: { json: 'boolean', cast: '::boolean' },
}

/**
 * The SQL expression reading a mapped field; `bind` adds a parameter and returns its `$n`.
 * Numbers are read as float8, the IEEE double JavaScript computes with. Column names and path
 * keys are checked first (NUL, length), with `at` as the path of the refusal.
 */
export function columnExpression(
  spec: SqlPlainColumn | SqlJsonbColumn,
  bind: (value: unknown) => string,
  at: SqlPath,
): string {
  if ('column' in spec) {
    checkIdentifier(spec.column, at)
    const column = quoteIdentifier(spec.column)
    return spec.type === 'number' ? `(${column})::float8` : column
  }
  checkIdentifier(spec.jsonb, at)
  checkBoundValue(spec.path, at, 'a key of the mapped JSONB path', true)
  const column = quoteIdentifier(spec.jsonb)
  const path = bind([...spec.path])
  const { json, cast } = jsonbTypes[spec.type]
  return `(CASE WHEN jsonb_typeof(${column} #> ${path}::text[]) = '${json}' THEN (${column} #>> ${path}::text[])${cast} END)`
}

/**
 * A never-NULL SQL boolean: the field is missing as JsonLogic's `missing` sees it (absent, null or
 * `""`). JSONB fields are tested on the raw JSON, whatever their declared type, as memory does.
 */
export function missingExpression(
  spec: SqlPlainColumn | SqlJsonbColumn,
  bind: (value: unknown) => string,
  at: SqlPath,
): string {
  if ('column' in spec) {
    // An absent list and an empty one are the same column value; memory tells them apart.
    if (spec.type === 'text[]')
      throw new SqlRefusal(
        at,
        '"missing" cannot test a text[] column (an absent list reads as empty); test it with in_segment',
      )
    checkIdentifier(spec.column, at)
    const column = quoteIdentifier(spec.column)
    return spec.type === 'text' ? `(${column} IS NULL OR ${column} = '')` : `(${column} IS NULL)`
  }
  checkIdentifier(spec.jsonb, at)
  checkBoundValue(spec.path, at, 'a key of the mapped JSONB path', true)
  const value = `(${quoteIdentifier(spec.jsonb)} #> ${bind([...spec.path])}::text[])`
  return `COALESCE(${value} IN ('null'::jsonb, '""'::jsonb), TRUE)`
}
