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

/** The columns of `ecrm_profile_derived` (migration 7) beside its `derived` document. */
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

/** The profile without its derived fields: what `ecrm_profiles.profile` holds. */
function foldedPart(profile: CustomerProfile): Partial<CustomerProfile> {
  const folded: Partial<CustomerProfile> = { ...profile }
  for (const field of DERIVED_PROFILE_FIELDS) delete folded[field]
  return folded
}

/** The derived fields a profile carries, as `ecrm_profile_derived.derived` holds them. */
function derivedPart(profile: CustomerProfile): Partial<CustomerProfile> {
  const derived: Record<string, unknown> = {}
  for (const field of DERIVED_PROFILE_FIELDS) if (profile[field] !== undefined) derived[field] = profile[field]
  return derived as Partial<CustomerProfile>
}

/**
 * Upserts the folded part of profiles (keyed by customer id) with its columns, counting the
 * write in `version` (the unique index on customer_id arbitrates). The rows travel as one JSON
 * document read by `jsonb_to_recordset`: one `JSON.stringify` of the page instead of a text
 * array per column, whose per-element quoting of 2 KB profile documents cost more CPU than the
 * rest of the write. One statement per 2,000 rows.
 */
async function writeFoldedRows(tx: SqlExecutor, rows: readonly (readonly [string, CustomerProfile])[]): Promise<void> {
  const names = foldedColumns.map(([name]) => name)
  const record = ['id text', 'body jsonb', ...foldedColumns.map(([name, type]) => `${name} ${type}`)].join(', ')
  for (let start = 0; start < rows.length; start += ROWS_PER_STATEMENT) {
    const page = rows.slice(start, start + ROWS_PER_STATEMENT).map(([id, profile]) => {
      const row: Record<string, unknown> = { id, body: foldedPart(profile) }
      for (const [name, , value] of foldedColumns) row[name] = value(profile)
      return row
    })
    await tx.query(
      `insert into ecrm_profiles (customer_id, profile, ${names.join(', ')}, version, updated_at)
       select id, body, ${names.join(', ')}, 1, now() from jsonb_to_recordset($1::jsonb) as t(${record})
       on conflict (customer_id) do update set
         profile = excluded.profile, ${names.map((name) => `${name} = excluded.${name}`).join(', ')},
         version = ecrm_profiles.version + 1, updated_at = now()`,
      [JSON.stringify(page)],
    )
  }
}

/** A derived row to write: the customer, the profile carrying its derived fields, and the profile version it was derived from (null: the stored one, the caller holds the row). */
export type DerivedRow = readonly [customerId: string, profile: CustomerProfile, version: string | null]

/**
 * Upserts the derived part of profiles into `ecrm_profile_derived`, one statement per 2,000
 * rows, and returns the ids written. A row whose version is given is written only while its
 * profile still has that version (a refresh, which locks nothing: a batch folded meanwhile
 * derived and wrote the newer profile itself), and never over a row derived from a newer
 * version; without one (ingest, holding the profile row) it takes the stored version. A
 * profile deleted meanwhile gets no row.
 */
export async function writeDerivedRows(tx: SqlExecutor, rows: readonly DerivedRow[]): Promise<Set<string>> {
  const names = derivedColumns.map(([name]) => name)
  const record = [
    'id text',
    'version bigint',
    'derived jsonb',
    ...derivedColumns.map(([name, type]) => `${name} ${type}`),
  ].join(', ')
  const written = new Set<string>()
  for (let start = 0; start < rows.length; start += ROWS_PER_STATEMENT) {
    const page = rows.slice(start, start + ROWS_PER_STATEMENT).map(([id, profile, version]) => {
      const row: Record<string, unknown> = { id, version, derived: derivedPart(profile) }
      for (const [name, , value] of derivedColumns) row[name] = value(profile)
      return row
    })
    const done = await tx.query<{ customer_id: string }>(
      `insert into ecrm_profile_derived (customer_id, profile_version, derived, ${names.join(', ')})
       select t.id, p.version, t.derived, ${names.map((name) => `t.${name}`).join(', ')}
         from jsonb_to_recordset($1::jsonb) as t(${record}) join ecrm_profiles p on p.customer_id = t.id
        where t.version is null or p.version = t.version order by t.id
       on conflict (customer_id) do update set profile_version = excluded.profile_version, derived = excluded.derived,
         ${names.map((name) => `${name} = excluded.${name}`).join(', ')}
       where ecrm_profile_derived.profile_version <= excluded.profile_version
       returning customer_id`,
      [JSON.stringify(page)],
    )
    for (const row of done) written.add(row.customer_id)
  }
  return written
}

/**
 * Writes profiles (keyed by customer id, their rows held by the caller): the folded part with
 * its columns into `ecrm_profiles`, and, when `derived`, the derived part into
 * `ecrm_profile_derived` (see {@link writeDerivedRows}).
 */
export async function writeProfiles(
  tx: SqlExecutor,
  rows: readonly (readonly [customerId: string, profile: CustomerProfile])[],
  derived: boolean,
): Promise<void> {
  await writeFoldedRows(tx, rows)
  if (derived)
    await writeDerivedRows(
      tx,
      rows.map(([id, profile]) => [id, profile, null]),
    )
}

/**
 * The join that reads a whole profile back: the profile row `p` and its derived row `d` (none
 * before the first derivation). Readers put it after `from`, with {@link wholeProfile}.
 */
export const profileFrom = 'ecrm_profiles p left join ecrm_profile_derived d on d.customer_id = p.customer_id'

/** The whole stored profile as one jsonb expression over {@link profileFrom}. */
export const wholeProfile = "p.profile || coalesce(d.derived, '{}'::jsonb)"
