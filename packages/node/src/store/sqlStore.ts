import { createProfileDeriver, segmentChangeEvent } from '@ecrm/core'
import type { EcrmEvent, JsonObject, SegmentChange } from '@ecrm/core'
import { applyEvents, idsOf } from './applyEvents.js'
import { eraseCustomer, keyText, lockIdentities, subjectKey } from './identities.js'
import { migrate } from './migrations.js'
import { systemClock } from '../nodePorts.js'
import { createModelCache } from './modelStore.js'
import type { FolderDerivation } from './profileFolder.js'
import { countSegment, selectProfile, selectProfiles, selectSegment } from './profileQueries.js'
import { refreshProfiles } from './refreshProfiles.js'
import type {
  Customer,
  InsertEventsResult,
  RefusedEvent,
  SqlDriver,
  SqlExecutor,
  Store,
  StoreOptions,
} from './storeTypes.js'

/**
 * SQLSTATEs after which the whole transaction can simply run again: deadlock, serialization
 * failure, and a foreign key violation (a customer merged away by a concurrent transaction while
 * this one was waiting to fold into its profile; the next attempt sees the merge).
 */
const RETRYABLE = new Set(['40P01', '40001', '23503'])
const MAX_ATTEMPTS = 5

/** Rows per INSERT statement: 8 parameters a row stays far below PostgreSQL's 65,535. */
const ROWS_PER_STATEMENT = 500

/** Options of {@link createSqlStore}. */
export interface SqlStoreOptions extends StoreOptions {
  /** Close the driver with the store. @default true */
  readonly ownsDriver?: boolean
}

/**
 * A {@link Store} over any {@link SqlDriver}: applies the migrations, then serves. PGlite and
 * `pg` stores are this plus a driver. Every batch derives the profiles it touched (see
 * {@link StoreOptions}) with the latest stored fit; `refresh()` refits.
 */
export async function createSqlStore(driver: SqlDriver, options: SqlStoreOptions = {}): Promise<Store> {
  const { ownsDriver = true } = options
  await migrate(driver)
  const config = options.derive ?? {}
  const deriver = createProfileDeriver(config)
  const models = createModelCache()
  const clock = options.clock ?? systemClock
  const report = async (changes: readonly SegmentChange[]): Promise<void> => {
    if (changes.length === 0 || options.onSegmentChanges === undefined) return
    try {
      await options.onSegmentChanges(changes.map(segmentChangeEvent))
    } catch (error) {
      options.onError?.(error)
    }
  }
  let isClosed = false
  return {
    insertEvents: async (events, { returnStored = false, isTrusted } = {}) => {
      if (events.length === 0) return returnStored ? { ...EMPTY, stored: [] } : EMPTY
      const run = (some: readonly EcrmEvent[]): Promise<Inserted> =>
        retrying(() =>
          driver.transaction(async (tx) =>
            insert(
              tx,
              some,
              clock.now(),
              isTrusted,
              options.deriveAtIngest === false ? undefined : { deriver, model: await models.get(tx) },
            ),
          ),
        )
      let result: Inserted
      try {
        result = await run(events)
      } catch (error) {
        // One event the database refuses (a value validation let through) must not sink the batch.
        if (!isDataError(error)) throw error
        result = await insertOneByOne(events, run)
      }
      const { stored, changes, ...counts } = result
      await report(changes)
      return returnStored ? { ...counts, stored } : counts
    },
    refresh: (refreshOptions) =>
      refreshProfiles({ driver, config, deriver, models, clock, onChanges: report }, refreshOptions),
    forget: (subject, { source = 'api' } = {}) =>
      driver.transaction(async (tx) => {
        const key = subjectKey(subject)
        await lockIdentities(tx, [keyText(key)])
        return eraseCustomer(tx, key, source)
      }),
    query: (sql, params) => driver.query(sql, params),
    transaction: (work) => driver.transaction(work),
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
    getProfile: (id) => selectProfile(driver, id),
    listProfiles: ({ limit = 100, offset = 0 } = {}) => selectProfiles(driver, limit, offset),
    segment: (rule, options) => selectSegment(driver, rule, { ...options, now: options?.now ?? clock.now() }),
    countSegment: (rule, options) => countSegment(driver, rule, { ...options, now: options?.now ?? clock.now() }),
    async close() {
      if (isClosed) return
      isClosed = true
      if (ownsDriver) await driver.close()
    },
  }
}

const EMPTY: InsertEventsResult = { inserted: 0, duplicates: 0, erased: 0, refused: [], customersCreated: 0 }

type Inserted = InsertEventsResult & {
  stored: EcrmEvent[]
  refused: RefusedEvent[]
  customersCreated: number
  changes: SegmentChange[]
}

/** SQLSTATE class 22, data exception: a value the database will not take, whatever the load. */
const isDataError = (error: unknown): boolean => {
  const code = (error as { code?: unknown } | null)?.code
  return typeof code === 'string' && code.startsWith('22')
}

/**
 * Stores each event in its own transaction, in batch order, after the batch failed on a value
 * the database refused: the events it refuses are listed with the database's message, the
 * others stored. Any other failure still fails the call (the events stored so far stay stored;
 * a retry finds them as duplicates).
 */
async function insertOneByOne(
  events: readonly EcrmEvent[],
  run: (some: readonly EcrmEvent[]) => Promise<Inserted>,
): Promise<Inserted> {
  const total = {
    inserted: 0,
    duplicates: 0,
    erased: 0,
    stored: [] as EcrmEvent[],
    refused: [] as RefusedEvent[],
    customersCreated: 0,
    changes: [] as SegmentChange[],
  }
  for (const event of events) {
    try {
      const one = await run([event])
      total.inserted += one.inserted
      total.duplicates += one.duplicates
      total.erased += one.erased
      total.customersCreated += one.customersCreated
      total.stored.push(...one.stored)
      total.refused.push(...one.refused)
      total.changes.push(...one.changes)
    } catch (error) {
      if (!isDataError(error)) throw error
      const detail = error instanceof Error ? error.message : String(error)
      total.refused.push({
        event,
        issue: {
          path: [],
          code: 'unstorable',
          message: `the database refused this event: ${detail} (SQLSTATE ${String((error as { code: string }).code)})`,
        },
      })
    }
  }
  return total
}

/**
 * Runs a transaction again (a few times, with a short random pause) when PostgreSQL aborted it
 * for a conflict with a concurrent one (see RETRYABLE): two processes folding overlapping
 * customers can meet in opposite orders, and the rolled-back attempt left nothing behind.
 */
async function retrying<T>(run: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await run()
    } catch (error) {
      const code = (error as { code?: unknown } | null)?.code
      if (attempt >= MAX_ATTEMPTS || typeof code !== 'string' || !RETRYABLE.has(code)) throw error
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 20 * attempt))
    }
  }
}

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

async function insert(
  tx: SqlExecutor,
  events: readonly EcrmEvent[],
  now: number,
  isTrusted: ((event: EcrmEvent) => boolean) | undefined,
  derivation: FolderDerivation | undefined,
): Promise<Inserted> {
  // Every event's ids: each event resolves to a customer and folds into its profile.
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
  const fresh = [...unique.values()].filter((event) => inserted.has(event.messageId))
  const { erased, kept, refused, created, changes } = await applyEvents(tx, fresh, now, isTrusted, derivation)
  return {
    inserted: inserted.size - refused.length,
    duplicates: events.length - inserted.size,
    erased,
    stored: kept,
    refused,
    customersCreated: created,
    changes,
  }
}

function placeholders(offset: number, count: number): string {
  return Array.from({ length: count }, (_, n) => `$${offset + n + 1}`).join(', ')
}

function eventRow(event: EcrmEvent): unknown[] {
  const receivedAt = event.receivedAt ?? new Date().toISOString()
  return [
    event.messageId,
    event.type,
    event.type === 'track'
      ? event.event
      : event.type === 'page' || event.type === 'screen'
        ? (event.name ?? null)
        : null,
    event.userId ?? null,
    event.anonymousId ?? null,
    event.timestamp ?? event.originalTimestamp ?? receivedAt,
    receivedAt,
    JSON.stringify(event),
  ]
}

function lockKeysOf(event: EcrmEvent): string[] {
  const keys = idsOf(event).map(keyText)
  return event.type === 'alias' ? [...keys, `user_id:${event.previousId}`, `anonymous_id:${event.previousId}`] : keys
}
