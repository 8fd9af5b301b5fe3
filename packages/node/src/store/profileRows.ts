import { DERIVED_PROFILE_FIELDS } from '@ecrm/core'
import type { CustomerProfile } from '@ecrm/core'
import type { SqlExecutor } from './storeTypes.js'

/** Profiles per statement: one JSON parameter holds them all, so only memory bounds a page. */
const ROWS_PER_STATEMENT = 2_000

const isoOrNull = (at: number | null | undefined): string | null => (at == null ? null : new Date(at).toISOString())

type Column = readonly [name: string, type: string, value: (profile: CustomerProfile) => unknown]

/** The columns of `ecrm_profiles` folded from events, each with its SQL type and its value. */
const foldedColumns: readonly Column[] = [
  ['user_id', 'text', (p) => p.identities.userIds[0] ?? null],
  ['email', 'text', emailOf],
  ['order_count', 'integer', (p) => p.money.orderCount],
  ['revenue', 'float8', (p) => p.money.revenue],
  ['currency', 'text', (p) => p.money.currency],
  ['first_seen_at', 'timestamptz', (p) => isoOrNull(p.firstSeenAt)],
  ['last_seen_at', 'timestamptz', (p) => isoOrNull(p.lastSeenAt)],
  ['last_order_at', 'timestamptz', (p) => isoOrNull(p.money.lastOrderAt)],
]

/** The derived columns (migration 3). */
const derivedColumns: readonly Column[] = [
  ['rfm_r', 'smallint', (p) => p.rfm?.r ?? null],
  ['rfm_f', 'smallint', (p) => p.rfm?.f ?? null],
  ['rfm_m', 'smallint', (p) => p.rfm?.m ?? null],
  ['rfm_segment', 'text', (p) => p.rfm?.segment ?? null],
  ['lead_score', 'float8', (p) => p.lead?.score ?? null],
  ['lead_grade', 'text', (p) => p.lead?.grade ?? null],
  ['lead_letter', 'text', (p) => p.lead?.letter ?? null],
  ['lead_level', 'integer', (p) => p.lead?.level ?? null],
  ['lead_stage', 'text', (p) => p.lead?.stage ?? null],
  ['clv_p_alive', 'float8', (p) => p.clv?.pAlive ?? null],
  ['clv_expected_purchases', 'float8', (p) => p.clv?.expectedPurchases ?? null],
  ['clv_value', 'float8', (p) => p.clv?.value ?? null],
  ['segments', 'text[]', (p) => p.segments ?? []],
  ['loyalty_balance', 'float8', (p) => p.loyalty?.balance ?? null],
  ['loyalty_tier', 'text', (p) => p.loyalty?.tier ?? null],
  ['derived_at', 'timestamptz', (p) => isoOrNull(p.lead?.at)],
]

function emailOf(profile: CustomerProfile): string | null {
  const trait = profile.traits['email']
  return profile.identities.emails[0] ?? (typeof trait === 'string' ? trait.toLowerCase() : null)
}

const all = [...foldedColumns, ...derivedColumns]

/**
 * Upserts rows with the JSON and the `list` columns (the unique index on customer_id arbitrates).
 * The rows travel as one JSON document read by `jsonb_to_recordset`: one `JSON.stringify` of the
 * page instead of a text array per column, whose per-element quoting of 2 KB profile documents
 * cost more CPU than the rest of the write.
 */
async function upsertRows(
  tx: SqlExecutor,
  rows: readonly (readonly [string, CustomerProfile])[],
  list: readonly Column[],
): Promise<void> {
  const names = list.map(([name]) => name)
  const record = ['id text', 'body jsonb', ...list.map(([name, type]) => `${name} ${type}`)].join(', ')
  for (let start = 0; start < rows.length; start += ROWS_PER_STATEMENT) {
    const chunk = rows.slice(start, start + ROWS_PER_STATEMENT)
    const page = chunk.map(([id, profile]) => {
      const row: Record<string, unknown> = { id, body: profile }
      for (const [name, , value] of list) row[name] = value(profile)
      return row
    })
    await tx.query(
      `insert into ecrm_profiles (customer_id, profile, ${names.join(', ')}, updated_at)
       select id, body, ${names.join(', ')}, now() from jsonb_to_recordset($1::jsonb) as t(${record})
       on conflict (customer_id) do update set
         profile = excluded.profile, ${names.map((name) => `${name} = excluded.${name}`).join(', ')}, updated_at = now()`,
      [JSON.stringify(page)],
    )
  }
}

/**
 * Writes profiles (keyed by customer id) with the JSON and every column kept in step with it,
 * the derived ones included: one statement per 2,000 rows.
 */
export function writeProfiles(
  tx: SqlExecutor,
  rows: readonly (readonly [customerId: string, profile: CustomerProfile])[],
): Promise<void> {
  return upsertRows(tx, rows, all)
}

/** `'{rfm,lead,...}'`: the derived keys as a text[] literal (fixed names, no user input). */
const derivedKeys = `'{${DERIVED_PROFILE_FIELDS.join(',')}}'`

/**
 * Rewrites stored profiles whose folded part is unchanged (a refresh, rows locked by the
 * caller): only the derived fields travel ({@link DERIVED_PROFILE_FIELDS}, merged over the stored
 * document in SQL) with the derived columns, so neither Node serialises nor the database parses
 * the orders and traits it already holds, and the folded columns and their indexes stay. One
 * `UPDATE … FROM jsonb_to_recordset` a page: the rows exist (they were just read, locked).
 */
export async function writeDerivedProfiles(
  tx: SqlExecutor,
  rows: readonly (readonly [customerId: string, profile: CustomerProfile])[],
): Promise<void> {
  if (rows.length === 0) return
  const record = ['id text', 'patch jsonb', ...derivedColumns.map(([name, type]) => `${name} ${type}`)].join(', ')
  const page = rows.map(([id, profile]) => {
    const patch: Record<string, unknown> = {}
    for (const field of DERIVED_PROFILE_FIELDS) if (profile[field] !== undefined) patch[field] = profile[field]
    const row: Record<string, unknown> = { id, patch }
    for (const [name, , value] of derivedColumns) row[name] = value(profile)
    return row
  })
  await tx.query(
    `update ecrm_profiles p set profile = (p.profile - ${derivedKeys}::text[]) || t.patch,
       ${derivedColumns.map(([name]) => `${name} = t.${name}`).join(', ')}, updated_at = now()
       from jsonb_to_recordset($1::jsonb) as t(${record}) where p.customer_id = t.id`,
    [JSON.stringify(page)],
  )
}
