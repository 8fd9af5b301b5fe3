/** Public surface of the JsonLogic-to-PostgreSQL compiler. */
export { compileLogicToSql } from './compileLogicToSql.js'
export type { SqlCondition } from './compileLogicToSql.js'
export type { SqlCompileOptions } from './sqlScope.js'
export { MAX_SQL_NAME_LENGTH } from './sqlRefusal.js'
export { quoteIdentifier } from './sqlColumns.js'
export type { SqlColumnMap, SqlPlainColumn, SqlJsonbColumn, SqlValueType } from './sqlColumns.js'
