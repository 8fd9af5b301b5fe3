import type { EcrmEvent, JsonObject } from '@ecrm/core'

/** What {@link Store.insertEvents} did. */
export interface InsertEventsResult {
  /** Events stored now. */
  readonly inserted: number
  /** Events whose `messageId` was stored before (a retry, a re-send): skipped. */
  readonly duplicates: number
  /** Customers erased by `Data Erasure Requested` events in this batch. */
  readonly erased: number
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
  /** Epoch ms of the first identify/alias that named the customer. */
  readonly firstSeenAt: number
  /** Epoch ms of the latest identify/alias that named the customer. */
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
 * `ecrm_identities` (kind + value → customer), `ecrm_erasures` (audit), `ecrm_schema_migrations`.
 */
export interface Store {
  /**
   * Stores events, skipping any whose `messageId` is already stored, and applies identify/alias
   * to the customers table and `Data Erasure Requested` events as {@link Store.forget}, all in
   * one transaction.
   */
  readonly insertEvents: (events: readonly EcrmEvent[]) => Promise<InsertEventsResult>
  /**
   * Erases a customer: every event under any of their ids, the profile and the identities,
   * keeping only an audit record (a SHA-256 of the id, the counts, the time). Not guaranteed: an
   * event re-sent later with the same ids is stored again (the client's queue may still hold it).
   */
  readonly forget: (subject: ForgetSubject, options?: { readonly source?: string }) => Promise<ForgetResult>
  /** Runs SQL (segments, reports) with `$1`-style parameters; returns the rows. */
  readonly query: <Row = Record<string, unknown>>(sql: string, params?: readonly unknown[]) => Promise<Row[]>
  /** Customers, oldest first. */
  readonly listCustomers: (options?: ListCustomersOptions) => Promise<Customer[]>
  /** Closes the connection (a pool passed in by you stays open). Idempotent. */
  readonly close: () => Promise<void>
}

/** Runs statements: the piece the store needs from PGlite or `pg`. */
export interface SqlExecutor {
  readonly query: <Row = Record<string, unknown>>(sql: string, params?: readonly unknown[]) => Promise<Row[]>
  /** Several statements, no parameters. */
  readonly exec: (sql: string) => Promise<void>
}

/** A database connection (or pool) with transactions. */
export interface SqlDriver extends SqlExecutor {
  /** Runs `work` in one transaction: commit on return, rollback on throw. */
  readonly transaction: <T>(work: (tx: SqlExecutor) => Promise<T>) => Promise<T>
  readonly close: () => Promise<void>
}
