import { EcrmError, EcrmValidationError } from '../errors.js'
import type { ValidationIssue } from '../errors.js'
import type { Cancel, Connectivity, Logger, Ports, QueueItem } from '../ports.js'
import type { EcrmEvent, EventType } from '../model/envelope.js'
import type { CoreClient, CoreClientOptions, EnqueueResult } from './clientTypes.js'
import { buildEvent } from './buildEvent.js'
import { createConsentGate } from './consentGate.js'
import { createMemoryStorage, createUuidV4, createXorshiftRandom } from './defaults.js'
import { createDelivery } from './deliver.js'
import { createEmitter } from './emitter.js'
import { createFlushScheduler } from './flushScheduler.js'
import { createIdentity } from './identity.js'
import { notifyDestinations, runPlugins } from './extensions.js'
import { removeQueuedByCategory, toQueueItem, withConsentContext } from './queueItems.js'
import { resolveOptions } from './resolveOptions.js'
import { createClientState } from './clientState.js'
import { createWriter } from './writeAhead.js'

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
export function createCoreClient(options: CoreClientOptions, ports: Ports): CoreClient {
  resolveOptions(options)
  for (const name of ['clock', 'scheduler', 'queue', 'transport'] as const) {
    if (typeof ports !== 'object' || ports === null || typeof ports[name] !== 'object' || ports[name] === null) {
      throw new EcrmError('invalid_ports', `createCoreClient() is missing a port: ports.${name} (the adapter must pass clock, scheduler, queue and transport)`)
    }
  }
  const random = ports.random ?? createXorshiftRandom(ports.clock.now())
  return createPipelineClient(options, {
    ...ports,
    logger: ports.logger ?? silent,
    random,
    createId: ports.createId ?? createUuidV4(random),
    connectivity: ports.connectivity ?? alwaysOnline,
    storage: ports.storage ?? createMemoryStorage(),
  })
}

/**
 * {@link createCoreClient} for adapters that pass every port themselves (the browser does): it
 * has no fallbacks, so a bundle that uses only this leaves out core's default id generator,
 * random source and memory storage. Ports are not checked: the adapter is trusted to pass them.
 *
 * @example
 * const client = createPipelineClient(options, { clock, scheduler, queue, transport, storage, connectivity, logger, createId, random })
 */
export function createPipelineClient(options: CoreClientOptions, ports: Required<Ports>): CoreClient {
  const resolved = resolveOptions(options)
  const { clock, scheduler, queue, transport, logger, random, createId, connectivity, storage } = ports

  let isStarted = false
  let isClosed = false
  let closing: Promise<void> | undefined
  let stopConnectivity: Cancel | undefined
  let unsentCount = 0
  let unsentBytes = 0

  const emitter = createEmitter((name, error) => logger.error(`ecrm: a handler of "${name}" threw`, error))
  const identity = createIdentity(resolved.identity, storage, createId)
  const report = (error: EcrmError): void => {
    state.setLastError({ code: error.code, message: error.message, at: clock.now() })
    publish()
    logger.warn(error.message, error)
    try {
      options.onError?.(error)
    } catch (hookError) {
      logger.error('ecrm: onError threw', hookError)
    }
    emitter.emit('error', error)
  }
  const gate = createConsentGate({
    ...resolved.consent,
    storage,
    maxHeld: resolved.limits.maxHeldEvents,
    onCategoryError: (error) => report(new EcrmError('consent_category_failed', `consent.categoryOf threw: options.consent.categoryOf (${String(error)}; the event counts as 'analytics')`, { cause: error })),
  })

  const state = createClientState(
    {
      user: identity.snapshot,
      consent: gate.get,
      held: gate.heldCount,
      isOnline: connectivity.isOnline,
      isStarted: () => isStarted,
      isClosed: () => isClosed,
    },
    (error) => logger.error('ecrm: a state listener threw', error),
  )
  const { counters, publish } = state

  const delivery = createDelivery({
    options: resolved,
    queue,
    transport,
    clock,
    connectivity,
    random,
    report,
    onDelivered(items) {
      counters.sent += items.length
      writer.forget(items)
      counters.queued = writer.known().count
      publish()
      emitter.emit('delivered', { messageIds: items.map((item) => item.id) })
    },
    onDeadLetter(events, reason) {
      counters.deadLettered += events.length
      publish()
      try {
        options.onDeadLetter?.(events, reason)
      } catch (hookError) {
        logger.error('ecrm: onDeadLetter threw', hookError)
      }
      emitter.emit('dead_letter', { events, reason })
      report(new EcrmError('dead_letter', `Gave up on ${events.length} events: delivery to ${resolved.endpoint} (${reason}; they went to onDeadLetter)`))
    },
  })

  const writer = createWriter({
    queue,
    bounds: { maxEvents: resolved.limits.maxEvents, maxBytes: resolved.limits.maxBytes },
    report,
    onWritten(written, change) {
      counters.dropped += change.dropped + change.lost
      counters.queued = change.queued
      for (const item of written) {
        unsentCount += 1
        unsentBytes += item.bytes
      }
      publish()
      if (emitter.has('accepted') || (options.destinations !== undefined && options.destinations.length > 0)) {
        // Listeners get the event as queued, read back from its payload: their own copy, since
        // the event object built at the call may share parts with the caller's input.
        for (const item of written) {
          const event = JSON.parse(item.payload) as EcrmEvent
          emitter.emit('accepted', event)
          notifyDestinations(options.destinations, event, gate, report)
        }
      }
      if (!isStarted || isClosed || written.length === 0) return
      if (unsentCount >= resolved.batch.maxEvents || unsentBytes >= resolved.batch.maxBytes) void runFlush(false)
      else flusher.wakeAt(clock.now() + resolved.batch.flushIntervalMs)
    },
  })

  const flusher = createFlushScheduler({
    clock,
    scheduler,
    queue,
    flushIntervalMs: resolved.batch.flushIntervalMs,
    writesSettled: () => writer.settled(),
    pass: (keepalive) => {
      unsentCount = 0
      unsentBytes = 0
      return delivery.pass(keepalive)
    },
    pausedUntil: delivery.pausedUntil,
    isActive: () => isStarted && !isClosed,
    report,
    onFlushed(result, items) {
      if (items !== undefined) {
        writer.setKnown(items)
        counters.queued = items.length
      }
      counters.retried += result.retried
      publish()
    },
  })
  const runFlush = flusher.run

  const hasPlugins = options.plugins?.some((plugin) => plugin.before !== undefined) === true
  // toISOString costs about a microsecond: the calls of one millisecond share its text.
  let isoAt = Number.NaN
  let isoText = ''

  /** Serialises the event (stamped with the consent decisions) once: this text is stored and sent. */
  const serialize = (event: EcrmEvent, now: number): QueueItem =>
    toQueueItem(withConsentContext(event, gate.contextValue().categories, resolved.consent.required), now)

  // The hot path: synchronous, one serialisation, plain input used as is (never copied), the
  // write coalesced with the other calls of this run. publish() only marks the state stale when
  // nobody subscribed, so no snapshot is built per call.
  const accept = (type: EventType, input: unknown): EnqueueResult => {
    const refuse = (issues: readonly ValidationIssue[]): EnqueueResult => {
      counters.rejected += 1
      publish()
      return { ok: false, error: new EcrmValidationError(`${type}() refused the event`, issues) }
    }
    if (isClosed) return refuse([{ path: [], code: 'client_closed', message: `${type}() was called after close(); create a new client` }])
    let enriched: unknown
    try {
      enriched = options.enrich?.()
    } catch (error) {
      report(new EcrmError('enrich_failed', `Reading the context failed: options.enrich (${String(error)}; the event is sent without it)`, { cause: error }))
    }
    const now = clock.now()
    if (now !== isoAt) isoText = new Date((isoAt = now)).toISOString()
    const built = buildEvent(type, input, { now, nowIso: isoText, createId, identity, identityMode: resolved.identity, library: resolved.library, enriched })
    if (!built.ok) return refuse(built.errors)
    // buildEvent's list is this call's own: extended in place, returned as is.
    const warnings = built.warnings as ValidationIssue[]
    // Plugins may change what they get: a copy, never the caller's objects.
    const event = hasPlugins ? runPlugins(options.plugins, copyEvent(built.event), warnings, report) : built.event
    if (event !== null) {
      const item = serialize(event, now)
      const limit = resolved.limits.maxEventBytes
      if (item.bytes > limit) {
        return refuse([{ path: [], code: 'too_large', message: `the event is ${item.bytes} bytes serialised and the limit is ${limit} (limits.maxEventBytes); send fewer or smaller properties` }])
      }
      const category = gate.categoryOf(event)
      const decision = gate.decide(category)
      if (decision === 'allow') writer.write(item)
      else if (decision === 'deny') {
        warnings.push({ path: [], code: 'consent_denied', message: `consent for '${category}' is denied; the event was discarded` })
      } else {
        warnings.push({ path: [], code: 'held_for_consent', message: `held in memory until consent for '${category}' is decided` })
        // Held past this call: a copy, so later changes to the caller's objects cannot leak in.
        if (gate.hold(copyEvent(event), category) !== undefined) counters.dropped += 1
      }
      if (warnings.length > 0) logger.debug(`ecrm: ${type}() changed the input`, warnings)
    }
    publish()
    return { ok: true, messageId: (event ?? built.event).messageId, warnings }
  }

  const client: CoreClient = {
    track: (input) => accept('track', input),
    identify: (input) => accept('identify', input),
    page: (input) => accept('page', input),
    screen: (input) => accept('screen', input),
    group: (input) => accept('group', input),
    alias: (input) => accept('alias', input),
    reset() {
      identity.reset()
      publish()
    },
    user: () => identity.snapshot(),
    consent: {
      get: () => gate.get(),
      set(categories) {
        const changes: Record<string, boolean> = {}
        for (const [key, value] of Object.entries(typeof categories === 'object' && categories !== null ? categories : {})) {
          if (typeof value === 'boolean') changes[key] = value
          else report(new EcrmError('invalid_consent', `consent.set() ignored a value: ${key} (expected true or false, got ${typeof value})`))
        }
        const { granted } = gate.set(changes)
        for (const event of granted) {
          const item = serialize(event, clock.now())
          if (!isClosed) writer.write(item)
        }
        const denied = new Set(Object.keys(changes).filter((key) => changes[key] === false))
        if (denied.size > 0) void writer.then(() => purgeQueued(denied))
        publish()
      },
    },
    flush(flushOptions) {
      if (isClosed && closing !== undefined && !flusher.isFlushing()) {
        return Promise.reject(new EcrmError('client_closed', 'flush() was called after close(): the client (create a new client to send more events)'))
      }
      return runFlush(flushOptions?.keepalive === true)
    },
    close() {
      if (closing !== undefined) return closing
      isClosed = true
      publish()
      closing = (async () => {
        await writer.settled()
        await runFlush(false)
        flusher.cancel()
        stopConnectivity?.()
        stopConnectivity = undefined
        isStarted = false
        publish()
      })()
      return closing
    },
    start() {
      if (isStarted || isClosed) return
      isStarted = true
      stopConnectivity = connectivity.subscribe((online) => {
        publish()
        if (online) void runFlush(false)
      })
      publish()
      // Events left by an earlier session (or another tab) go out without waiting for a new call.
      void runFlush(false)
    },
    stats: () => state.get().stats,
    getState: () => state.get(),
    subscribe: (listener) => state.subscribe(listener),
    on: (name, handler) => emitter.on(name, handler),
    emit: (name, payload) => emitter.emit(name, payload),
  }

  async function purgeQueued(denied: ReadonlySet<string>): Promise<void> {
    const left = await removeQueuedByCategory(queue, denied, gate.categoryOf)
    writer.setKnown(left)
    counters.queued = left.length
    publish()
  }

  return client
}

/** A deep copy of an event (plain JSON already, so the JSON round trip is exact). */
function copyEvent(event: EcrmEvent): EcrmEvent {
  return JSON.parse(JSON.stringify(event)) as EcrmEvent
}
