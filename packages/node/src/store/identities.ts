import { createHash, randomUUID } from 'node:crypto'
import type { JsonObject } from '@ecrm/core'
import type { ForgetResult, ForgetSubject, SqlExecutor } from './storeTypes.js'

/** One id of a customer. */
export interface IdentityKey {
  readonly kind: 'user_id' | 'anonymous_id'
  readonly value: string
}

/** Text form of a key, for advisory locks. */
export const keyText = (key: IdentityKey): string => `${key.kind}:${key.value}`

/**
 * Takes transaction-scoped advisory locks on identity keys, in one global order (by hash), so
 * two handler processes merging overlapping customers wait for each other instead of racing,
 * and can never deadlock on these locks.
 */
export async function lockIdentities(tx: SqlExecutor, keys: readonly string[]): Promise<void> {
  if (keys.length === 0) return
  await tx.query(
    `select pg_advisory_xact_lock(h)
       from (select distinct hashtextextended(k, 7) as h from unnest($1::text[]) as k order by h) as ordered`,
    [[...new Set(keys)]],
  )
}

/**
 * Makes the given ids one customer: creates it when none is known, adds new ids to a known one,
 * and merges customers when the ids belonged to two (or more) — the customer owning `primary`
 * survives, the others' ids and traits move into it. Then merges `traits` in (newer wins).
 */
export async function unifyCustomer(
  tx: SqlExecutor,
  keys: readonly IdentityKey[],
  primary: IdentityKey,
  traits: JsonObject,
  atIso: string,
): Promise<string> {
  const kinds = keys.map((key) => key.kind)
  const values = keys.map((key) => key.value)
  const owners = await tx.query<{ kind: string; value: string; customer_id: string }>(
    `select i.kind, i.value, i.customer_id
       from ecrm_identities i
       join unnest($1::text[], $2::text[]) as k(kind, value) on i.kind = k.kind and i.value = k.value`,
    [kinds, values],
  )
  const owning = [...new Set(owners.map((row) => row.customer_id))]
  const primaryOwner = owners.find((row) => row.kind === primary.kind && row.value === primary.value)?.customer_id
  let target = primaryOwner ?? owning[0]
  if (target === undefined) {
    target = randomUUID()
    await tx.query(
      `insert into ecrm_customers (id, traits, first_seen_at, last_seen_at) values ($1, '{}'::jsonb, $2, $2)`,
      [target, atIso],
    )
  }
  for (const other of owning) {
    if (other !== target) await mergeCustomer(tx, other, target)
  }
  await tx.query(
    `insert into ecrm_identities (kind, value, customer_id)
       select kind, value, $3 from unnest($1::text[], $2::text[]) as k(kind, value)
     on conflict (kind, value) do nothing`,
    [kinds, values, target],
  )
  await tx.query(
    `update ecrm_customers
        set traits = traits || $2::jsonb,
            first_seen_at = least(first_seen_at, $3::timestamptz),
            last_seen_at = greatest(last_seen_at, $3::timestamptz)
      where id = $1`,
    [target, JSON.stringify(traits), atIso],
  )
  return target
}

/** A customer first seen in this batch, written by {@link insertNewCustomers}. */
export interface NewCustomer {
  readonly id: string
  readonly keys: readonly IdentityKey[]
  readonly traits: JsonObject
  /** When the first event was (ISO 8601): its first and last seen time. */
  readonly atIso: string
}

/** A fresh customer id (RFC 4122 v4). */
export const createCustomerId = (): string => randomUUID()

/**
 * Writes customers none of whose ids was known, in one statement for the whole list (instead of
 * four queries a customer through {@link unifyCustomer}): the rows and their ids. The caller
 * holds the identity locks, so no other transaction can claim these ids meanwhile.
 */
export async function insertNewCustomers(tx: SqlExecutor, customers: readonly NewCustomer[]): Promise<void> {
  if (customers.length === 0) return
  const ids = customers.flatMap((c) => c.keys.map((key) => ({ ...key, customerId: c.id })))
  // One statement (one round trip): the identities' foreign keys are checked at its end, after
  // the customers the CTE inserts.
  await tx.query(
    `with created as (
       insert into ecrm_customers (id, traits, first_seen_at, last_seen_at)
       select id, traits::jsonb, at, at from unnest($1::text[], $2::text[], $3::timestamptz[]) as c(id, traits, at)
     )
     insert into ecrm_identities (kind, value, customer_id)
       select kind, value, customer_id from unnest($4::text[], $5::text[], $6::text[]) as k(kind, value, customer_id)
     on conflict (kind, value) do nothing`,
    [
      customers.map((c) => c.id),
      customers.map((c) => JSON.stringify(c.traits)),
      customers.map((c) => c.atIso),
      ids.map((id) => id.kind),
      ids.map((id) => id.value),
      ids.map((id) => id.customerId),
    ],
  )
}

/** Moves `from`'s ids into `into`; `into`'s traits win over `from`'s; `from` is deleted. */
async function mergeCustomer(tx: SqlExecutor, from: string, into: string): Promise<void> {
  await tx.query('update ecrm_identities set customer_id = $2 where customer_id = $1', [from, into])
  await tx.query(
    `update ecrm_customers t
        set traits = f.traits || t.traits,
            first_seen_at = least(t.first_seen_at, f.first_seen_at),
            last_seen_at = greatest(t.last_seen_at, f.last_seen_at)
       from ecrm_customers f
      where t.id = $2 and f.id = $1`,
    [from, into],
  )
  // The merged-away side's memberships go (the survivor is re-derived in this batch); its log follows the person.
  await tx.query('delete from ecrm_segment_members where customer_id = $1', [from])
  await tx.query('update ecrm_segment_changes set customer_id = $2 where customer_id = $1', [from, into])
  await tx.query('delete from ecrm_customers where id = $1', [from])
}

/** The identity key a forget request names. */
export function subjectKey(subject: ForgetSubject): IdentityKey {
  return 'userId' in subject
    ? { kind: 'user_id', value: subject.userId }
    : { kind: 'anonymous_id', value: subject.anonymousId }
}

/**
 * Erases a customer inside a transaction (the caller holds the lock on `key`): all events of all
 * their ids, their identities, profile (by cascade), rule state, rule firings and their messages; then writes the audit record, which holds a SHA-256
 * of the id, never the id itself.
 */
export async function eraseCustomer(tx: SqlExecutor, key: IdentityKey, source: string): Promise<ForgetResult> {
  const owner = await tx.query<{ customer_id: string }>(
    'select customer_id from ecrm_identities where kind = $1 and value = $2',
    [key.kind, key.value],
  )
  const customerId = owner[0]?.customer_id
  const identities =
    customerId === undefined
      ? [key]
      : await tx.query<IdentityKey>('select kind, value from ecrm_identities where customer_id = $1', [customerId])
  const userIds = identities.filter((id) => id.kind === 'user_id').map((id) => id.value)
  const anonymousIds = identities.filter((id) => id.kind === 'anonymous_id').map((id) => id.value)
  const [events] = await tx.query<{ n: number }>(
    `with gone as (
       delete from ecrm_events where user_id = any($1::text[]) or anonymous_id = any($2::text[]) returning 1
     ) select count(*)::int as n from gone`,
    [userIds, anonymousIds],
  )
  // The rule runner keys its state and firings by the customer's user or anonymous id, or the store's id: they go too.
  const ruleKeys = [...userIds, ...anonymousIds, ...(customerId === undefined ? [] : [customerId])]
  await tx.query('delete from ecrm_rule_state where customer_id = any($1::text[])', [ruleKeys])
  await tx.query('delete from ecrm_firings where customer_id = any($1::text[])', [ruleKeys])
  // Messages hold the address and the rendered text. The suppression list stays: it is what keeps
  // a bounced or complained address from being mailed again.
  await tx.query('delete from ecrm_messages where customer_id = any($1::text[])', [ruleKeys])
  let customersDeleted = 0
  if (customerId !== undefined) {
    // Derived segment history is about the person too (no foreign key: the log outlives merges).
    await tx.query('delete from ecrm_segment_members where customer_id = $1', [customerId])
    await tx.query('delete from ecrm_segment_changes where customer_id = $1', [customerId])
    await tx.query('delete from ecrm_customers where id = $1', [customerId])
    customersDeleted = 1
  }
  const result: ForgetResult = {
    eventsDeleted: events?.n ?? 0,
    customersDeleted,
    identitiesDeleted: customerId === undefined ? 0 : identities.length,
  }
  await writeErasureAudit(tx, key, result, source)
  return result
}

/** The audit record of an erasure: a SHA-256 of the id, never the id itself, and the counts. */
async function writeErasureAudit(
  tx: SqlExecutor,
  key: IdentityKey,
  result: ForgetResult,
  source: string,
): Promise<void> {
  await tx.query(
    `insert into ecrm_erasures (requested_at, subject_kind, subject_sha256, events_deleted, customers_deleted, source)
     values (now(), $1, $2, $3, $4, $5)`,
    [
      key.kind,
      createHash('sha256').update(key.value).digest('hex'),
      result.eventsDeleted,
      result.customersDeleted,
      source,
    ],
  )
}

/**
 * Erases one device of a customer inside a transaction (the caller holds the lock on its id):
 * the events sent under `anonymousId`, its rule state and the identity itself, leaving the
 * customer and their other ids. A customer known by this id alone is erased whole
 * ({@link eraseCustomer}). Writes the same audit record. Returns the customer that kept other
 * ids, whose profile the caller folds again from the events that remain.
 */
export async function eraseDevice(
  tx: SqlExecutor,
  anonymousId: string,
  source: string,
): Promise<ForgetResult & { readonly survivor?: string }> {
  const key: IdentityKey = { kind: 'anonymous_id', value: anonymousId }
  const owner = await tx.query<{ customer_id: string }>(
    'select customer_id from ecrm_identities where kind = $1 and value = $2',
    [key.kind, key.value],
  )
  const customerId = owner[0]?.customer_id
  const others =
    customerId === undefined
      ? []
      : await tx.query<{ n: number }>(
          'select count(*)::int as n from ecrm_identities where customer_id = $1 and not (kind = $2 and value = $3)',
          [customerId, key.kind, key.value],
        )
  if (customerId === undefined || (others[0]?.n ?? 0) === 0) return eraseCustomer(tx, key, source)
  const [events] = await tx.query<{ n: number }>(
    'with gone as (delete from ecrm_events where anonymous_id = $1 returning 1) select count(*)::int as n from gone',
    [anonymousId],
  )
  await tx.query('delete from ecrm_rule_state where customer_id = $1', [anonymousId])
  await tx.query('delete from ecrm_identities where kind = $1 and value = $2', [key.kind, key.value])
  const result = { eventsDeleted: events?.n ?? 0, customersDeleted: 0, identitiesDeleted: 1 }
  await writeErasureAudit(tx, key, result, source)
  return { ...result, survivor: customerId }
}

/** Whether any of `customerIds` is identified: holds a user id. */
export async function identifiedAmong(tx: SqlExecutor, customerIds: readonly string[]): Promise<Set<string>> {
  if (customerIds.length === 0) return new Set()
  const rows = await tx.query<{ customer_id: string }>(
    "select distinct customer_id from ecrm_identities where kind = 'user_id' and customer_id = any($1::text[])",
    [[...customerIds]],
  )
  return new Set(rows.map((row) => row.customer_id))
}
