import type { CustomerProfile } from '@ecrm/core'
import type { SqlExecutor } from './storeTypes.js'

/** Profiles per statement: one array parameter per column, so only memory bounds a page. */
const ROWS_PER_STATEMENT = 2_000

const isoOrNull = (at: number | null | undefined): string | null => (at == null ? null : new Date(at).toISOString())

/** The columns of `ecrm_profiles` beside the JSON, each with its SQL array type and its value. */
const columns: readonly [name: string, type: string, value: (profile: CustomerProfile) => unknown][] = [
  ['user_id', 'text', (p) => p.identities.userIds[0] ?? null],
  ['email', 'text', emailOf],
  ['order_count', 'integer', (p) => p.money.orderCount],
  ['revenue', 'float8', (p) => p.money.revenue],
  ['currency', 'text', (p) => p.money.currency],
  ['first_seen_at', 'timestamptz', (p) => isoOrNull(p.firstSeenAt)],
  ['last_seen_at', 'timestamptz', (p) => isoOrNull(p.lastSeenAt)],
  ['last_order_at', 'timestamptz', (p) => isoOrNull(p.money.lastOrderAt)],
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
  // text[] cannot be unnested from a text[][] of uneven rows: sent as JSON, turned back below.
  ['segments', 'text', (p) => JSON.stringify(p.segments ?? [])],
  ['loyalty_balance', 'float8', (p) => p.loyalty?.balance ?? null],
  ['loyalty_tier', 'text', (p) => p.loyalty?.tier ?? null],
  ['derived_at', 'timestamptz', (p) => isoOrNull(p.lead?.at)],
]

function emailOf(profile: CustomerProfile): string | null {
  const trait = profile.traits['email']
  return profile.identities.emails[0] ?? (typeof trait === 'string' ? trait.toLowerCase() : null)
}

const names = columns.map(([name]) => name)
const selected = columns.map(([name], index) =>
  name === 'segments'
    ? `array(select jsonb_array_elements_text(c${index}::jsonb))`
    : `c${index}`,
)
const unnested = columns.map(([, type], index) => `$${index + 3}::${type}[]`)
const aliases = columns.map((_, index) => `c${index}`)

/**
 * Writes profiles (keyed by customer id) with the JSON and every column kept in step with it,
 * the derived ones included: one statement per 2,000 rows, one array parameter per column.
 */
export async function writeProfiles(tx: SqlExecutor, rows: readonly (readonly [customerId: string, profile: CustomerProfile])[]): Promise<void> {
  for (let start = 0; start < rows.length; start += ROWS_PER_STATEMENT) {
    const chunk = rows.slice(start, start + ROWS_PER_STATEMENT)
    const params: unknown[][] = [chunk.map(([id]) => id), chunk.map(([, profile]) => JSON.stringify(profile))]
    for (const [, , value] of columns) params.push(chunk.map(([, profile]) => value(profile)))
    await tx.query(
      `insert into ecrm_profiles (customer_id, profile, ${names.join(', ')}, updated_at)
       select id, body::jsonb, ${selected.join(', ')}, now()
         from unnest($1::text[], $2::text[], ${unnested.join(', ')}) as t(id, body, ${aliases.join(', ')})
       on conflict (customer_id) do update set
         profile = excluded.profile, ${names.map((name) => `${name} = excluded.${name}`).join(', ')}, updated_at = now()`,
      params,
    )
  }
}
