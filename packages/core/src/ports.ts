/**
 * The environment as core sees it. Adapters (browser, node, tests) pass these in, per client
 * instance, in one {@link Ports} object; core never reads a global.
 */

/** Cancels a scheduled callback or removes a listener. Safe to call twice. */
export type Cancel = () => void

/** The current time. */
export interface Clock {
  /** Epoch milliseconds. */
  readonly now: () => number
}

/** Runs callbacks later. */
export interface Scheduler {
  /** Calls `callback` once after `delayMs` milliseconds; the returned function cancels it. */
  readonly schedule: (callback: () => void, delayMs: number) => Cancel
}

/** One event waiting in the outbox. */
export interface QueueItem {
  /** Unique id; the event's `messageId`. */
  readonly id: string
  /** The serialised event (JSON text), exactly as it will be sent. */
  readonly payload: string
  /** Byte length of `payload` in UTF-8. */
  readonly bytes: number
  /** Drop priority: a lower number is dropped first under pressure. */
  readonly priority: number
  /** Epoch ms when the event was accepted (enqueue time). */
  readonly createdAt: number
  /** Failed delivery attempts so far. */
  readonly attempts: number
  /** Epoch ms before which the item is not due. */
  readonly availableAt: number
}

/** What {@link Queue.lease} takes. */
export interface LeaseRequest {
  /** Epoch ms; items with `availableAt <= now` and no live lease are due. */
  readonly now: number
  /** How many items at most. */
  readonly limit: number
  /** How long the leased items stay hidden from other leases, in ms. */
  readonly leaseMs: number
}

/** Durable, ordered store of events awaiting delivery (the outbox). */
export interface Queue {
  /** Adds items; an item whose `id` is already queued is ignored. */
  readonly enqueue: (items: readonly QueueItem[]) => Promise<void>
  /**
   * Atomically takes up to `limit` due items, oldest first, and hides them for `leaseMs`, so a
   * second tab or worker cannot send the same batch.
   */
  readonly lease: (request: LeaseRequest) => Promise<QueueItem[]>
  /** Deletes items for good (after delivery, drop or dead letter). Unknown ids are ignored. */
  readonly remove: (ids: readonly string[]) => Promise<void>
  /** Returns leased items with one more attempt counted, due again at `availableAt`. */
  readonly release: (ids: readonly string[], availableAt: number) => Promise<void>
  /** Returns leased items unchanged in attempts, due again at `availableAt` (Retry-After, offline). */
  readonly defer: (ids: readonly string[], availableAt: number) => Promise<void>
  /** All items, leased or not, oldest first; for bounding and inspection. */
  readonly peek: () => Promise<QueueItem[]>
  /** Number of items, leased or not. */
  readonly size: () => Promise<number>
  /**
   * When the earliest item that cannot be leased now becomes leasable (its `availableAt`, or the
   * end of another worker's lease); `undefined` when the queue is empty. Optional: a queue shared
   * with other processes or reopened after a restart answers it, so a pass that finds nothing due
   * wakes when something falls due instead of at the next poll.
   */
  readonly nextDueAt?: () => Promise<number | undefined>
}

/**
 * A {@link Queue} that also tells its size synchronously, because it keeps its index in memory
 * (the memory queue, the node file queue). createCoreClient then bounds the queue at the call
 * from it; for any other queue it counts what passes through the client.
 */
export interface MeasuredQueue extends Queue {
  /** Items (leased or not) and their summed payload bytes now, every operation called so far included. */
  readonly usage: () => QueueUsage
}

/** How much a {@link Queue} holds. */
export interface QueueUsage {
  /** Items, leased or not. */
  readonly events: number
  /** Summed `bytes` (UTF-8 payload size) of those items. */
  readonly bytes: number
}

/** Small persisted state: ids, consent, session, the local profile. */
export interface KeyValueStore {
  /** The value stored under `key`, or `undefined` when there is none. Synchronous: ids are read while an event is built. */
  readonly get: (key: string) => string | undefined
  /** Stores `value` under `key`, replacing what was there. */
  readonly set: (key: string, value: string) => void
  /** Deletes `key`; a missing key is not an error. */
  readonly remove: (key: string) => void
}

/** One HTTP request core wants sent. */
export interface TransportRequest {
  readonly url: string
  /** The body text (JSON). */
  readonly body: string
  readonly headers: Readonly<Record<string, string>>
  readonly timeoutMs: number
  /** Ask the runtime to keep the request alive through page unload. */
  readonly keepalive?: boolean
}

/** What happened on the wire. Transports report; core decides. */
export type TransportOutcome =
  | { readonly type: 'response'; readonly status: number; readonly retryAfter: string | null }
  | { readonly type: 'network-error'; readonly cause: unknown }
  | { readonly type: 'timeout' }

/** Sends requests. Never throws for HTTP or network failures: it reports them. */
export interface Transport {
  /** Sends one request and resolves with what happened; HTTP errors, network failures and timeouts are outcomes, never rejections. */
  readonly send: (request: TransportRequest) => Promise<TransportOutcome>
}

/** Whether the runtime believes it is online, and when that changes. */
export interface Connectivity {
  /** Whether the runtime believes it is online now (a hint, not a guarantee); core holds delivery while it is not. */
  readonly isOnline: () => boolean
  /** Calls `listener` on each change; the returned function stops listening. */
  readonly subscribe: (listener: (online: boolean) => void) => Cancel
}

/** Where core reports what it noticed. */
export interface Logger {
  /** Detail for diagnosis, such as what a call changed in its input or held for consent. */
  readonly debug: (message: string, detail?: unknown) => void
  /** A problem reported instead of thrown (the errors that also go to `onError`). */
  readonly warn: (message: string, detail?: unknown) => void
  /** A callback or handler that threw (plugin, listener, rule handler); the client carried on. */
  readonly error: (message: string, detail?: unknown) => void
}

/** Everything a core client needs from its environment, in one object. */
export interface Ports {
  readonly clock: Clock
  readonly scheduler: Scheduler
  readonly queue: Queue
  readonly transport: Transport
  /** Persisted ids, consent and session. @default an in-memory store */
  readonly storage?: KeyValueStore
  /** @default always online */
  readonly connectivity?: Connectivity
  /** @default silent */
  readonly logger?: Logger
  /** Unique ids for `messageId` and `anonymousId`. @default a UUID v4 built from `random` */
  readonly createId?: () => string
  /** Uniform in [0, 1), for jitter. @default a xorshift generator seeded from the clock */
  readonly random?: () => number
}
