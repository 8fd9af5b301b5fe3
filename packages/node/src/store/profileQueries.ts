import { compileLogicToSql } from '@ecrm/core'
import type { CustomerProfile, SqlColumnMap, SqlJsonbColumn, SqlPlainColumn } from '@ecrm/core'
import type { SegmentOptions, SqlExecutor } from './storeTypes.js'

type Column = SqlPlainColumn | SqlJsonbColumn
const inProfile = (path: string[], type: SqlJsonbColumn['type']): SqlJsonbColumn => ({ jsonb: 'p.profile', path, type })

/** Profile paths with a column of their own (indexed or cheap to read). */
const plainColumns: Record<string, Column> = {
  id: { column: 'p.customer_id', type: 'text' },
  'money.orderCount': { column: 'p.order_count', type: 'number' },
  'money.revenue': { column: 'p.revenue', type: 'number' },
  'money.currency': { column: 'p.currency', type: 'text' },
  // Derived by the store (migration 3), NULL until derived.
  'rfm.r': { column: 'p.rfm_r', type: 'number' },
  'rfm.f': { column: 'p.rfm_f', type: 'number' },
  'rfm.m': { column: 'p.rfm_m', type: 'number' },
  'rfm.segment': { column: 'p.rfm_segment', type: 'text' },
  'lead.score': { column: 'p.lead_score', type: 'number' },
  'lead.grade': { column: 'p.lead_grade', type: 'text' },
  'lead.letter': { column: 'p.lead_letter', type: 'text' },
  'lead.level': { column: 'p.lead_level', type: 'number' },
  'lead.stage': { column: 'p.lead_stage', type: 'text' },
  'clv.pAlive': { column: 'p.clv_p_alive', type: 'number' },
  'clv.expectedPurchases': { column: 'p.clv_expected_purchases', type: 'number' },
  'clv.value': { column: 'p.clv_value', type: 'number' },
  segments: { column: 'p.segments', type: 'text[]' },
  'loyalty.balance': { column: 'p.loyalty_balance', type: 'number' },
  'loyalty.tier': { column: 'p.loyalty_tier', type: 'text' },
}

/** Numeric profile paths read from the `profile` JSONB. */
const numberPaths = [
  'money.grossRevenue',
  'money.refunds',
  'money.aov',
  'money.cancelledCount',
  'money.firstOrderAt',
  'money.lastOrderAt',
  'firstSeenAt',
  'lastSeenAt',
  'pageViews',
  'sessions.count',
  'skipped',
  'rfm.at',
  'lead.at',
  'clv.horizonDays',
  'clv.at',
  'loyalty.at',
]

/**
 * Where each field of the stored {@link CustomerProfile} lives for {@link compileLogicToSql}:
 * `money.orderCount`, `money.revenue`, `money.currency`, `id` and the derived fields (`rfm.segment`,
 * `lead.grade`, `clv.pAlive`, `segments` as `text[]`, ...) are columns of `ecrm_profiles` (alias `p`); the other numbers (`lastSeenAt`, `money.aov`, `pageViews`, ...) are
 * read from its `profile` JSONB. Every path is also mapped under `profile.`, so the condition of
 * an event rule (which sees `{ event, profile }`) runs as a segment unchanged.
 */
export const profileSqlColumns: SqlColumnMap = withProfilePrefix({
  ...plainColumns,
  ...Object.fromEntries(numberPaths.map((path) => [path, inProfile(path.split('.'), 'number')])),
  'rfm.method': inProfile(['rfm', 'method'], 'text'),
  'clv.currency': inProfile(['clv', 'currency'], 'text'),
})

function withProfilePrefix(map: Record<string, Column>): Record<string, Column> {
  const out: Record<string, Column> = { ...map }
  for (const [path, column] of Object.entries(map)) out[`profile.${path}`] = column
  return out
}

/** Every `{"var": "<path>"}` and `{"missing": [...]}` key in a rule. */
function pathsOf(rule: unknown, into = new Set<string>()): Set<string> {
  if (Array.isArray(rule)) for (const item of rule) pathsOf(item, into)
  else if (typeof rule === 'object' && rule !== null) {
    for (const [key, value] of Object.entries(rule)) {
      if (key === 'var' && typeof value === 'string') into.add(value)
      else if (key === 'missing') for (const item of [value].flat(2)) if (typeof item === 'string') into.add(item)
      pathsOf(value, into)
    }
  }
  return into
}

/** Where the stored profile keeps its day buckets of events, for `count_events`/`sum_events`. */
export const profileEventDays = { jsonb: 'p.profile', path: ['events', 'days'] } as const

/**
 * The column map for one rule: the fixed map, `events.totals.<event name>` (a number) for the
 * event names the rule counts, the traits typed in `options.traits`, and `options.columns` last.
 * Dotted names are nested paths, as `var` reads them in memory: the trait
 * `'company.employee_count'` is `traits.company.employee_count` in the JSON.
 */
export function segmentColumns(rule: unknown, options: SegmentOptions = {}): SqlColumnMap {
  const extra: Record<string, Column> = {}
  for (const [name, type] of Object.entries(options.traits ?? {}))
    extra[`traits.${name}`] = inProfile(['traits', ...name.split('.')], type)
  for (const path of pathsOf(rule)) {
    const match = /^(?:profile\.)?events\.totals\.(.+)$/.exec(path)
    if (match?.[1] !== undefined)
      extra[path.replace(/^profile\./, '')] = inProfile(['events', 'totals', ...match[1].split('.')], 'number')
  }
  return { ...profileSqlColumns, ...withProfilePrefix(extra), ...options.columns }
}

/**
 * Ids of the customers whose stored profile matches `rule`, by customer id, at `options.now`
 * (default: the time of the call), after the `options.after` id when given (keyset paging).
 */
export async function selectSegment(db: SqlExecutor, rule: unknown, options: SegmentOptions = {}): Promise<string[]> {
  const { sql, params } = compileLogicToSql(rule, segmentColumns(rule, options), {
    now: options.now ?? Date.now(),
    eventDays: profileEventDays,
  })
  const { limit, offset = 0, after } = options
  const values: unknown[] = [...params]
  const next = (value: unknown): string => `$${values.push(value)}`
  const keyset = after === undefined ? '' : ` and p.customer_id > ${next(after)}`
  const paging = `${limit === undefined ? '' : `limit ${next(limit)} `}offset ${next(offset)}`
  const rows = await db.query<{ customer_id: string }>(
    `select p.customer_id from ecrm_profiles p where ${sql}${keyset} order by p.customer_id ${paging}`,
    values,
  )
  return rows.map((row) => row.customer_id)
}

/** The number of customers whose stored profile matches `rule` (see {@link selectSegment}). */
export async function countSegment(
  db: SqlExecutor,
  rule: unknown,
  options: Pick<SegmentOptions, 'traits' | 'columns' | 'now'> = {},
): Promise<number> {
  const { sql, params } = compileLogicToSql(rule, segmentColumns(rule, options), {
    now: options.now ?? Date.now(),
    eventDays: profileEventDays,
  })
  const rows = await db.query<{ n: number }>(`select count(*)::int as n from ecrm_profiles p where ${sql}`, params)
  return rows[0]?.n ?? 0
}

/** A profile by customer id, else by user id, else by anonymous id, else by (first, lower-cased) email. */
export async function selectProfile(db: SqlExecutor, id: string): Promise<CustomerProfile | undefined> {
  const rows = await db.query<{ profile: CustomerProfile }>(
    `select profile from (
       select p.profile, 0 as rank, p.customer_id from ecrm_profiles p where p.customer_id = $1
       union all
       select p.profile, case i.kind when 'user_id' then 1 else 2 end, p.customer_id
         from ecrm_identities i join ecrm_profiles p on p.customer_id = i.customer_id
        where i.kind in ('user_id', 'anonymous_id') and i.value = $1
       union all
       select p.profile, 3, p.customer_id from ecrm_profiles p where p.email = lower($1)
     ) as found order by rank, customer_id limit 1`,
    [id],
  )
  return rows[0]?.profile
}

/** Profiles, oldest first seen first, then by id. */
export async function selectProfiles(db: SqlExecutor, limit: number, offset: number): Promise<CustomerProfile[]> {
  const rows = await db.query<{ profile: CustomerProfile }>(
    'select profile from ecrm_profiles order by first_seen_at nulls last, customer_id limit $1 offset $2',
    [limit, offset],
  )
  return rows.map((row) => row.profile)
}
