import { PGlite } from '@electric-sql/pglite'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { EcrmValidationError } from '../../src/errors.js'
import { applyLogic } from '../../src/logic/engine.js'
import { isTruthy } from '../../src/logic/semantics.js'
import { compileLogicToSql } from '../../src/sql/compileLogicToSql.js'
import type { SqlCompileOptions } from '../../src/sql/sqlScope.js'
import type { SqlColumnMap } from '../../src/sql/sqlColumns.js'

const day = 86_400_000
const now = Date.UTC(2026, 5, 15, 12)
const today = Math.floor(now / day)
const columns: SqlColumnMap = {
  lastSeenAt: { jsonb: 'doc', path: ['lastSeenAt'], type: 'number' },
  'traits.signup': { jsonb: 'doc', path: ['traits', 'signup'], type: 'text' },
  'traits.company.size': { jsonb: 'doc', path: ['traits', 'company', 'size'], type: 'number' },
  'traits.plan': { jsonb: 'doc', path: ['traits', 'plan'], type: 'text' },
}
const options: SqlCompileOptions = { now, eventDays: { jsonb: 'doc', path: ['events', 'days'] } }

/** Rows as the store keeps profiles: the JSON, with `events.days` keyed by UTC day number. */
const docs: Record<string, unknown>[] = [
  {
    lastSeenAt: now - 3 * day,
    traits: { company: { size: 50 }, plan: 'pro' },
    events: {
      days: {
        'Order Completed': { [today]: { c: 2, s: { total: 19.99 } }, [today - 40]: { c: 1, s: { total: 5.01 } } },
      },
    },
  },
  {
    lastSeenAt: now - 100 * day,
    traits: { 'company.size': 500, plan: 'free' },
    events: { days: { 'Order Completed': { [today - 200]: { c: 4, s: { total: 80 } } } } },
  },
  {
    lastSeenAt: now - 2 * 3_600_000,
    traits: { company: { size: '9' } },
    events: { days: { 'Order Completed': 'broken', 'Product Viewed': { [today]: { c: 3, s: {} } } } },
  },
  { traits: {}, events: { days: {} } },
]

function refusal(rule: unknown, with_: SqlCompileOptions = options): unknown {
  try {
    compileLogicToSql(rule, columns, with_)
  } catch (error) {
    expect(error).toBeInstanceOf(EcrmValidationError)
    return (error as EcrmValidationError).issues.map(({ path, code }) => ({ path, code }))
  }
  return 'compiled'
}

describe('compileLogicToSql with the CRM operators', () => {
  let db: PGlite
  beforeAll(async () => {
    db = new PGlite()
    await db.query('CREATE TABLE crm_rows (id text PRIMARY KEY, doc jsonb NOT NULL)')
    for (const [index, doc] of docs.entries())
      await db.query('INSERT INTO crm_rows VALUES ($1, $2)', [`r${index}`, JSON.stringify(doc)])
  }, 120_000)
  afterAll(async () => db?.close())

  const agree = async (rule: unknown): Promise<string[]> => {
    const expected = docs.flatMap((doc, index) => (isTruthy(applyLogic(rule, doc, { now })) ? [`r${index}`] : []))
    const { sql, params } = compileLogicToSql(rule, columns, options)
    const actual = (
      await db.query<{ id: string }>(`SELECT id FROM crm_rows WHERE ${sql} ORDER BY id`, params)
    ).rows.map((row) => row.id)
    expect({ rule, actual }).toEqual({ rule, actual: expected })
    return actual
  }

  it('compares days_since, hours_since, before and after with the evaluation time bound as a parameter', async () => {
    const { sql, params } = compileLogicToSql({ '>': [{ days_since: { var: 'lastSeenAt' } }, 30] }, columns, options)
    expect(sql).not.toMatch(/now\(\)|current_timestamp/i)
    expect(params).toContain(now)
    expect(await agree({ '>': [{ days_since: { var: 'lastSeenAt' } }, 30] })).toEqual(['r1'])
    // A missing time gives null, which JavaScript's < reads as 0: memory and SQL both select r3.
    expect(await agree({ '<': [{ hours_since: { var: 'lastSeenAt' } }, 3] })).toEqual(['r2', 'r3'])
    expect(await agree({ before: [{ var: 'lastSeenAt' }, '30d'] })).toEqual(['r1'])
    expect(await agree({ after: [{ var: 'lastSeenAt' }, '2026-06-01'] })).toEqual(['r0', 'r2'])
    expect(await agree({ after: [{ var: 'lastSeenAt' }, 'not a date'] })).toEqual([])
    expect(await agree({ '!': { before: ['2026-01-01', { var: 'lastSeenAt' }] } })).toEqual(['r3'])
  })

  it('counts and sums the day buckets of an event in a window', async () => {
    expect(await agree({ '>=': [{ count_events: ['Order Completed', '30d'] }, 2] })).toEqual(['r0'])
    expect(await agree({ '>=': [{ count_events: ['Order Completed'] }, 3] })).toEqual(['r0', 'r1'])
    expect(await agree({ '>': [{ count_events: ['Order Completed', 365] }, 3] })).toEqual(['r1'])
    expect(await agree({ '>': [{ sum_events: ['Order Completed', '90d', 'total'] }, 24.5] })).toEqual(['r0'])
    expect(await agree({ '>': [{ count_events: ['Product Viewed', '1d'] }, 0] })).toEqual(['r2'])
    expect(await agree({ '>': [{ sum_events: ['Order Completed', null, '__proto__'] }, 0] })).toEqual([])
  })

  it('reads nested paths nested, as memory does, never a flat dotted key', async () => {
    expect(await agree({ '>': [{ var: 'traits.company.size' }, 10] })).toEqual(['r0'])
    expect(await agree({ missing: ['traits.company.size'] })).toEqual(['r1', 'r3'])
    expect(await agree({ missing_some: [1, ['traits.plan', 'traits.company.size']] })).toEqual(['r3'])
  })

  it('refuses clearly, at the JsonLogic path, what it cannot translate exactly', () => {
    expect(refusal({ '>': [{ days_since: { var: 'lastSeenAt' } }, 1] }, {})).toEqual([
      { path: ['>', 0, 'days_since'], code: 'unsupported_in_sql' },
    ])
    expect(refusal({ '>': [{ days_since: { var: 'traits.signup' } }, 1] })).toEqual([
      { path: ['>', 0, 'days_since', 0], code: 'unsupported_in_sql' },
    ])
    expect(refusal({ '>': [{ count_events: ['Order Completed'] }, 1] }, { now })).toEqual([
      { path: ['>', 0, 'count_events'], code: 'unsupported_in_sql' },
    ])
    expect(refusal({ '>': [{ count_events: [{ var: 'traits.plan' }] }, 1] })).toEqual([
      { path: ['>', 0, 'count_events', 0], code: 'unsupported_in_sql' },
    ])
    expect(refusal({ '>': [{ count_events: ['Order Completed', 1e12] }, 1] })).toEqual([
      { path: ['>', 0, 'count_events', 1], code: 'unsupported_in_sql' },
    ])
    expect(refusal({ birthday_today: { var: 'traits.signup' } })).toEqual([
      { path: ['birthday_today'], code: 'unsupported_in_sql' },
    ])
  })

  it('refuses a NUL character and over-long names with the path, before anything reaches PostgreSQL', () => {
    expect(refusal({ '==': [{ var: 'traits.plan' }, 'pro\u0000'] })).toEqual([
      { path: ['==', 1], code: 'nul_character' },
    ])
    expect(refusal({ and: [true, { in: [{ var: 'traits.plan' }, ['a', 'b\u0000']] }] })).toEqual([
      { path: ['and', 1, 'in', 1], code: 'nul_character' },
    ])
    expect(refusal({ in_segment: [['ok', 'x\u0000']] })).toEqual([
      { path: ['in_segment', 0, 1], code: 'nul_character' },
    ])
    expect(refusal({ '>': [{ count_events: ['Order\u0000'] }, 1] })).toEqual([
      { path: ['>', 0, 'count_events', 0], code: 'nul_character' },
    ])
    expect(refusal({ var: 'traits.\u0000' })).toEqual([{ path: ['var'], code: 'nul_character' }])
    expect(refusal({ '==': [{ var: 'traits.plan' }, 'a\ud800'] })).toEqual([
      { path: ['==', 1], code: 'invalid_unicode' },
    ])
    expect(refusal({ '==': [{ var: 'traits.plan' }, '😀'] })).toBe('compiled')
    expect(refusal({ in_segment: ['s'.repeat(257)] })).toEqual([{ path: ['in_segment', 0, 0], code: 'name_too_long' }])
    expect(refusal({ '>': [{ count_events: ['e'.repeat(300)] }, 1] })).toEqual([
      { path: ['>', 0, 'count_events', 0], code: 'name_too_long' },
    ])
    expect(refusal({ var: `traits.${'k'.repeat(300)}` })).toEqual([{ path: ['var'], code: 'name_too_long' }])
    expect(refusal({ var: 'traits.constructor' })).toEqual([{ path: ['var'], code: 'unsupported_in_sql' }])
    expect(() => compileLogicToSql({ '==': [{ var: 'traits.plan' }, 'a\u0000'] }, columns, options)).toThrow(
      /==\[1\] \(the text contains a NUL character/,
    )
  })

  it('folds constant time expressions with now and binds their values', () => {
    expect(compileLogicToSql({ '<': [{ days_since: '2026-06-01' }, 30] }, columns, options)).toEqual({
      sql: 'TRUE',
      params: [],
    })
    const { sql, params } = compileLogicToSql({ '>': [{ var: 'lastSeenAt' }, { now: [] }] }, columns, options)
    expect(sql).toContain('$2::float8')
    expect(params).toEqual([['lastSeenAt'], now])
  })
})
