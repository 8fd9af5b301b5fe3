import fc from 'fast-check'
import { expect } from 'vitest'
import { applyLogic } from '../../src/logic/engine.js'
import { isTruthy } from '../../src/logic/semantics.js'
import { compileLogicToSql } from '../../src/sql/compileLogicToSql.js'
import type { SqlColumnMap } from '../../src/sql/sqlColumns.js'

/** Runs SQL with bound parameters and returns the rows: PGlite, node-postgres or any other. */
export type SqlQuery = (sql: string, params: unknown[]) => Promise<{ id: string }[]>

/** The table the equivalence runs over; the same DDL works on PGlite and PostgreSQL. */
export const profilesTableSql = `
CREATE TABLE IF NOT EXISTS ecrm_rule_equivalence (
  id text PRIMARY KEY,
  orders double precision,
  revenue double precision,
  plan text,
  vip boolean,
  segments text[],
  rfm_segment text,
  traits jsonb
)`

/** Where each rule path lives in that table. */
export const equivalenceColumns: SqlColumnMap = {
  orders: { column: 'orders', type: 'number' },
  revenue: { column: 'revenue', type: 'number' },
  plan: { column: 'plan', type: 'text' },
  vip: { column: 'vip', type: 'boolean' },
  segments: { column: 'segments', type: 'text[]' },
  'rfm.segment': { column: 'rfm_segment', type: 'text' },
  'traits.age': { jsonb: 'traits', path: ['age'], type: 'number' },
  'traits.city': { jsonb: 'traits', path: ['city'], type: 'text' },
}

const texts = ['', 'pro', 'Pro', 'free', '5', '0', '2.5', 'é', 'a b', 'champions', 'at_risk']
const numbers = [0, 1, 2, 3, 5, 10, -1, 0.1, 0.2, 2.5, 100]
/** Absent (key left out), null, or a value: JsonLogic sees null for the first two, SQL NULL. */
const maybe = <T>(arb: fc.Arbitrary<T>): fc.Arbitrary<T | null | undefined> =>
  fc.oneof(
    { weight: 1, arbitrary: fc.constant(undefined) },
    { weight: 1, arbitrary: fc.constant(null) },
    { weight: 4, arbitrary: arb },
  )

const profileArbitrary = fc.record({
  orders: maybe(fc.constantFrom(...numbers)),
  revenue: maybe(fc.constantFrom(...numbers)),
  plan: maybe(fc.constantFrom(...texts)),
  vip: maybe(fc.boolean()),
  segments: maybe(fc.uniqueArray(fc.constantFrom(...texts), { maxLength: 3 })),
  rfmSegment: maybe(fc.constantFrom(...texts)),
  age: maybe(fc.constantFrom(...numbers)),
  city: maybe(fc.constantFrom(...texts)),
  hasTraits: fc.boolean(),
})
type GeneratedProfile = typeof profileArbitrary extends fc.Arbitrary<infer T> ? T : never

function toData(profile: GeneratedProfile): Record<string, unknown> {
  const data: Record<string, unknown> = {}
  const put = (target: Record<string, unknown>, key: string, value: unknown): void => {
    if (value !== undefined) target[key] = value
  }
  put(data, 'orders', profile.orders)
  put(data, 'revenue', profile.revenue)
  put(data, 'plan', profile.plan)
  put(data, 'vip', profile.vip)
  put(data, 'segments', profile.segments)
  if (profile.rfmSegment !== undefined) data['rfm'] = { segment: profile.rfmSegment }
  if (profile.hasTraits) {
    const traits: Record<string, unknown> = {}
    put(traits, 'age', profile.age)
    put(traits, 'city', profile.city)
    data['traits'] = traits
  }
  return data
}

const numberVar = fc.constantFrom('orders', 'revenue', 'traits.age').map((name) => ({ var: name }))
const textVar = fc.constantFrom('plan', 'rfm.segment', 'traits.city').map((name) => ({ var: name }))
const numberLiteral = fc.constantFrom(...numbers)
const textLiteral = fc.constantFrom(...texts)

/** Rules inside the translatable subset: every one must compile, and agree with memory. */
const ruleArbitrary = fc.letrec<{ num: unknown; cond: unknown }>((tie) => ({
  num: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    numberVar,
    numberLiteral,
    fc
      .tuple(fc.constantFrom('+', '-', '*', 'max', 'min'), fc.array(tie('num'), { minLength: 1, maxLength: 3 }))
      .map(([op, args]) => ({ [op]: args })),
    fc.tuple(tie('num'), fc.constantFrom(2, 4, -0.5)).map(([a, b]) => ({ '/': [a, b] })),
  ),
  cond: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.tuple(fc.constantFrom('<', '<=', '>', '>='), tie('num'), tie('num')).map(([op, a, b]) => ({ [op]: [a, b] })),
    fc
      .tuple(fc.constantFrom('<', '<='), tie('num'), tie('num'), tie('num'))
      .map(([op, a, b, c]) => ({ [op]: [a, b, c] })),
    fc
      .tuple(
        fc.constantFrom('==', '!=', '===', '!=='),
        tie('num'),
        fc.oneof(tie('num'), textLiteral, fc.boolean(), fc.constant(null)),
      )
      .map(([op, a, b]) => ({ [op]: [a, b] })),
    fc
      .tuple(fc.constantFrom('==', '!=', '===', '!=='), textVar, fc.oneof(textVar, textLiteral, fc.constant(null)))
      .map(([op, a, b]) => ({ [op]: [a, b] })),
    fc
      .tuple(fc.constantFrom('==', '!=', '===', '!=='), fc.boolean(), fc.constant({ var: 'vip' }))
      .map(([op, a, b]) => ({ [op]: [a, b] })),
    fc
      .tuple(textVar, fc.array(fc.oneof(textLiteral, numberLiteral, fc.constant(null)), { maxLength: 4 }))
      .map(([a, list]) => ({ in: [a, list] })),
    fc
      .tuple(numberVar, fc.array(fc.oneof(textLiteral, numberLiteral), { maxLength: 4 }))
      .map(([a, list]) => ({ in: [a, list] })),
    fc.tuple(textLiteral, textVar).map(([a, b]) => ({ in: [a, b] })),
    fc.uniqueArray(textLiteral, { minLength: 1, maxLength: 3 }).map((names) => ({ in_segment: [names] })),
    fc
      .tuple(textLiteral, fc.constantFrom('plan', 'segments', 'traits.city'))
      .map(([name, path]) => ({ in_segment: [name, path] })),
    fc.constantFrom({ var: 'vip' }, { var: 'segments' }, { var: 'plan' }, { '!!': { var: 'traits.city' } }),
    tie('num'),
    fc.array(tie('cond'), { maxLength: 3 }).map((args) => ({ and: args })),
    fc.array(tie('cond'), { maxLength: 3 }).map((args) => ({ or: args })),
    tie('cond').map((arg) => ({ '!': [arg] })),
    fc.array(tie('cond'), { minLength: 1, maxLength: 5 }).map((args) => ({ if: args })),
  ),
})).cond

/**
 * Checks that generated rules select the same profiles in memory (applyLogic) and as SQL
 * (compileLogicToSql), through `query`. Give it PGlite or a real PostgreSQL; it creates and fills
 * its own table. Returns how many rules it compared and how many selected some but not all
 * profiles (a generator that only made trivial rules would prove little).
 */
export async function checkSqlEquivalence(
  query: SqlQuery,
  { rules = 3000, profiles = 60, seed = 42 } = {},
): Promise<{ compared: number; selective: number }> {
  await query(profilesTableSql, [])
  await query('DELETE FROM ecrm_rule_equivalence', [])
  const rows = fc.sample(profileArbitrary, { numRuns: profiles, seed })
  const data = new Map<string, Record<string, unknown>>()
  for (const [index, row] of rows.entries()) {
    const id = `p${String(index).padStart(3, '0')}`
    data.set(id, toData(row))
    const traits = row.hasTraits ? JSON.stringify(toData(row)['traits']) : null
    await query(
      'INSERT INTO ecrm_rule_equivalence (id, orders, revenue, plan, vip, segments, rfm_segment, traits) VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb)',
      [
        id,
        row.orders ?? null,
        row.revenue ?? null,
        row.plan ?? null,
        row.vip ?? null,
        row.segments ?? null,
        row.rfmSegment ?? null,
        traits,
      ],
    )
  }
  const generated = fc.sample(ruleArbitrary, { numRuns: rules, seed })
  let compared = 0
  let selective = 0
  for (const rule of generated) {
    const expected = [...data].filter(([, profile]) => isTruthy(applyLogic(rule, profile))).map(([id]) => id)
    const { sql, params } = compileLogicToSql(rule, equivalenceColumns)
    const actual = (await query(`SELECT id FROM ecrm_rule_equivalence WHERE ${sql} ORDER BY id`, params)).map(
      (row) => row.id,
    )
    expect({ rule, ids: actual }).toEqual({ rule, ids: expected })
    compared += 1
    if (expected.length > 0 && expected.length < data.size) selective += 1
  }
  return { compared, selective }
}
