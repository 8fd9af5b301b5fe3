/**
 * The public types of the core client: its options, the inputs of the Segment calls, and what
 * the client reports back. Adapters (browser, node, react) and users type these names.
 */
import type { Cancel } from '../ports.js'
import type { EcrmError, EcrmValidationError, ValidationIssue } from '../errors.js'
import type { EcrmEvent, EventContext, JsonObject } from '../model/envelope.js'

/** How events are grouped into requests. */
export interface BatchOptions {
  /** Most events in one request; reaching it triggers a flush. @default 100 */
  readonly maxEvents?: number
  /** Most bytes (UTF-8, the whole request body) in one request. @default 500_000 */
  readonly maxBytes?: number
  /** A queued event waits at most this long before a flush is tried, in ms. @default 5_000 */
  readonly flushIntervalMs?: number
}

/** When and how often a failed batch is tried again. */
export interface RetryOptions {
  /** Failed attempts after which an event is dead-lettered. @default 10 */
  readonly maxAttempts?: number
  /** Backoff base: attempt n waits a random time in [0, min(maxDelayMs, baseDelayMs * 2^(n-1))), in ms. @default 1_000 */
  readonly baseDelayMs?: number
  /** Backoff ceiling, in ms. @default 300_000 */
  readonly maxDelayMs?: number
  /** An event older than this (since enqueue) is dead-lettered instead of sent, in ms. @default 604_800_000 (7 days) */
  readonly maxAgeMs?: number
}

/**
 * Caps on what the client keeps, so a long outage cannot fill the device. `createCoreClient` (and
 * the node client) bound at the call: an event that does not fit is dropped there and its call
 * returns `{ ok: false, dropped: true }`; page views may fill half of the caps, other events three
 * quarters, conversions seven eighths, Order Completed all of them (`ADMISSION_SHARES`). The
 * browser bounds after the write (its queue is shared by tabs), evicting lowest priority first.
 */
export interface LimitOptions {
  /** Most events in the queue. @default 10_000 (node client: no count cap) */
  readonly maxEvents?: number
  /** Most bytes (UTF-8 payloads) in the queue. @default 5_000_000 (node client: 128 MiB in memory, 1 GiB with `queueDir`) */
  readonly maxBytes?: number
  /**
   * `ready()` (createCoreClient and the node client) waits while the queue holds more payload
   * bytes than this: the backpressure mark, below the caps so a producer that awaits it is never
   * dropped. @default a quarter of `maxBytes`, at most 8 MiB
   */
  readonly highWaterBytes?: number
  /** Largest accepted event, serialised, in bytes; larger ones are refused. @default 32_768 */
  readonly maxEventBytes?: number
  /** Most events held in memory while waiting for a consent decision. @default 1_000 */
  readonly maxHeldEvents?: number
}

/** The consent gate. */
export interface ConsentOptions {
  /** Hold events of a category until that category is decided. @default false */
  readonly required?: boolean
  /** The consent category an event belongs to. @default () => 'analytics' */
  readonly categoryOf?: (event: EcrmEvent) => string
  /** Decisions known at start (e.g. read from a consent banner's cookie). Persisted ones win. */
  readonly initial?: Readonly<Record<string, boolean>>
}

/** Changes or drops an event before it is queued. */
export interface Plugin {
  readonly name: string
  /** Returns the event (changed or not), or `null` to drop it. A throw is reported and the event kept unchanged. */
  readonly before?: (event: EcrmEvent) => EcrmEvent | null
}

/**
 * Receives each accepted event in the page or process (e.g. a rules engine or a local profile),
 * after it is queued. Errors are reported on `onError`, never thrown to the caller.
 */
export interface ClientDestination {
  readonly name: string
  /** Only events of this consent category are delivered, once granted (when consent is required). */
  readonly category?: string
  /** Receives one accepted event, after it is queued; a throw or rejection is reported on `onError`, never passed on. */
  readonly deliver: (event: EcrmEvent) => void | Promise<void>
}

/** Options of {@link CoreClient}. */
export interface CoreClientOptions {
  /** The source's write key; sent in the body (and as Basic auth with `headers: 'full'`). */
  readonly writeKey: string
  /** Base URL of the collector; requests go to `${endpoint}/v1/batch`. */
  readonly endpoint: string
  /** Put in `context.library`. @default { name: '@ecrm/core', version: '0.1.0' } */
  readonly library?: { readonly name: string; readonly version: string }
  readonly batch?: BatchOptions
  readonly retry?: RetryOptions
  readonly limits?: LimitOptions
  /** Each request gives up after this long, in ms. @default 10_000 */
  readonly requestTimeoutMs?: number
  /** A leased batch is hidden from other tabs/workers this long, in ms. @default 30_000 */
  readonly leaseMs?: number
  /**
   * `'simple'`: `Content-Type: text/plain` and no `Authorization` (a CORS-simple request, no
   * preflight); `'full'`: `application/json` plus Basic auth, for servers (read by
   * `createCoreClient`; `createPipelineClient` takes its request headers as an argument). The
   * body always carries the write key.
   * @default 'simple'
   */
  readonly headers?: 'simple' | 'full'
  readonly consent?: ConsentOptions
  readonly plugins?: readonly Plugin[]
  readonly destinations?: readonly ClientDestination[]
  /** Context supplied by the adapter at call time (page, campaign, userAgent...). */
  readonly enrich?: () => Partial<EventContext>
  /** Everything that went wrong but was not thrown (validation, drops, delivery, plugins). */
  readonly onError?: (error: EcrmError) => void
  /** Events given up on for good, with why. */
  readonly onDeadLetter?: (events: EcrmEvent[], reason: string) => void
  /**
   * `'persisted'`: the client keeps anonymousId/userId/traits in `ports.storage` (browser);
   * `'none'`: ids come with each call and an event without one is a validation error (server).
   * @default 'persisted'
   */
  readonly identity?: 'persisted' | 'none'
}

/** Fields every call accepts. */
export interface EventInput {
  readonly userId?: string
  readonly anonymousId?: string
  /** When it happened. @default the enqueue time */
  readonly timestamp?: Date | string | number
  readonly context?: Partial<EventContext> & Record<string, unknown>
  readonly integrations?: Record<string, unknown>
  /** The idempotency key. @default a fresh id from `ports.createId` */
  readonly messageId?: string
}

/** Input of `track`. */
export type TrackInput = EventInput & { readonly event: string; readonly properties?: Record<string, unknown> }
/** Input of `identify`. */
export type IdentifyInput = EventInput & { readonly traits?: Record<string, unknown> }
/** Input of `page`. */
export type PageInput = EventInput & {
  readonly name?: string
  readonly category?: string
  readonly properties?: Record<string, unknown>
}
/** Input of `screen`. */
export type ScreenInput = EventInput & { readonly name?: string; readonly properties?: Record<string, unknown> }
/** Input of `group`. */
export type GroupInput = EventInput & { readonly groupId: string; readonly traits?: Record<string, unknown> }
/** Input of `alias`: `userId` is the new id; `previousId` defaults to the current id. */
export type AliasInput = EventInput & { readonly previousId?: string }

/**
 * What a call returns: accepted (queued, with warnings about changed values), refused (bad
 * input, with why), refused because the client is closed (`closed: true`, `error.code`
 * `'client_closed'`, as `flush()` after `close()`), or dropped (valid, but the queue is at its
 * bounds: `error.code` `'queue_full'`, counted in `stats().dropped`). An accepted event is never
 * dropped later by the bounds.
 */
export type EnqueueResult =
  | { readonly ok: true; readonly messageId: string; readonly warnings: readonly ValidationIssue[] }
  | {
      readonly ok: false
      readonly error: EcrmValidationError
      readonly dropped?: undefined
      readonly closed?: undefined
    }
  | ClosedResult
  | DroppedResult

/** A call made after `close()`: refused, counted in `stats().rejected`; create a new client. */
export interface ClosedResult {
  readonly ok: false
  readonly closed: true
  readonly dropped?: undefined
  /** `code` `'client_closed'`; the message names the method. */
  readonly error: EcrmError
}

/** A valid event dropped at its call because the queue is at the bounds the user set (`limits`). */
export interface DroppedResult {
  readonly ok: false
  readonly dropped: true
  /** The id the event would have had. */
  readonly messageId: string
  /** `code` `'queue_full'`; the message names the limits and the fix. */
  readonly error: EcrmError
}

/** Options of `flush`. */
export interface FlushOptions {
  /**
   * Mark requests `keepalive` (page unload); requests then stay under 64 KiB, the fetch
   * keepalive budget. @default false
   */
  readonly keepalive?: boolean
}

/** What one `flush` did. */
export interface FlushResult {
  /** Events the backend acknowledged. */
  readonly sent: number
  /** Events put back for a later retry. */
  readonly retried: number
  /** Events given up on (onDeadLetter). */
  readonly deadLettered: number
  /** Events still in the queue afterwards (not due, leased elsewhere, or retried). */
  readonly remaining: number
}

/** Counters since the client was created. */
export interface Stats {
  /** Events in the queue (leased or not), as last seen. */
  readonly queued: number
  /** Events the backend acknowledged. */
  readonly sent: number
  /** Event-retries scheduled (an event retried twice counts 2). */
  readonly retried: number
  /** Events dropped by the bounded queue or the bounded consent hold. */
  readonly dropped: number
  /** Events given up on and handed to onDeadLetter. */
  readonly deadLettered: number
  /** Events currently held in memory awaiting consent. */
  readonly held: number
  /** Calls refused by validation. */
  readonly rejected: number
  /** The last error reported on onError. */
  readonly lastError?: { readonly code: string; readonly message: string; readonly at: number }
}

/** Who the current customer is. */
export interface UserSnapshot {
  readonly anonymousId: string | undefined
  readonly userId: string | undefined
  readonly traits: JsonObject
}

/** An immutable snapshot of the client; a new object only when something changed. */
export interface ClientState {
  readonly user: UserSnapshot
  readonly consent: Readonly<Record<string, boolean | undefined>>
  readonly stats: Stats
  readonly isOnline: boolean
  readonly isStarted: boolean
  readonly isClosed: boolean
}

/** Reads and changes consent decisions. */
export interface ConsentControl {
  /** The current decisions by category; `undefined` for a category not decided yet. */
  readonly get: () => Record<string, boolean | undefined>
  /** Grants (`true`) or denies (`false`) categories; unnamed categories are unchanged. */
  readonly set: (categories: Record<string, boolean>) => void
}

/** The runtime-agnostic ecrm client that the browser and node adapters wrap. */
export interface CoreClient {
  /** Records that the customer did something. Validates and queues synchronously; a refusal is returned, never thrown. */
  readonly track: (input: TrackInput) => EnqueueResult
  /** Names the customer (`userId`) and/or records traits about them. */
  readonly identify: (input: IdentifyInput) => EnqueueResult
  /** Records a page view. */
  readonly page: (input: PageInput) => EnqueueResult
  /** Records a screen view in an app. */
  readonly screen: (input: ScreenInput) => EnqueueResult
  /** Puts the customer in a group (account, company) named by `groupId`, with its traits. */
  readonly group: (input: GroupInput) => EnqueueResult
  /** Says `userId` and `previousId` (default: the current id) are the same customer. */
  readonly alias: (input: AliasInput) => EnqueueResult
  /** New anonymousId; forgets userId and traits. */
  readonly reset: () => void
  /** Who the current customer is (ids and traits), as the client knows it now. */
  readonly user: () => UserSnapshot
  readonly consent: ConsentControl
  /** Sends everything due now; resolves when the backend acknowledged or the client gave up for now. Never rejects for delivery failures. */
  readonly flush: (options?: FlushOptions) => Promise<FlushResult>
  /** Flushes, then stops timers and listeners; later calls are refused with a clear error. */
  readonly close: () => Promise<void>
  /** Starts timers and listeners (adapters call it; nothing runs before). Idempotent. */
  readonly start: () => void
  /** Counters since the client was created; the same object as `getState().stats`. */
  readonly stats: () => Stats
  /**
   * Reports an error the way the client reports its own: it becomes `stats().lastError`, is
   * logged (`logger.warn`), goes to `onError` and is emitted as `'error'`. Never throws. For
   * adapters, whose own errors (e.g. a public method that failed) belong on the same channels.
   */
  readonly report: (error: EcrmError) => void
  /** The current snapshot; the same object until something changes, as `useSyncExternalStore` needs. */
  readonly getState: () => ClientState
  /** Calls `listener` after the state changed; the returned function stops listening. */
  readonly subscribe: (listener: () => void) => Cancel
  /** Listens to a named client event (`'accepted'`, `'delivered'`, `'dead_letter'`, `'error'`, or your own). */
  readonly on: (name: string, handler: (payload: unknown) => void) => Cancel
  /** Emits a named client event to the handlers registered with `on`; a handler that throws is logged, not rethrown. For adapters (e.g. rule firings). */
  readonly emit: (name: string, payload: unknown) => void
}

/** The client `createCoreClient` returns: the core client, bounded at the call, plus backpressure. */
export interface ServerCoreClient extends CoreClient {
  /**
   * Resolves once every event accepted so far is written to the queue (on disk, for a durable
   * queue) and the queue holds at most `limits.highWaterBytes`: a producer that awaits it now
   * and then never outruns delivery. Never rejects; waits as long as delivery is stuck.
   *
   * @example
   * for (const order of orders) {
   *   client.track({ userId: order.userId, event: 'Order Completed', properties: order })
   *   await client.ready()
   * }
   */
  readonly ready: () => Promise<void>
}
