import type { EcrmEvent, JsonObject } from '@ecrm/core'
import { eraseCustomer, keyText, lockIdentities, subjectKey, unifyCustomer } from './identities.js'
import type { IdentityKey } from './identities.js'
import { migrate } from './migrations.js'
import type { Customer, InsertEventsResult, SqlDriver, SqlExecutor, Store } from './storeTypes.js'

/** The track event that asks for a customer's data to be erased (GDPR art. 17). */
export const ERASURE_EVENT = 'Data Erasure Requested'

/** Rows per INSERT statement: 8 parameters a row stays far below PostgreSQL's 65,535. */
const ROWS_PER_STATEMENT = 500

/**
 * A {@link Store} over any {@link SqlDriver}: applies the migrations, then serves. PGlite and
 * `pg` stores are this plus a driver.
 */
export async function createSqlStore(driver: SqlDriver, { ownsDriver = true } = {}): Promise<Store> {
  await migrate(driver)
  let isClosed = false
  return {
    insertEvents: (events) => (events.length === 0 ? Promise.resolve(EMPTY) : driver.transaction((tx) => insert(tx, events))),
    forget: (subject, { source = 'api' } = {}) =>
      driver.transaction(async (tx) => {
        const key = subjectKey(subject)
        await lockIdentities(tx, [keyText(key)])
        return eraseCustomer(tx, key, source)
      }),
    query: (sql, params) => driver.query(sql, params),
    listCustomers: async ({ limit = 100, offset = 0 } = {}) => {
      const rows = await driver.query<CustomerRow>(
        `select c.id, c.traits, c.first_seen_at, c.last_seen_at,
                coalesce(array_agg(i.value order by i.value) filter (where i.kind = 'user_id'), '{}') as user_ids,
                coalesce(array_agg(i.value order by i.value) filter (where i.kind = 'anonymous_id'), '{}') as anonymous_ids
           from ecrm_customers c left join ecrm_identities i on i.customer_id = c.id
          group by c.id order by c.first_seen_at, c.id limit $1 offset $2`,
        [limit, offset],
      )
      return rows.map(toCustomer)
    },
    async close() {
      if (isClosed) return
      isClosed = true
      if (ownsDriver) await driver.close()
    },
  }
}

const EMPTY: InsertEventsResult = { inserted: 0, duplicates: 0, erased: 0 }

interface CustomerRow {
  id: string
  traits: JsonObject
  first_seen_at: Date
  last_seen_at: Date
  user_ids: string[]
  anonymous_ids: string[]
}

function toCustomer(row: CustomerRow): Customer {
  return {
    id: row.id,
    userIds: row.user_ids,
    anonymousIds: row.anonymous_ids,
    traits: row.traits,
    firstSeenAt: new Date(row.first_seen_at).getTime(),
    lastSeenAt: new Date(row.last_seen_at).getTime(),
  }
}

async function insert(tx: SqlExecutor, events: readonly EcrmEvent[]): Promise<InsertEventsResult> {
  await lockIdentities(tx, events.flatMap(lockKeysOf))
  // First occurrence wins within a batch; rows go in messageId order so two concurrent batches
  // sharing messages take the unique-index locks in the same order (no deadlock).
  const unique = new Map<string, EcrmEvent>()
  for (const event of events) if (!unique.has(event.messageId)) unique.set(event.messageId, event)
  const rows = [...unique.values()].sort((a, b) => (a.messageId < b.messageId ? -1 : a.messageId > b.messageId ? 1 : 0))
  const inserted = new Set<string>()
  for (let start = 0; start < rows.length; start += ROWS_PER_STATEMENT) {
    const chunk = rows.slice(start, start + ROWS_PER_STATEMENT)
    const done = await tx.query<{ message_id: string }>(
      `insert into ecrm_events (message_id, type, event, user_id, anonymous_id, occurred_at, received_at, payload)
       values ${chunk.map((_, row) => `(${placeholders(row * 8, 8)})`).join(', ')}
       on conflict (message_id) do nothing returning message_id`,
      chunk.flatMap(eventRow),
    )
    for (const row of done) inserted.add(row.message_id)
  }
  let erased = 0
  for (const event of unique.values()) {
    if (!inserted.has(event.messageId)) continue
    if (event.type === 'identify') await applyIdentify(tx, event)
    else if (event.type === 'alias') await applyAlias(tx, event)
    else if (event.type === 'track' && event.event === ERASURE_EVENT) {
      const key: IdentityKey = event.userId !== undefined
        ? { kind: 'user_id', value: event.userId }
        : { kind: 'anonymous_id', value: event.anonymousId ?? '' }
      erased += (await eraseCustomer(tx, key, 'event')).customersDeleted
    }
  }
  return { inserted: inserted.size, duplicates: events.length - inserted.size, erased }
}

function placeholders(offset: number, count: number): string {
  return Array.from({ length: count }, (_, n) => `$${offset + n + 1}`).join(', ')
}

function eventRow(event: EcrmEvent): unknown[] {
  const receivedAt = event.receivedAt ?? new Date().toISOString()
  return [
    event.messageId,
    event.type,
    event.type === 'track' ? event.event : event.type === 'page' || event.type === 'screen' ? (event.name ?? null) : null,
    event.userId ?? null,
    event.anonymousId ?? null,
    event.timestamp ?? event.originalTimestamp ?? receivedAt,
    receivedAt,
    JSON.stringify(event),
  ]
}

function idsOf(event: EcrmEvent): IdentityKey[] {
  const keys: IdentityKey[] = []
  if (event.userId !== undefined) keys.push({ kind: 'user_id', value: event.userId })
  if (event.anonymousId !== undefined) keys.push({ kind: 'anonymous_id', value: event.anonymousId })
  return keys
}

function lockKeysOf(event: EcrmEvent): string[] {
  if (event.type === 'identify' || (event.type === 'track' && event.event === ERASURE_EVENT)) {
    return idsOf(event).map(keyText)
  }
  if (event.type === 'alias') {
    return [...idsOf(event).map(keyText), `user_id:${event.previousId}`, `anonymous_id:${event.previousId}`]
  }
  return []
}

function atOf(event: EcrmEvent): string {
  return event.timestamp ?? event.originalTimestamp ?? event.receivedAt ?? new Date().toISOString()
}

async function applyIdentify(tx: SqlExecutor, event: EcrmEvent & { type: 'identify' }): Promise<void> {
  const keys = idsOf(event)
  const [primary] = keys
  if (primary === undefined) return
  await unifyCustomer(tx, keys, primary, event.traits ?? {}, atOf(event))
}

async function applyAlias(tx: SqlExecutor, event: EcrmEvent & { type: 'alias' }): Promise<void> {
  if (event.userId === undefined) return
  const previous = await tx.query<{ kind: 'user_id' | 'anonymous_id' }>(
    `select kind from ecrm_identities where value = $1 order by kind desc limit 1`,
    [event.previousId],
  )
  // An id never seen before: it is the anonymous id if the event says so, else an older user id.
  const kind = previous[0]?.kind ?? (event.previousId === event.anonymousId ? 'anonymous_id' : 'user_id')
  const primary: IdentityKey = { kind: 'user_id', value: event.userId }
  await unifyCustomer(tx, [primary, { kind, value: event.previousId }, ...idsOf(event).slice(1)], primary, {}, atOf(event))
}
