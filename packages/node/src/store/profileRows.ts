import type { CustomerProfile } from '@ecrm/core'
import type { SqlExecutor } from './storeTypes.js'

/** Profiles per statement: one array parameter per column, so only memory bounds a page. */
const ROWS_PER_STATEMENT = 2_000

const isoOrNull = (at: number | null | undefined): string | null => (at == null ? null : new Date(at).toISOString())

type Column = readonly [name: string, type: string, value: (profile: CustomerProfile) => unknown]

/** Segment ids are snake_case: the unit separator never occurs in them. */
const SEPARATOR = '\u001f'

/** The columns of `ecrm_profiles` folded from events, each with its SQL array type and its value. */
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
  // text[] cannot be unnested from a text[][] of uneven rows: sent joined, split back below.
  ['segments', 'text', (p) => (p.segments ?? []).join(SEPARATOR)],
  ['loyalty_balance', 'float8', (p) => p.loyalty?.balance ?? null],
  ['loyalty_tier', 'text', (p) => p.loyalty?.tier ?? null],
  ['derived_at', 'timestamptz', (p) => isoOrNull(p.lead?.at)],
]

function emailOf(profile: CustomerProfile): string | null {
  const trait = profile.traits['email']
  return profile.identities.emails[0] ?? (typeof trait === 'string' ? trait.toLowerCase() : null)
}

/** Pieces of the statements over `list`: names, per-row expressions and unnest parameters from `$3`. */
function statementParts(list: readonly Column[]): { names: string[]; values: string[]; unnest: string; aliases: string } {
  return {
    names: list.map(([name]) => name),
    values: list.map(([name], index) => (name === 'segments' ? `string_to_array(c${index}, chr(31))` : `c${index}`)),
    unnest: list.map(([, type], index) => `$${index + 3}::${type}[]`).join(', '),
    aliases: list.map((_, index) => `c${index}`).join(', '),
  }
}

const all = [...foldedColumns, ...derivedColumns]

function paramsOf(chunk: readonly (readonly [string, CustomerProfile])[], list: readonly Column[]): unknown[][] {
  const params: unknown[][] = [chunk.map(([id]) => id), chunk.map(([, profile]) => JSON.stringify(profile))]
  for (const [, , value] of list) params.push(chunk.map(([, profile]) => value(profile)))
  return params
}

/** Upserts rows with the JSON and the `list` columns (the unique index on customer_id arbitrates). */
async function upsertRows(tx: SqlExecutor, rows: readonly (readonly [string, CustomerProfile])[], list: readonly Column[]): Promise<void> {
  const parts = statementParts(list)
  for (let start = 0; start < rows.length; start += ROWS_PER_STATEMENT) {
    const chunk = rows.slice(start, start + ROWS_PER_STATEMENT)
    await tx.query(
      `insert into ecrm_profiles (customer_id, profile, ${parts.names.join(', ')}, updated_at)
       select id, body::jsonb, ${parts.values.join(', ')}, now()
         from unnest($1::text[], $2::text[], ${parts.unnest}) as t(id, body, ${parts.aliases})
       on conflict (customer_id) do update set
         profile = excluded.profile, ${parts.names.map((name) => `${name} = excluded.${name}`).join(', ')}, updated_at = now()`,
      paramsOf(chunk, list),
    )
  }
}

/**
 * Writes profiles (keyed by customer id) with the JSON and every column kept in step with it,
 * the derived ones included: one statement per 2,000 rows, one array parameter per column.
 */
export function writeProfiles(tx: SqlExecutor, rows: readonly (readonly [customerId: string, profile: CustomerProfile])[]): Promise<void> {
  return upsertRows(tx, rows, all)
}

/**
 * Rewrites stored profiles whose folded part is unchanged (a refresh, rows locked by the
 * caller): the JSON and the derived columns only, so the folded columns and their indexes stay.
 */
export function writeDerivedProfiles(tx: SqlExecutor, rows: readonly (readonly [customerId: string, profile: CustomerProfile])[]): Promise<void> {
  return upsertRows(tx, rows, derivedColumns)
}
