import { EcrmError, EcrmValidationError } from '../errors.js'
import type { ValidationIssue } from '../errors.js'
import type { Cancel, Connectivity, Logger, Ports, QueueItem } from '../ports.js'
import type { EcrmEvent, EventType } from '../model/envelope.js'
import type {
  CoreClient,
  CoreClientOptions,
  DroppedResult,
  EnqueueResult,
  LimitOptions,
  ServerCoreClient,
} from './clientTypes.js'
import { createAdmission } from './admission.js'
import type { Admission } from './admission.js'
import { buildEvent } from './buildEvent.js'
import { createConsentGate, pickDecisions } from './consentGate.js'
import { createMemoryStorage, createUuidV4, createXorshiftRandom } from './defaults.js'
import { serverHeaders } from './buildRequest.js'
import { createEmitter } from './emitter.js'
import type { Guard } from './emitter.js'
import { createIdentity, createStatelessIdentity } from './identity.js'
import type { Identity } from './identity.js'
import { notifyDestinations, runPlugins } from './extensions.js'
import { createOutbox } from './outbox.js'
import { isPlainJson } from './plainJson.js'
import { toQueueItem, withConsentContext } from './queueItems.js'
import { checkModes, resolveOptions } from './resolveOptions.js'
import { createClientState } from './clientState.js'
import type { Report } from './clientState.js'

/** The library named in `context.library` when the adapter names none. */
const DEFAULT_LIBRARY = { name: '@ecrm/core', version: '0.1.0' } as const
const alwaysOnline: Connectivity = { isOnline: () => true, subscribe: () => () => {} }
const silent: Logger = { debug: () => {}, warn: () => {}, error: () => {} }

/**
 * Creates the runtime-agnostic ecrm client: validates and sanitises each call, writes the event
 * to `ports.queue` before any send, batches by count, bytes and time, retries by the one policy
 * ({@link classifyOutcome}), bounds the queue, and gates on consent. The browser and node
 * adapters wrap it; nothing runs until `start()`.
 *
 * Throws {@link EcrmError} `invalid_options` / `invalid_ports` for programmer errors only; the
 * event methods never throw.
 *
 * @example
 * const client = createCoreClient({ writeKey: 'wk', endpoint: 'https://collect.shop.example' },
 *   { clock, scheduler, queue: createMemoryQueue(), transport })
 * client.start()
 * client.track({ event: 'Order Completed', properties: { order_id: 'o-1', total: 42 } })
 * await client.close()
 */
export function createCoreClient(options: CoreClientOptions, ports: Ports): ServerCoreClient {
  const { limits } = resolveOptions(options)
  checkModes(options)
  for (const name of ['clock', 'scheduler', 'queue', 'transport'] as const) {
    if (typeof ports !== 'object' || ports === null || typeof ports[name] !== 'object' || ports[name] === null) {
      throw new EcrmError(
        'invalid_ports',
        `createCoreClient() is missing a port: ports.${name} (the adapter must pass clock, scheduler, queue and transport)`,
      )
    }
  }
  const random = ports.random ?? createXorshiftRandom(ports.clock.now())
  const admission = createAdmission(ports.queue, {
    ...limits,
    highWaterBytes: highWaterOf(options.limits, limits.maxBytes),
  })
  const client = createPipelineClient(
    // The caps are kept at the call (admission); the pipeline's own bounding after the write,
    // which would evict what a call already reported queued, is off.
    {
      ...options,
      limits: { ...options.limits, maxEvents: Infinity, maxBytes: Infinity },
      library: options.library ?? DEFAULT_LIBRARY,
    },
    {
      ...ports,
      queue: admission.queue,
      logger: ports.logger ?? silent,
      random,
      createId: ports.createId ?? createUuidV4(random),
      connectivity: ports.connectivity ?? alwaysOnline,
      storage: ports.storage ?? createMemoryStorage(),
    },
    {
      // A server's hot path: plain JSON input skips sanitize's copy; the calls of one millisecond share its text.
      isPlainJson,
      toIsoTime: createIsoTimeCache(),
      ...(options.headers === 'full' && { requestHeaders: serverHeaders(options.writeKey) }),
      ...(options.identity === 'none' && { identity: createStatelessIdentity(), checkEvent: requireIdentity }),
      admit: admission.admit,
    },
  )
  // Waiting for room, the producer wants delivery now, not at the next full batch or timer.
  const flushNow = (): void => void client.flush().catch(() => undefined)
  return { ...client, ready: () => admission.ready(flushNow) }
}

/** `limits.highWaterBytes`, checked like the other limits: a quarter of `maxBytes`, at most 8 MiB, when not given. */
function highWaterOf(given: LimitOptions | undefined, maxBytes: number): number {
  const value = given?.highWaterBytes
  if (value === undefined) return Math.min(8 * 1_048_576, maxBytes / 4)
  if (typeof value === 'number' && value > 0) return value
  throw new EcrmError(
    'invalid_options',
    `Invalid option: limits.highWaterBytes (expected a number above 0, got ${String(value)})`,
  )
}

/** `toISOString` costs about a microsecond: a server's calls of one millisecond share its text. */
function createIsoTimeCache(): (now: number) => string {
  let cachedAt = Number.NaN
  let cachedText = ''
  return (now) => (now === cachedAt ? cachedText : (cachedText = new Date((cachedAt = now)).toISOString()))
}

/** In `identity: 'none'` mode nothing is remembered, so every call must name its user. */
function requireIdentity(event: EcrmEvent): ValidationIssue | undefined {
  if (event.userId !== undefined || event.anonymousId !== undefined) return undefined
  return {
    path: ['userId'],
    code: 'missing_identity',
    message: 'an event needs a userId or an anonymousId; this client keeps no identity, so pass one with each call',
  }
}

/** Options of {@link createPipelineClient}: the core client's, with the library always named (no default there). */
export type PipelineClientOptions = CoreClientOptions & {
  readonly library: { readonly name: string; readonly version: string }
}

/**
 * What {@link createCoreClient} adds to {@link createPipelineClient} for servers. A browser passes
 * none of it, so none of it ships in its bundle.
 */
export interface ServerExtras {
  /** Headers of each request. @default the CORS-simple `Content-Type: text/plain` */
  readonly requestHeaders?: Readonly<Record<string, string>>
  /**
   * Lets input that is already plain JSON skip sanitize's copy (core's `isPlainJson`). Without
   * it every part is copied: a few µs per event, nothing at a browser's click rate, a lot on a
   * server's hot path.
   */
  readonly isPlainJson?: (value: unknown) => boolean
  /** The `'none'` identity mode's stateless identity. @default the identity persisted in `ports.storage` */
  readonly identity?: Identity
  /** Formats the time of a call as ISO-8601 text (createCoreClient's caches it per millisecond). @default `toISOString` */
  readonly toIsoTime?: (now: number) => string
  /** A last check of each built event; an issue refuses the call (createCoreClient's refuses an event with no id in `identity: 'none'` mode). */
  readonly checkEvent?: (event: EcrmEvent) => ValidationIssue | undefined
  /**
   * Bounds the queue at the call ({@link createAdmission}): an event it drops is not queued and
   * its call returns the drop. @default bounding after the write (the browser's)
   */
  readonly admit?: Admission['admit']
}

/**
 * {@link createCoreClient} for adapters that pass every port themselves (the browser does): it
 * has no fallbacks, so a bundle that uses only this leaves out core's default id generator,
 * random source and memory storage, Basic auth and the plain-JSON pre-check. `options.headers`
 * is not read: requests carry `extras.requestHeaders` (default: the CORS-simple
 * `Content-Type: text/plain`; createCoreClient passes {@link serverHeaders} for `headers: 'full'`).
 * Ports are not checked: the adapter is trusted to pass them right. `options.identity` is not
 * read either: the identity is persisted in `ports.storage` unless `extras.identity` is given
 * (createCoreClient passes a stateless one for `'none'`, and `extras.checkEvent` to refuse an
 * event with no id).
 *
 * @example
 * const client = createPipelineClient({ ...options, library: { name: '@ecrm/browser', version } },
 *   { clock, scheduler, queue, transport, storage, connectivity, logger, createId, random })
 */
export function createPipelineClient(
  options: PipelineClientOptions,
  ports: Required<Ports>,
  extras: ServerExtras = {},
): CoreClient {
  const resolved = resolveOptions(options)
  const { limits } = resolved
  const { clock, logger, createId, connectivity, storage } = ports

  let isStarted = false
  let isClosed = false
  let closing: Promise<void> | undefined
  let stopConnectivity: Cancel | undefined

  const guard: Guard = (where, run) => {
    try {
      run()
    } catch (error) {
      logger.error(`ecrm: ${where} threw`, error)
    }
  }
  const emitter = createEmitter(guard)
  const identity = extras.identity ?? createIdentity(storage, createId)
  /** The one way an error is reported: stats().lastError, the logger, onError and the `error` event. */
  const reportError = (error: EcrmError): void => {
    counters.lastError = { code: error.code, message: error.message, at: clock.now() }
    publish()
    logger.warn(error.message, error)
    guard('onError', () => options.onError?.(error))
    emitter.emit('error', error)
  }
  const report: Report = (code, message, cause) =>
    reportError(new EcrmError(code, message, cause === undefined ? undefined : { cause }))
  const gate = createConsentGate({
    ...options.consent,
    storage,
    maxHeld: limits.maxHeldEvents,
    onCategoryError: (error) =>
      report(
        'consent_category_failed',
        `categoryOf threw: options.consent.categoryOf (${String(error)}; counted as 'analytics')`,
        error,
      ),
  })

  const state = createClientState(
    () => ({
      user: identity.snapshot(),
      consent: gate.get(),
      held: gate.heldCount(),
      isOnline: connectivity.isOnline(),
      isStarted,
      isClosed,
    }),
    guard,
  )
  const { counters, publish } = state

  const outbox = createOutbox({
    ...ports,
    ...extras, // requestHeaders
    options: resolved,
    counters,
    publish,
    report,
    isActive: () => isStarted && !isClosed,
    onWritten(written) {
      if (!emitter.has('accepted') && !options.destinations?.length) return
      for (const item of written) {
        // Listeners get the event as queued, read back from its payload: their own copy, since
        // the event object built at the call may share parts with the caller's input.
        const event = JSON.parse(item.payload) as EcrmEvent
        emitter.emit('accepted', event)
        notifyDestinations(options.destinations, event, gate, report)
      }
    },
    onDelivered(items) {
      emitter.emit('delivered', { messageIds: items.map((item) => item.id) })
    },
    onDeadLetter(events, reason) {
      publish()
      guard('onDeadLetter', () => options.onDeadLetter?.(events, reason))
      emitter.emit('dead_letter', { events, reason })
      report(
        'dead_letter',
        `Gave up on ${events.length} events: delivery to ${resolved.endpoint} (${reason}; they went to onDeadLetter)`,
      )
    },
  })

  const hasPlugins = options.plugins?.some((plugin) => plugin.before !== undefined) === true

  /** Serialises the event (stamped with the consent decisions) once: this text is stored and sent. */
  const serialize = (event: EcrmEvent, now: number): QueueItem =>
    toQueueItem(withConsentContext(event, gate.get(), options.consent?.required), now)

  // The hot path: synchronous, one serialisation, plain input used as is on servers (never
  // copied), the write coalesced with the other calls of this run. publish() only marks the state
  // stale when nobody subscribed, so no snapshot is built per call.
  const accept = (type: EventType, input: unknown): EnqueueResult => {
    const refuse = (issues: readonly ValidationIssue[]): EnqueueResult => {
      counters.rejected += 1
      publish()
      return { ok: false, error: new EcrmValidationError(`${type}() refused the event`, issues) }
    }
    if (isClosed) {
      counters.rejected += 1
      publish()
      // The same code as flush() after close(): the input may be fine, the client is what is gone.
      return {
        ok: false,
        closed: true,
        error: new EcrmError('client_closed', `${type}() was called after close() (create a new client)`),
      }
    }
    let enriched: unknown
    try {
      enriched = options.enrich?.()
    } catch (error) {
      report('enrich_failed', `enrich threw: options.enrich (${String(error)}; sent without it)`, error)
    }
    const now = clock.now()
    const nowIso = extras.toIsoTime?.(now) ?? new Date(now).toISOString()
    const built = buildEvent(type, input, {
      nowIso,
      createId,
      identity,
      library: options.library,
      enriched,
      isPlainJson: extras.isPlainJson,
    })
    if (!built.ok) return refuse(built.errors)
    const refusal = extras.checkEvent?.(built.event)
    if (refusal) return refuse([refusal])
    // buildEvent's list is this call's own: extended in place, returned as is.
    const warnings = built.warnings as ValidationIssue[]
    let dropped: DroppedResult | undefined
    // Plugins may change what they get: a copy (plain JSON already, so the round trip is exact),
    // never the caller's objects.
    const event = hasPlugins
      ? runPlugins(options.plugins, JSON.parse(JSON.stringify(built.event)) as EcrmEvent, warnings, report)
      : built.event
    if (event !== null) {
      const item = serialize(event, now)
      if (item.bytes > limits.maxEventBytes) {
        return refuse([
          issue(
            'too_large',
            `${item.bytes} bytes serialised, over limits.maxEventBytes (${limits.maxEventBytes}); send fewer or smaller properties`,
          ),
        ])
      }
      const category = gate.categoryOf(event)
      const decision = gate.decide(category)
      if (decision === 'allow') {
        dropped = extras.admit?.(item, counters, reportError)
        if (!dropped) outbox.write(item)
      } else if (decision === 'deny')
        warnings.push(issue('consent_denied', `consent for '${category}' is denied; event discarded`))
      else {
        warnings.push(issue('held_for_consent', `held in memory until consent for '${category}' is decided`))
        // Held as its text: later changes to the caller's objects cannot leak in.
        if (gate.hold(item.payload, category)) counters.dropped += 1
      }
      if (warnings.length > 0) logger.debug(`ecrm: ${type}() changed the input`, warnings)
    }
    publish()
    return dropped ?? { ok: true, messageId: (event ?? built.event).messageId, warnings }
  }

  return {
    // The six Segment calls differ only in their type.
    ...(Object.fromEntries(EVENT_TYPES.map((type) => [type, (input: unknown) => accept(type, input)])) as Pick<
      CoreClient,
      EventType
    >),
    reset() {
      identity.reset()
      publish()
    },
    user: identity.snapshot,
    consent: {
      get: gate.get,
      set(categories) {
        const changes = pickDecisions(categories, (key, value) =>
          report(
            'invalid_consent',
            `consent.set() ignored a value: ${key} (expected true or false, got ${typeof value})`,
          ),
        )
        // A granted event is stamped with the decisions as they are now.
        for (const payload of gate.set(changes))
          if (!isClosed) outbox.write(serialize(JSON.parse(payload) as EcrmEvent, clock.now()))
        if (Object.values(changes).includes(false))
          outbox.withdraw((event) => changes[gate.categoryOf(event)] === false)
        publish()
      },
    },
    flush(flushOptions) {
      if (closing !== undefined && !outbox.isFlushing()) {
        return Promise.reject(new EcrmError('client_closed', 'flush() was called after close() (create a new client)'))
      }
      return outbox.flush(flushOptions?.keepalive === true)
    },
    // Runs synchronously up to its first await: the client refuses calls from the moment close() returns.
    close: () =>
      (closing ??= (async () => {
        isClosed = true
        publish()
        await outbox.flush(false)
        outbox.cancel()
        stopConnectivity?.()
        isStarted = false
        publish()
      })()),
    start() {
      if (isStarted || isClosed) return
      isStarted = true
      stopConnectivity = connectivity.subscribe((online) => {
        publish()
        if (online) void outbox.flush(false)
      })
      publish()
      // Events left by an earlier session (or another tab) go out without waiting for a new call.
      void outbox.flush(false)
    },
    stats: () => state.get().stats,
    report: reportError,
    getState: state.get,
    subscribe: state.subscribe,
    on: emitter.on,
    emit: emitter.emit,
  }
}

const EVENT_TYPES = ['track', 'identify', 'page', 'screen', 'group', 'alias'] as const satisfies readonly EventType[]

/** A validation issue about the event as a whole. */
function issue(code: string, message: string): ValidationIssue {
  return { path: [], code, message }
}
