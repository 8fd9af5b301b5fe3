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
import { runPlugins, notifyDestinations } from './extensions.js'
import { removeQueuedByCategory, toQueueItem, withConsentContext } from './queueItems.js'
import { resolveOptions } from './resolveOptions.js'
import { createClientState } from './clientState.js'
import { createWriter } from './writeAhead.js'
import type { PendingWrite } from './writeAhead.js'

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
  const resolved = resolveOptions(options)
  for (const name of ['clock', 'scheduler', 'queue', 'transport'] as const) {
    if (typeof ports !== 'object' || ports === null || typeof ports[name] !== 'object' || ports[name] === null) {
      throw new EcrmError('invalid_ports', `createCoreClient() is missing a port: ports.${name} (the adapter must pass clock, scheduler, queue and transport)`)
    }
  }
  const { clock, scheduler, queue, transport } = ports
  const logger = ports.logger ?? silent
  const random = ports.random ?? createXorshiftRandom(clock.now())
  const createId = ports.createId ?? createUuidV4(random)
  const connectivity = ports.connectivity ?? alwaysOnline
  const storage = ports.storage ?? createMemoryStorage()

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
      for (const { item } of written) {
        unsentCount += 1
        unsentBytes += item.bytes
      }
      publish()
      for (const { event } of written) {
        emitter.emit('accepted', event)
        notifyDestinations(options.destinations, event, gate, report)
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

  const closedIssue = (method: string): ValidationIssue => ({ path: [], code: 'client_closed', message: `${method}() was called after close(); create a new client` })

  const serialize = (event: EcrmEvent): PendingWrite => {
    const stamped = withConsentContext(event, gate.contextValue().categories, resolved.consent.required)
    return { item: toQueueItem(stamped, clock.now()), event: stamped }
  }

  const tooLarge = (bytes: number): ValidationIssue => ({
    path: [],
    code: 'too_large',
    message: `the event is ${bytes} bytes serialised and the limit is ${resolved.limits.maxEventBytes} (limits.maxEventBytes); send fewer or smaller properties`,
  })

  const accept = (type: EventType, input: unknown): EnqueueResult => {
    const refuse = (issues: readonly ValidationIssue[]): EnqueueResult => {
      counters.rejected += 1
      publish()
      return { ok: false, error: new EcrmValidationError(`${type}() refused the event`, issues) }
    }
    if (isClosed) return refuse([closedIssue(type)])
    let enriched: unknown
    try {
      enriched = options.enrich?.()
    } catch (error) {
      report(new EcrmError('enrich_failed', `Reading the context failed: options.enrich (${String(error)}; the event is sent without it)`, { cause: error }))
    }
    const built = buildEvent(type, input, {
      now: clock.now(),
      createId,
      identity,
      identityMode: resolved.identity,
      library: resolved.library,
      enriched,
    })
    if (!built.ok) return refuse(built.errors)
    const warnings: ValidationIssue[] = [...built.warnings]
    const event = runPlugins(options.plugins, built.event, warnings, report)
    if (event === null) return { ok: true, messageId: built.event.messageId, warnings }
    const pending = serialize(event)
    if (pending.item.bytes > resolved.limits.maxEventBytes) return refuse([tooLarge(pending.item.bytes)])
    const category = gate.categoryOf(event)
    const decision = gate.decide(category)
    if (decision === 'allow') writer.write(pending)
    else if (decision === 'deny') {
      warnings.push({ path: [], code: 'consent_denied', message: `consent for '${category}' is denied; the event was discarded` })
    } else {
      warnings.push({ path: [], code: 'held_for_consent', message: `held in memory until consent for '${category}' is decided` })
      if (gate.hold(event, category) !== undefined) counters.dropped += 1
    }
    publish()
    if (warnings.length > 0) logger.debug(`ecrm: ${type}() changed the input`, warnings)
    return { ok: true, messageId: event.messageId, warnings }
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
          const pending = serialize(event)
          if (!isClosed) writer.write(pending)
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
