import type {
  Assignment,
  Cancel,
  ClientDestination,
  ClientState,
  EcrmError,
  EcrmEvent,
  CustomerProfile,
  EventInput,
  FlushResult,
  LeadScore,
  Plugin,
  Ports,
  Stats,
  UserSnapshot,
} from '@ecrm/core'
import type { BatchOptions, LimitOptions, RetryOptions } from '@ecrm/core'
import type { BrowserConsentOptions } from './consent.js'
import type { CookieOptions } from './cookies.js'
import type { QueueStorage } from './idbQueue.js'
import type { LeadCaptureOptions } from './leadCapture.js'
import type { OnsiteOptions } from './onsite/startOnsite.js'

/**
 * Options of {@link createBrowserClient}. The on-site part (`profile`, `rules`, `experiments`,
 * `leadModel`, `signals`) is documented on {@link OnsiteOptions}; `createBasicBrowserClient` ignores it.
 */
export interface BrowserClientOptions extends OnsiteOptions {
  /** The source's write key. */
  readonly writeKey: string
  /** Base URL of the collector; batches go to `${endpoint}/v1/batch`. A path (`'/collect'`) means the page's own origin. */
  readonly endpoint: string
  readonly batch?: BatchOptions
  readonly retry?: RetryOptions
  readonly limits?: LimitOptions
  /** @default 10_000 */
  readonly requestTimeoutMs?: number
  /** How long a leased batch is hidden from other tabs, in ms; after a crash it is resent this late. @default 30_000 */
  readonly leaseMs?: number
  readonly consent?: BrowserConsentOptions
  readonly plugins?: readonly Plugin[]
  /** In-page receivers (pixels, rules, the local profile); a `category` one receives only once that category is granted. */
  readonly destinations?: readonly ClientDestination[]
  /** Every problem, never thrown into the page: bad input, drops, delivery failures (also `on('error')` and `stats().lastError`). */
  readonly onError?: (error: EcrmError) => void
  /** Events given up on for good (too many attempts, too old, or refused by the backend), with why. */
  readonly onDeadLetter?: (events: EcrmEvent[], reason: string) => void
  /**
   * Log to the console: problems (`console.warn`), callbacks that threw (`console.error`) and what
   * a call changed or held (`console.debug`). Has no effect when `ports.logger` is given. @default false
   */
  readonly debug?: boolean
  /** Automatic capture. */
  readonly capture?: {
    /** Send a page view at start and on each SPA route change. @default true */
    readonly pageViews?: boolean
    /** Send the page view at start (the script tag turns it off when the snippet already called `page()`). @default true */
    readonly initialPageView?: boolean
    /** Opt-in: form submissions become `Lead Captured`. @default off */
    readonly leads?: LeadCaptureOptions
    /** Inactivity after which a new session starts, in ms. @default 1_800_000 (30 min) */
    readonly sessionIdleMs?: number
  }
  /** Where the anonymousId cookie lives (e.g. `{ domain: '.shop.example' }`). */
  readonly cookie?: CookieOptions
  /** IndexedDB name of the outbox. @default `ecrm-${writeKey}` */
  readonly dbName?: string
  /** Replace environment pieces (tests, special runtimes). */
  readonly ports?: Partial<Ports>
}

/** Per-call options of the positional methods. */
export type CallOptions = Pick<
  EventInput,
  'timestamp' | 'context' | 'integrations' | 'messageId' | 'anonymousId' | 'userId'
>

/** What `stats()` reports in the browser: core's counters plus where data is kept. */
export interface BrowserStats extends Stats {
  /** Where the outbox is: `'indexeddb'`, or `'memory'` when IndexedDB is missing or failed (events then do not survive a reload). */
  readonly storage: QueueStorage
  /** Where ids and consent are: `'localStorage'` or `'memory'`. */
  readonly keyValueStorage: 'localStorage' | 'memory'
  /** True when the Global Privacy Control signal denied marketing. */
  readonly gpc: boolean
}

/** The storefront client: Segment-style positional methods that never throw into the page. */
export interface BrowserClient {
  /** Records an action. Returns the messageId when accepted. */
  readonly track: (event: string, properties?: Record<string, unknown>, options?: CallOptions) => string | undefined
  /** Names the customer and/or merges traits (`identify(traits)` works too). */
  readonly identify: (
    userId?: string | Record<string, unknown>,
    traits?: Record<string, unknown>,
    options?: CallOptions,
  ) => string | undefined
  /** Records a page view (`page()`, `page(name)`, `page(category, name, properties)`). */
  readonly page: (
    category?: string | Record<string, unknown>,
    name?: string | Record<string, unknown>,
    properties?: Record<string, unknown>,
    options?: CallOptions,
  ) => string | undefined
  /** Puts the customer in an account or company. */
  readonly group: (groupId: string, traits?: Record<string, unknown>, options?: CallOptions) => string | undefined
  /** Says `userId` and `previousId` (default: the current id) are the same person. */
  readonly alias: (userId: string, previousId?: string, options?: CallOptions) => string | undefined
  /** Logs out: a new anonymousId, userId and traits forgotten. */
  readonly reset: () => void
  /** Who the visitor is now: anonymousId, userId and traits. */
  readonly user: () => UserSnapshot
  readonly consent: {
    /** The current decisions by category; `undefined` for a category not decided yet. */
    readonly get: () => Record<string, boolean | undefined>
    /** Grants (`true`) or denies (`false`) categories; unnamed categories are unchanged. Granting the storage category moves what was kept in memory onto the device. */
    readonly set: (categories: Record<string, boolean>) => void
  }
  /** Listens to a client event (`'accepted'`, `'delivered'`, `'dead_letter'`, `'error'`, rule firings...). */
  readonly on: (name: string, handler: (payload: unknown) => void) => Cancel
  /** Sends what is due now; never rejects. */
  readonly flush: () => Promise<FlushResult | undefined>
  /** Core's counters, plus where the outbox, ids and consent are kept and whether GPC applied. */
  readonly stats: () => BrowserStats
  /** The client's snapshot; the same object until something changes, as `useSyncExternalStore` needs. */
  readonly getState: () => ClientState
  /** Calls `listener` after the state changed; the returned function stops listening. */
  readonly subscribe: (listener: () => void) => Cancel
  /**
   * Erasure: deletes what ecrm stored on this device (ids, consent, session, traits, this visitor's
   * queued events) and sends one `Data Erasure Requested` event naming the ids, for the backend.
   */
  readonly forget: () => Promise<void>
  /** Stops listeners and timers after a last flush. */
  readonly close: () => Promise<void>
  /**
   * The visitor's own profile, folded on this device from each accepted event; `undefined` with
   * `profile: false`, before the client exists (the script-tag stub) and in `createBasicBrowserClient`.
   */
  readonly profile: () => CustomerProfile | undefined
  /** Whether rule `id`'s condition (`if`) holds for this visitor now; `undefined` for an unknown rule. */
  readonly rule: (id: string) => boolean | undefined
  /**
   * The visitor's variation of experiment `key` (sticky; `?ecrm_exp_<key>=<index>` overrides it for
   * QA), and one `Experiment Viewed` per visitor and variant, unless `{ expose: false }`.
   * `undefined` for an unknown key.
   */
  readonly experiment: (key: string, options?: { readonly expose?: boolean }) => Assignment | undefined
  /** The lead score of this visitor's local profile (`leadModel`), or `undefined` when lead scoring is off. */
  readonly leadScore: () => LeadScore | undefined
  /**
   * Calls `listener` after `profile()`, `rule()`, `experiment()` or `leadScore()` may have changed;
   * between two calls they return the same values (same identity), for `useSyncExternalStore`.
   */
  readonly subscribeOnsite: (listener: () => void) => Cancel
}
