import type { Logger, Queue, Transport } from '@ecrm/core'
import { createCoreClient, createMemoryQueue, traceDelivery } from './coreImports.js'
import type {
  AliasInput,
  CoreClient,
  CoreClientOptions,
  DroppedResult,
  EnqueueResult,
  FlushResult,
  GroupInput,
  IdentifyInput,
  PageInput,
  ScreenInput,
  ServerCoreClient,
  Stats,
  TrackInput,
} from './coreImports.js'
import { createConsoleLogger, createNodeId, isDebugEnv, systemClock, unrefScheduler } from './nodePorts.js'
import { createFileQueue } from './queue/fileQueue.js'
import { createHttpTransport } from './transport/httpTransport.js'
import type { HttpTransport } from './transport/httpTransport.js'

/** The library stamped on `context.library`; the build replaces the version. */
const LIBRARY = { name: '@ecrm/node', version: '__ECRM_VERSION__' } as const

/** The node client's default `limits.maxBytes` with the memory queue: 128 MiB of payloads. */
export const MEMORY_QUEUE_MAX_BYTES = 128 * 1_048_576
/** The node client's default `limits.maxBytes` with `queueDir`: a disk budget of 1 GiB. */
export const FILE_QUEUE_MAX_BYTES = 1_073_741_824

/**
 * Options of {@link createNodeClient}: the core options (ids come with each call) plus node ports.
 * Node defaults that differ from core's: `headers: 'full'` (application/json + Basic auth),
 * `batch.maxEvents: 500`, `library: { name: '@ecrm/node' }`, and queue bounds by bytes only:
 * `limits.maxEvents: Infinity`, `limits.maxBytes` {@link MEMORY_QUEUE_MAX_BYTES} (memory queue)
 * or {@link FILE_QUEUE_MAX_BYTES} (`queueDir`).
 */
export interface NodeClientOptions extends Omit<CoreClientOptions, 'identity'> {
  /**
   * A directory for the durable file queue: events survive a crash or SIGKILL and go out on the
   * next start. One process per directory. @default in memory (lost if the process dies)
   */
  readonly queueDir?: string
  /**
   * Overrides the transport (tests, proxies: `createKyTransport()` with your fetch).
   * @default createHttpTransport() (node:http / node:https, kept-alive connections)
   */
  readonly transport?: Transport
  /**
   * Where the client reports what it noticed. @default silent; under {@link NodeClientOptions.debug}
   * `createConsoleLogger({ debug: true })`
   */
  readonly logger?: Logger
  /**
   * Logs what the client does: each event queued, each request sent and its answer, retries and
   * pauses (debug lines), drops and give-ups with their reason (warnings), on `logger` or else the
   * console. @default true when the environment variable `ECRM_DEBUG` is `1` or `true`, else false
   */
  readonly debug?: boolean
  /** Overrides the queue entirely (takes precedence over `queueDir`). */
  readonly queue?: Queue
}

/** A call accepted into the queue: it stays there until delivered (or dead-lettered), never dropped. */
export type Accepted = Extract<EnqueueResult, { ok: true }>

/**
 * What an event call returns: `{ ok: true, messageId }` (queued), or `{ ok: false, dropped: true,
 * messageId, error }` when the queue is at the `limits` you set (counted in `stats().dropped`,
 * reported on `onError` once per run of drops). Bad input throws instead.
 */
export type NodeCallResult = Accepted | DroppedResult

/** The server-side ecrm client. */
export interface NodeClient {
  /** Records that a customer did something. Synchronous; throws EcrmValidationError for bad input; says when dropped. */
  readonly track: (input: TrackInput) => NodeCallResult
  /** Names a customer (`userId`) and/or records traits. Synchronous; throws EcrmValidationError for bad input; says when dropped. */
  readonly identify: (input: IdentifyInput) => NodeCallResult
  /** Records a page view. Synchronous; throws EcrmValidationError for bad input; says when dropped. */
  readonly page: (input: PageInput) => NodeCallResult
  /** Records an app screen view. Synchronous; throws EcrmValidationError for bad input; says when dropped. */
  readonly screen: (input: ScreenInput) => NodeCallResult
  /** Puts a customer in a group (account, company). Synchronous; throws EcrmValidationError for bad input; says when dropped. */
  readonly group: (input: GroupInput) => NodeCallResult
  /** Says `userId` and `previousId` are the same customer. Synchronous; throws EcrmValidationError for bad input; says when dropped. */
  readonly alias: (input: AliasInput) => NodeCallResult
  /**
   * Backpressure: resolves once every event tracked so far is in the queue (on disk, with
   * `queueDir`) and the queue holds at most `limits.highWaterBytes` (default 8 MiB). A producer
   * that awaits it now and then keeps memory flat and is never dropped. Never rejects; waits
   * while delivery is stuck (race it with a timer if you would rather drop).
   *
   * @example
   * for await (const order of orders) {
   *   client.track({ userId: order.customerId, event: 'Order Completed', properties: order })
   *   await client.ready()
   * }
   */
  readonly ready: () => Promise<void>
  /**
   * Sends everything queued; resolves once the backend has acknowledged it (or the client gave up
   * for now: see `remaining`). In serverless functions: `waitUntil(client.flush())`.
   */
  readonly flush: () => Promise<FlushResult>
  /** Flushes, then stops timers and closes the queue. Later calls throw. Idempotent. */
  readonly close: () => Promise<void>
  /** Counters since the client was created. */
  readonly stats: () => Stats
  /** Listens to client events: `'delivered'`, `'dead_letter'`, `'error'`, `'accepted'`. */
  readonly on: CoreClient['on']
  /** The wrapped core client, for what this surface does not cover. */
  readonly core: ServerCoreClient
}

/**
 * Creates the server-side client: the core pipeline with node ports (Date.now, unref'd timers,
 * a durable file queue when `queueDir` is given, a kept-alive node:http transport, crypto UUIDs). Every call names
 * its customer (`userId` or `anonymousId`); there is no ambient identity on a server.
 *
 * The queue is bounded by bytes, so a burst of any count is queued; past the `limits` you set an
 * event is dropped at its call, which says so (`{ ok: false, dropped: true }`); `await ready()`
 * paces a producer to delivery instead.
 *
 * Not guaranteed: with the in-memory queue, events still queued when the process dies are lost;
 * with `queueDir`, an event is durable once its group is written (within one event-loop turn of
 * the call; `ready()` resolves after it), and nothing is sent before that.
 *
 * @example
 * const client = createNodeClient({ writeKey, endpoint: 'https://collect.shop.example', queueDir: '.ecrm-queue' })
 * client.track({ userId: 'user-42', event: 'Order Completed', properties: { order_id: 'o-1', total: 42 } })
 * await client.close()
 */
export function createNodeClient(options: NodeClientOptions): NodeClient {
  const { queueDir, transport, queue: customQueue, debug = isDebugEnv(), ...core } = options
  const logger = options.logger ?? (debug ? createConsoleLogger({ debug: true }) : undefined)
  const fileQueue =
    customQueue === undefined && queueDir !== undefined
      ? createFileQueue({ dir: queueDir, ...(logger ? { onWarning: logger.warn } : {}) })
      : undefined
  const queue = customQueue ?? fileQueue ?? createMemoryQueue()
  // Kept-alive node:http costs a third less CPU a batch than fetch (bench/node), and is ours to close.
  let ownTransport: HttpTransport | undefined
  const sending = transport ?? (ownTransport = createHttpTransport())
  // Debugging wraps the two ports; a client without it runs them untouched.
  const traced = debug && logger ? traceDelivery({ queue, transport: sending }, logger) : { queue, transport: sending }
  const client = createCoreClient(
    // Servers batch 500 events a request (core's 500 KB cap still applies): fewer round trips
    // where no page unload limits the request size.
    {
      headers: 'full',
      library: LIBRARY,
      ...core,
      batch: { maxEvents: 500, ...core.batch },
      // Bounded by bytes only: a burst of any count fits; with queueDir, the budget is disk.
      limits: {
        maxEvents: Infinity,
        maxBytes: fileQueue === undefined ? MEMORY_QUEUE_MAX_BYTES : FILE_QUEUE_MAX_BYTES,
        ...core.limits,
      },
      identity: 'none',
    },
    {
      clock: systemClock,
      scheduler: unrefScheduler,
      ...traced,
      createId: createNodeId,
      random: Math.random,
      ...(logger === undefined ? {} : { logger }),
    },
  )
  client.start()
  const accepted = (result: EnqueueResult): NodeCallResult => {
    if (!result.ok && !result.dropped) throw result.error
    return result
  }
  let closing: Promise<void> | undefined
  return {
    track: (input) => accepted(client.track(input)),
    identify: (input) => accepted(client.identify(input)),
    page: (input) => accepted(client.page(input)),
    screen: (input) => accepted(client.screen(input)),
    group: (input) => accepted(client.group(input)),
    alias: (input) => accepted(client.alias(input)),
    ready: () => client.ready(),
    flush: () => client.flush(),
    close() {
      closing ??= (async () => {
        try {
          await client.close()
        } finally {
          ownTransport?.close()
          await fileQueue?.close()
        }
      })()
      return closing
    },
    stats: () => client.stats(),
    on: (name, handler) => client.on(name, handler),
    core: client,
  }
}
