/**
 * How the SQL compiler refuses: a fault at a JsonLogic path, turned into an `EcrmValidationError`
 * issue by `compileLogicToSql`. Also the checks every name and text value passes before it can
 * reach PostgreSQL.
 */

/** A JsonLogic path, e.g. `['and', 1, '==', 0]`. */
export type SqlPath = readonly (string | number)[]

/** Thrown inside the compiler; `compileLogicToSql` turns it into an issue at `path`. */
export class SqlRefusal extends Error {
  constructor(
    readonly path: SqlPath,
    readonly detail: string,
    readonly code: 'unsupported_in_sql' | 'nul_character' | 'invalid_unicode' | 'name_too_long' = 'unsupported_in_sql',
  ) {
    super(detail)
  }
}

/**
 * Longest name (event, segment, property, path key) the compiler passes to SQL, in characters.
 * Event names are at most 200 in the event model; a longer name can only be a mistake or an attack.
 */
export const MAX_SQL_NAME_LENGTH = 256

/** PostgreSQL truncates identifiers past 63 bytes (NAMEDATALEN - 1), silently changing the column. */
const MAX_IDENTIFIER_BYTES = 63

/** A UTF-16 surrogate without its pair: no UTF-8 encoding exists, drivers would substitute U+FFFD. */
const loneSurrogate = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/

/**
 * Refuses a text that PostgreSQL cannot hold (a NUL character: `text` and `jsonb` reject U+0000
 * with a raw driver error; a lone surrogate, which would silently become U+FFFD on the way) and,
 * for names, one over {@link MAX_SQL_NAME_LENGTH}.
 */
export function checkSqlText(text: string, path: SqlPath, what: string, isName = false): void {
  if (text.includes('\u0000')) {
    throw new SqlRefusal(
      path,
      `${what} contains a NUL character (U+0000), which PostgreSQL text cannot hold; remove it`,
      'nul_character',
    )
  }
  if (loneSurrogate.test(text)) {
    throw new SqlRefusal(
      path,
      `${what} contains a lone UTF-16 surrogate, which has no UTF-8 encoding; send valid Unicode`,
      'invalid_unicode',
    )
  }
  if (isName && text.length > MAX_SQL_NAME_LENGTH) {
    throw new SqlRefusal(
      path,
      `${what} is ${text.length} characters long, over the limit of ${MAX_SQL_NAME_LENGTH}`,
      'name_too_long',
    )
  }
}

/** Refuses a column identifier PostgreSQL would truncate or reject. */
export function checkIdentifier(name: string, path: SqlPath): void {
  checkSqlText(name, path, `the column "${name.slice(0, 40)}"`)
  // `$<digits>` is how parameters are numbered in the compiled SQL; an identifier must not look like one.
  if (/\$\d/.test(name))
    throw new SqlRefusal(
      path,
      `the column name "${name.slice(0, 80)}" contains "$" and a digit, which the compiled SQL reserves for parameters`,
    )
  for (const part of name.split('.')) {
    if (utf8Length(part) > MAX_IDENTIFIER_BYTES || part === '') {
      throw new SqlRefusal(
        path,
        `the column name "${name.slice(0, 80)}" has a part that is empty or over ${MAX_IDENTIFIER_BYTES} bytes (PostgreSQL would truncate it)`,
        'name_too_long',
      )
    }
  }
}

function utf8Length(text: string): number {
  let bytes = 0
  for (const char of text) {
    const code = char.codePointAt(0) as number
    bytes += code < 0x80 ? 1 : code < 0x800 ? 2 : code < 0x10000 ? 3 : 4
  }
  return bytes
}

/** Checks every string a bound value holds (a text, or the items of a text array). */
export function checkBoundValue(value: unknown, path: SqlPath, what: string, isName = false): void {
  if (typeof value === 'string') checkSqlText(value, path, what, isName)
  else if (Array.isArray(value)) for (const item of value) checkBoundValue(item, path, what, isName)
}
