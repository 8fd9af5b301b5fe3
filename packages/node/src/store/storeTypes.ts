import type {
  Clock,
  CustomerProfile,
  DeriveConfig,
  EcrmEvent,
  JsonObject,
  RfmMethod,
  SegmentChangeEvent,
  SqlColumnMap,
  SqlJsonbColumn,
  ValidationIssue,
} from '@ecrm/core'

/** An event the store refused on its own, not stored; the other events of the call were. */
export interface RefusedEvent {
  /** The event, as it was passed in (the same object). */
  readonly event: EcrmEvent
  /**
   * Why, with a path inside the event: `identity_not_verified` and `identity_merge_refused`
   * (an untrusted event acting beyond its own device), `unstorable` (the database refused the
   * value; its message says what).
   */
  readonly issue: ValidationIssue
}

/** What {@link Store.insertEvents} did. */
export interface InsertEventsResult {
  /** Events stored now. */
  readonly inserted: number
  /** Events whose `messageId` was stored before (a retry, a re-send): skipped. */
  readonly duplicates: number
  /** Customers erased by `Data Erasure Requested` events in this batch. */
  readonly erased: number
  /**
   * The events stored by this call and still stored after it (an erasure in the batch deletes
   * its customer's events), in batch order. Only when asked with `returnStored`.
   */
  readonly stored?: readonly EcrmEvent[]
  /** Events refused on their own and not stored (see {@link RefusedEvent}); the others were. */
  readonly refused?: readonly RefusedEvent[]
  /** Customers this call created (ids never seen before). */
  readonly customersCreated?: number
}

/**
 * What a store derives on its profiles and whom it tells about segment changes: the options
 * `createPgliteStore`, `createPostgresStore` and `createSqlStore` share.
 */
export interface StoreOptions {
  /**
   * Named segments, lead model, loyalty program, RFM method and CLV horizon (the matching keys
   * of `ecrm.config.json`). @default lead by `defaultLeadModel`, RFM `auto`, no named segments, no loyalty
   */
  readonly derive?: DeriveConfig
  /**
   * Derive the profiles each batch touches as it is stored. Off, ingest only folds (the derived
   * fields then change at `refresh()` alone): for a collector that must take the most events a
   * second. @default true
   */
  readonly deriveAtIngest?: boolean
  /**
   * Told the `Segment Entered` / `Segment Exited` events of every committed batch and refresh
   * page (e.g. a rule runner's event processing). Not stored as events, not customer activity.
   * What it throws goes to `onError`. @default none
   */
  readonly onSegmentChanges?: (events: readonly SegmentChangeEvent[]) => unknown
  /** Told about `onSegmentChanges` failures (the changes themselves are already stored) and, for a PostgreSQL store that owns its pool, idle connections the server cut (the pool reconnects). @default silent */
  readonly onError?: (error: unknown) => void
  /**
   * The store's "now": the reference date of ingest-time derivation (RFM recency, CLV, segment
   * entry times, a profile's `derivedAt`) and the default `now` of `refresh()`. Pass the rule
   * runner's clock so a scripted or replayed timeline derives on its own dates. @default the system clock
   */
  readonly clock?: Clock
}

/** Options of {@link Store.refresh}. */
export interface RefreshOptions {
  /** Profiles read and written per page (and per transaction). @default 5000 */
  readonly pageSize?: number
  /** The reference date, epoch ms. @default the store's `clock` (else the system clock) */
  readonly now?: number
}

/** What {@link Store.refresh} did. */
export interface RefreshResult {
  /** Profiles re-derived. */
  readonly customers: number
  /** Of those, customers with a completed order (scored on RFM). */
  readonly buyers: number
  /** How RFM cut the base this time. */
  readonly rfmMethod: RfmMethod
  /** Whether BG/NBD + Gamma-Gamma could be fitted (else no profile carries `clv`). */
  readonly clvFitted: boolean
  /** Segment entries and exits recorded. */
  readonly segmentChanges: number
  /** The reference date of the fit, epoch ms. */
  readonly fittedAt: number
  readonly durationMs: number
}

/** Options of {@link Store.insertEvents}. */
export interface InsertEventsOptions {
  /** Put the newly stored events in the result's `stored` (for rule runners). @default false */
  readonly returnStored?: boolean
  /**
   * Whether an event may act beyond the device that sent it: erase a customer by userId, merge
   * in a customer holding another userId, alias a user id. An event it denies erases only its
   * own anonymousId, and a merge or alias it would make is refused (listed in `refused`). The
   * ingest handler trusts events sent with a secret key or carrying a verified `context.userHash`.
   * @default every event is trusted (server code calling the store)
   */
  readonly isTrusted?: (event: EcrmEvent) => boolean
}

/** Options of {@link Store.segment}. */
export interface SegmentOptions {
  /** Types of the traits the rule reads, e.g. `{ plan: 'text', age: 'number' }` maps `traits.plan`, `traits.age`. */
  readonly traits?: Readonly<Record<string, SqlJsonbColumn['type']>>
  /** More paths, or other places for them (columns of `ecrm_profiles p` and `ecrm_profile_derived d`, or JSONB paths in `p.profile` and `d.derived`). */
  readonly columns?: SqlColumnMap
  /** @default all */
  readonly limit?: number
  /** @default 0 */
  readonly offset?: number
  /** Only customer ids after this one (keyset paging: pass the last id of the previous page). @default none */
  readonly after?: string
  /** Evaluation time (epoch ms) of `days_since`, `before`, `count_events` windows, ... @default the store's `clock` at the call */
  readonly now?: number
}

/** Whose data {@link Store.forget} erases. */
export type ForgetSubject = { readonly userId: string } | { readonly anonymousId: string }

/** What {@link Store.forget} removed; the audit record keeps only these counts and a hash of the id. */
export interface ForgetResult {
  readonly eventsDeleted: number
  readonly customersDeleted: number
  /** The ids (user and anonymous) that belonged to the erased customer, all erased. */
  readonly identitiesDeleted: number
}

/** A customer as the store knows it: the ids seen together, and the merged traits. */
export interface Customer {
  /** The store's own id for the customer (a UUID), stable across merges of the surviving side. */
  readonly id: string
  readonly userIds: readonly string[]
  readonly anonymousIds: readonly string[]
  readonly traits: JsonObject
  /** Epoch ms of the first event that created the customer or linked an id to it (identify, alias, or any event naming a new id). */
  readonly firstSeenAt: number
  /** Epoch ms of the latest such event (the profile's `lastSeenAt` counts every event). */
  readonly lastSeenAt: number
}

/** Options of {@link Store.listCustomers}. */
export interface ListCustomersOptions {
  /** @default 100 */
  readonly limit?: number
  /** @default 0 */
  readonly offset?: number
}

/**
 * Where ingested events and customers live: PGlite (embedded) or PostgreSQL, one schema.
 * Tables: `ecrm_events` (append-only, unique on `message_id`), `ecrm_customers`,
 * `ecrm_identities` (kind + value → customer), `ecrm_profiles` (the folded customer profile),
 * `ecrm_rule_state` (the durable rule runner's state), `ecrm_erasures` (audit),
 * `ecrm_segment_members` and `ecrm_segment_changes` (derived segments), `ecrm_models` (the fit),
 * `ecrm_spend` (imported marketing spend), `ecrm_schema_migrations`.
 */
export interface Store {
  /**
   * Stores events, skipping any whose `messageId` is already stored; resolves each new event to
   * its customer (identify, alias and events carrying both ids link and merge customers), folds it
   * into the customer's profile (`reduceProfile`; merged customers' profiles are joined with
   * `mergeProfiles`), and applies `Data Erasure Requested` events as {@link Store.forget}, all in
   * one transaction (retried when PostgreSQL reports a deadlock).
   */
  readonly insertEvents: (events: readonly EcrmEvent[], options?: InsertEventsOptions) => Promise<InsertEventsResult>
  /**
   * Erases a customer: every event under any of their ids, the profile and the identities,
   * keeping only an audit record (a SHA-256 of the id, the counts, the time). Not guaranteed: an
   * event re-sent later with the same ids is stored again (the client's queue may still hold it).
   */
  readonly forget: (subject: ForgetSubject, options?: { readonly source?: string }) => Promise<ForgetResult>
  /** Runs SQL (segments, reports) with `$1`-style parameters; returns the rows. */
  readonly query: <Row = Record<string, unknown>>(sql: string, params?: readonly unknown[]) => Promise<Row[]>
  /**
   * Runs `work` in one transaction (commit on return, rollback on throw), for statements that
   * must see each other under a lock, e.g. a frequency cap checked and a send reserved.
   */
  readonly transaction: <T>(work: (tx: SqlExecutor) => Promise<T>) => Promise<T>
  /** Customers, oldest first. */
  readonly listCustomers: (options?: ListCustomersOptions) => Promise<Customer[]>
  /**
   * The folded profile of a customer, by the store's customer id, else a user id, else an
   * anonymous id, else an email; `undefined` when unknown (or erased).
   */
  readonly getProfile: (id: string) => Promise<CustomerProfile | undefined>
  /** Profiles, first seen first. */
  readonly listProfiles: (options?: ListCustomersOptions) => Promise<CustomerProfile[]>
  /**
   * The customer ids whose profile matches a JsonLogic condition, computed in the database: the
   * condition is compiled with `compileLogicToSql` over {@link profileSqlColumns} (values bound as
   * parameters, never spliced). Paths are the profile's (`money.orderCount`, `lastSeenAt`,
   * `events.totals.Order Completed`, typed `traits.*`), with or without a `profile.` prefix.
   * Dotted trait names are nested paths; time operators (`days_since`, `before`, ...) use
   * `options.now`; `count_events`/`sum_events` read the profile's `events.days` buckets.
   * Throws `EcrmValidationError` (issues with the JsonLogic path) for a condition that cannot be
   * translated exactly, a NUL character in any text, or a name over 256 characters.
   *
   * @example
   * const big = await store.segment({ '>=': [{ var: 'money.revenue' }, 500] })
   * const lapsed = await store.segment({ '>': [{ days_since: { var: 'money.lastOrderAt' } }, 90] })
   */
  readonly segment: (rule: unknown, options?: SegmentOptions) => Promise<string[]>
  /** How many customers {@link Store.segment} would select (without paging), counted in the database. */
  readonly countSegment: (
    rule: unknown,
    options?: Pick<SegmentOptions, 'traits' | 'columns' | 'now'>,
  ) => Promise<number>
  /**
   * The full derivation job: refits the model (RFM cut points on the whole base, BG/NBD +
   * Gamma-Gamma on a sample of buyers) and re-derives every profile with it, in pages by customer
   * id, memory bounded by the page size. Ingest derives the customers each batch touches with the
   * latest fit in between.
   *
   * @example
   * const { customers, rfmMethod } = await store.refresh({ pageSize: 5000 })
   */
  readonly refresh: (options?: RefreshOptions) => Promise<RefreshResult>
  /** Closes the connection (a pool passed in by you stays open). Idempotent. */
  readonly close: () => Promise<void>
}

/** Runs statements: the piece the store needs from PGlite or `pg`. */
export interface SqlExecutor {
  /** Runs one statement with `$1`-style parameters and resolves with its rows; `Row` is asserted, not checked. */
  readonly query: <Row = Record<string, unknown>>(sql: string, params?: readonly unknown[]) => Promise<Row[]>
  /** Several statements, no parameters. */
  readonly exec: (sql: string) => Promise<void>
}

/** A database connection (or pool) with transactions. */
export interface SqlDriver extends SqlExecutor {
  /** Runs `work` in one transaction: commit on return, rollback on throw. */
  readonly transaction: <T>(work: (tx: SqlExecutor) => Promise<T>) => Promise<T>
  /** Closes the connection, or ends the pool. */
  readonly close: () => Promise<void>
}
