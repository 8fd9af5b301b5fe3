import { PGlite } from '@electric-sql/pglite'
import { describe, expect, it } from 'vitest'
import { EcrmValidationError } from '../../src/errors.js'
import { compileLogicToSql } from '../../src/sql/compileLogicToSql.js'
import { checkSqlEquivalence, equivalenceColumns } from './sqlEquivalence.js'

function refusal(rule: unknown): unknown {
  try {
    compileLogicToSql(rule, equivalenceColumns)
  } catch (error) {
    expect(error).toBeInstanceOf(EcrmValidationError)
    return (error as EcrmValidationError).issues.map(({ path, code }) => ({ path, code }))
  }
  return 'compiled'
}

describe('compileLogicToSql', () => {
  it('binds every value as a parameter, never splicing it into the SQL', () => {
    const { sql, params } = compileLogicToSql(
      { and: [{ '>=': [{ var: 'orders' }, 3] }, { '==': [{ var: 'plan' }, "pro'; DROP TABLE x; --"] }] },
      equivalenceColumns,
    )
    expect(sql).not.toContain('DROP')
    expect(params).toEqual([3, "pro'; DROP TABLE x; --"])
    expect(sql).toBe('(((COALESCE(("orders")::float8, 0) >= $1::float8)) AND ("plan" IS NOT DISTINCT FROM $2::text))')
  })

  it('refuses what it cannot translate exactly, with the path of the fault', () => {
    expect(refusal({ and: [true, { '==': [{ var: 'plan' }, 5] }] })).toEqual([
      { path: ['and', 1, '=='], code: 'unsupported_in_sql' },
    ])
    expect(refusal({ '<': [{ var: 'plan' }, 'm'] })).toEqual([{ path: ['<', 0], code: 'unsupported_in_sql' }])
    expect(refusal({ '>': [{ '/': [1, { var: 'orders' }] }, 0] })).toEqual([
      { path: ['>', 0, '/'], code: 'unsupported_in_sql' },
    ])
    expect(refusal({ '%': [{ var: 'orders' }, 2] })).toEqual([{ path: ['%'], code: 'unsupported_in_sql' }])
    expect(refusal({ var: 'unmapped' })).toEqual([{ path: ['var'], code: 'unsupported_in_sql' }])
    expect(refusal({ var: ['orders', 0] })).toEqual([{ path: ['var'], code: 'unsupported_in_sql' }])
    expect(refusal({ '>': [{ count_events: ['Order Completed', '90d'] }, 2] })).toEqual([
      { path: ['>', 0, 'count_events'], code: 'unsupported_in_sql' },
    ])
    expect(refusal({ nope: 1 })).toEqual([{ path: ['nope'], code: 'unknown_operator' }])
    expect(() => compileLogicToSql({ '%': [{ var: 'orders' }, 2] }, equivalenceColumns)).toThrow(
      /Rule cannot be compiled to SQL: %/,
    )
  })

  it('folds constant parts and keeps only the parameters it uses', () => {
    expect(compileLogicToSql({ and: [{ '==': [1, '1'] }, { var: 'vip' }] }, equivalenceColumns)).toEqual({
      sql: '(TRUE AND COALESCE("vip", FALSE))',
      params: [],
    })
    expect(compileLogicToSql({ '===': [{ var: 'orders' }, '5'] }, equivalenceColumns)).toEqual({
      sql: 'FALSE',
      params: [],
    })
    expect(compileLogicToSql({ '==': [{ var: 'orders' }, 'five'] }, equivalenceColumns)).toEqual({
      sql: 'FALSE',
      params: [],
    })
  })

  it('selects the same profiles as applyLogic on PGlite for 3,000 generated rules', { timeout: 120_000 }, async () => {
    const db = new PGlite()
    try {
      const { compared, selective } = await checkSqlEquivalence(
        async (sql, params) => (await db.query<{ id: string }>(sql, params)).rows,
      )
      expect(compared).toBe(3000)
      console.info(`SQL equivalence: ${compared} rules, ${selective} selecting some but not all profiles`)
      expect(selective).toBeGreaterThan(1500)
    } finally {
      await db.close()
    }
  })
})
