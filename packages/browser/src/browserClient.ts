import { EcrmError, createPipelineClient } from '@ecrm/core'
import type { ClientDestination, CoreClient, EnqueueResult, EventContext, EventType, Ports } from '@ecrm/core'
import type { BrowserClient, BrowserClientOptions, CallOptions } from './browserClientTypes.js'
import { createBrowserId } from './browserId.js'
import { parseCampaign } from './campaign.js'
import { deriveConsent } from './consent.js'
import { createBrowserClock, createBrowserConnectivity, createBrowserScheduler } from './environment.js'
import { createIdbQueue } from './idbQueue.js'
import type { IdbQueue } from './idbQueue.js'
import { createFetchTransport } from './fetchTransport.js'
import { createLocalStore } from './localStore.js'
import type { LocalStore } from './localStore.js'
import { readDeviceContext, readPageContext, withoutUndefined } from './pageContext.js'
import type { PageContext } from './pageContext.js'
import { readIdentifyArgs, readPageArgs } from './positionalArgs.js'
import { createErasedIds, eraseVisitor } from './erasure.js'
import { createConsentStorage } from './consentStorage.js'
import { sendOnPageExit, watchPageOutbox } from './pageExit.js'
import { createSessionTracker } from './session.js'
import { createUnloadTransport } from './unloadTransport.js'
import { withSenderLock } from './webLocks.js'
import { startCapture } from './capture.js'
import { createPageSafety } from './pageSafety.js'
import type { OnsiteStarter } from './onsite/startOnsite.js'
import { startOnsite } from './onsite/startOnsite.js'

/** The page and time a buffered call was made at (the snippet records them). */
export interface CallContext {
  readonly page?: Partial<PageContext> | undefined
  /** ISO-8601 or epoch ms. */
  readonly timestamp?: string | number
}

/** The client plus what the script-tag bundle needs to replay buffered calls. */
export interface BrowserClientHandle {
  readonly client: BrowserClient
  /** Runs `call` as if made at `context` (its page and time), e.g. a call buffered by the snippet. */
  readonly runAt: <T>(context: CallContext, call: () => T) => T
}

const VERSION = '__ECRM_VERSION__'
/** Keys mirrored in first-party cookies, so the visitor is recognised even when localStorage is cleared. */
const COOKIE_KEYS = ['ecrm.anonymousId', 'ecrm.userId']
const noop = (): undefined => undefined

/**
 * Creates the storefront client and starts it: IndexedDB outbox, cookie + localStorage identity,
 * consent (with Global Privacy Control), page views and SPA routes, sessions and campaigns, unload
 * delivery, and (given `withOnsite`, e.g. {@link startOnsite}) the on-site intelligence. Nothing
 * runs before this call.
 */
export function createBrowserClientHandle(
  given: BrowserClientOptions,
  withOnsite?: OnsiteStarter,
): BrowserClientHandle {
  // A copy, so options that are no object at all reach core's check (which names what is missing)
  // instead of failing on a property read here.
  const options = { ...given }
  // The browser's environment; a port named in `options.ports` replaces its piece.
  const ports = {
    clock: createBrowserClock(),
    scheduler: createBrowserScheduler(),
    connectivity: createBrowserConnectivity(),
    createId: createBrowserId,
    // `debug: true`: what core reports and notes goes to the console.
    logger: options.debug === true ? console : { debug: noop, warn: noop, error: noop },
    // Backoff jitter only: Math.random is enough (ids come from Web Crypto).
    random: Math.random,
    ...options.ports,
  }

  const localStore =
    ports.storage === undefined ? createLocalStore({ cookieKeys: COOKIE_KEYS, cookie: options.cookie }) : undefined
  const consent = deriveConsent(options.consent)
  // Assigned once the ports exist. Until then nothing is allowed onto the device (core only reads
  // the stored ids while it is created).
  let core: CoreClient
  // Every problem takes core's one channel: stats().lastError, the logger, onError, on('error').
  // Nothing reports before core exists; should something, the console is all there is.
  const report = (error: EcrmError): void => (core ? core.report(error) : console.error('[ecrm]', error))
  const { settle, guard } = createPageSafety(report)
  // Ids, traits, session, touches, profile and rule state stay in memory until the visitor agrees.
  const storage = createConsentStorage({
    storage: ports.storage ?? (localStore as LocalStore),
    isAllowed: () => core?.consent.get()[consent.storageCategory] === true,
  })
  const erased = createErasedIds()
  const idbQueue =
    ports.queue === undefined
      ? createIdbQueue({
          dbName: options.dbName ?? `ecrm-${options.writeKey}`,
          onFallback: (cause) =>
            report(
              new EcrmError(
                'storage_fallback',
                'IndexedDB unavailable: outbox (events kept in memory, lost on reload)',
                { cause },
              ),
            ),
        })
      : undefined
  // The on-site fold sees each event as its write starts, not once IndexedDB confirms it: a rule
  // evaluated meanwhile (an exit intent right after an order) must see the event. Only core's
  // coalesced writes enqueue, after `onsite` exists.
  const outbox = watchPageOutbox(ports.queue ?? (idbQueue as IdbQueue), erased.isErasedItem, (items) =>
    onsite?.observe(items),
  )
  const queue = outbox.queue
  // Page-exit requests skip the cross-tab lock (a closing page cannot wait), so keep the unlocked one.
  const exitTransport = ports.transport ?? createUnloadTransport({ transport: createFetchTransport() })
  const sessions = createSessionTracker({ storage, createId: ports.createId, idleMs: options.capture?.sessionIdleMs })
  const device = readDeviceContext()
  let callContext: CallContext | undefined
  let referrerOverride: string | undefined

  /** The automatic context of an event, at call time (or at the buffered call's time). */
  const currentPage = (): Partial<PageContext> => ({ ...readPageContext(referrerOverride), ...callContext?.page })
  const enrich = (): Partial<EventContext> => {
    const page = currentPage()
    // No buffered time, or an unreadable one (NaN), means now.
    const calledAt = new Date(callContext?.timestamp ?? NaN).getTime() || ports.clock.now()
    const touch = sessions.touch(calledAt, parseCampaign(page.search ?? ''))
    return withoutUndefined<Record<string, unknown>>({
      ...device,
      page,
      sessionId: touch.sessionId,
      campaign: touch.lastTouch,
      firstTouch: touch.firstTouch,
      consent: { gpc: consent.gpc },
    })
  }

  // Core already skips a destination whose consent category is not granted (GPC included); it
  // cannot know which visitors were erased on this page.
  const destinations = (options.destinations ?? []).map(
    (destination): ClientDestination => ({
      ...destination,
      deliver: (event) => (erased.isErased(event) ? undefined : destination.deliver(event)),
    }),
  )
  // Every port is passed, so core's fallbacks (its seeded PRNG, UUID generator, memory store) stay out of the bundle.
  const corePorts: Required<Ports> = {
    ...ports,
    queue,
    transport: ports.transport ?? withSenderLock(exitTransport, `ecrm-send-${options.writeKey}`),
    storage,
  }
  // The on-site intelligence (createBrowserClient) wires itself in here, before core exists.
  const onsite = withOnsite?.(options, { ports: corePorts, report, guard })

  // A same-origin collector ('/collect') is resolved against the page; core judges every other endpoint.
  const endpoint =
    typeof location !== 'undefined' && /^\/(?!\/)/.test(options.endpoint)
      ? location.origin + options.endpoint
      : options.endpoint
  core = createPipelineClient(
    {
      // Core takes batch, retry, limits, requestTimeoutMs, leaseMs, plugins, onError and onDeadLetter
      // as they are, and reads no option it does not know (capture, cookie, ports... pass through
      // unread). Its identity is 'persisted' by default: ids are kept in `storage`.
      ...options,
      endpoint,
      library: { name: '@ecrm/browser', version: VERSION },
      consent,
      enrich,
      destinations,
    },
    corePorts,
  )
  storage.sync()

  /**
   * Hands a call to core: its fields over its options (core reads only the keys of the call's type,
   * so options add no other field); a replayed call keeps the time it was made at, unless it named
   * its own. A refused call is reported (with every issue and its path); the caller gets no messageId.
   */
  const send = (
    type: EventType,
    callOptions: CallOptions | undefined,
    fields: Record<string, unknown>,
  ): string | undefined => {
    const input: Record<string, unknown> = { ...callOptions, ...fields }
    input['timestamp'] ??= callContext?.timestamp
    // Each method checks its own input: core takes it as unknown.
    const result = (core[type] as (input: unknown) => EnqueueResult)(input)
    if (result.ok) return result.messageId
    report(result.error)
    return undefined
  }

  const client: BrowserClient = {
    track: guard('track', (event, properties, callOptions) => send('track', callOptions, { event, properties })),
    identify: guard('identify', (a, b, c) => {
      const { options: callOptions, ...fields } = readIdentifyArgs(a, b, c)
      return send('identify', callOptions, fields)
    }),
    page: guard('page', (a, b, c, d) => {
      const { category, name, properties, options: callOptions } = readPageArgs(a, b, c, d)
      // Segment puts the page fields in the properties of a page call too.
      return send('page', callOptions, { category, name, properties: { ...currentPage(), ...properties } })
    }),
    group: guard('group', (groupId, traits, callOptions) => send('group', callOptions, { groupId, traits })),
    alias: guard('alias', (userId, previousId, callOptions) => send('alias', callOptions, { userId, previousId })),
    reset: guard('reset', () => (core.reset(), onsite?.clear())),
    // Core's reads and `on` never throw: they are passed as they are.
    user: core.user,
    consent: {
      get: core.consent.get,
      set: guard('consent.set', (categories) => {
        core.consent.set(categories)
        // Granted: what was kept in memory goes to the device now; withdrawn: it comes back off it.
        storage.sync()
      }),
    },
    on: core.on,
    flush: () => settle('flush', core.flush()),
    // A queue or store passed in through `ports` is reported as memory: ecrm cannot tell where it keeps data.
    stats: () => ({
      ...core.stats(),
      storage: idbQueue?.storage() ?? 'memory',
      keyValueStorage: localStore?.kind() ?? 'memory',
      gpc: consent.gpc,
    }),
    // Without the on-site intelligence its reads answer undefined.
    profile: noop,
    rule: noop,
    experiment: noop,
    leadScore: noop,
    subscribeOnsite: () => noop,
    ...onsite?.methods,
    getState: core.getState,
    subscribe: core.subscribe,
    forget: () =>
      settle(
        'forget',
        eraseVisitor({
          core,
          queue,
          erased,
          forgetLocal: () => (sessions.clear(), storage.clear(), localStore?.clear(), onsite?.clear()),
        }),
      ),
    close: async () => {
      capture.stop()
      onsite?.stop()
      await settle('close', core.close())
    },
  }

  const capture = startCapture({
    ...options.capture,
    page: (previousUrl) => {
      if (previousUrl !== undefined) referrerOverride = previousUrl
      client.page()
    },
    onLead: (fields) => client.track('Lead Captured', fields),
    // Offline, core's flush sends nothing (it checks connectivity itself).
    onHide: () => void core.flush({ keepalive: true }).catch(noop),
    onExit: () => {
      if (ports.connectivity.isOnline())
        sendOnPageExit({
          items: outbox.unconfirmed(),
          endpoint,
          writeKey: options.writeKey,
          now: ports.clock.now(),
          transport: exitTransport,
        })
    },
  })

  core.start()
  onsite?.start(core, client)
  capture.start()

  const runAt = <T>(context: CallContext, call: () => T): T => {
    const previous = callContext
    callContext = context
    try {
      return call()
    } finally {
      callContext = previous
    }
  }
  return { client, runAt }
}

/**
 * Creates and starts the storefront client (ESM entry), with the on-site intelligence: the local
 * profile, rules, experiments, lead score and engagement signals. Throws only for invalid options;
 * every method of the client never throws into the page.
 *
 * @example
 * const ecrm = createBrowserClient({ writeKey: 'WRITE_KEY', endpoint: 'https://collect.shop.example', rules: [cartAbandoned] })
 * ecrm.track('Product Added', { product_id: 'sku-1', price: 19.99, currency: 'EUR' })
 * ecrm.on('rule:cart_abandoned', (firing) => showReminder(firing))
 */
export function createBrowserClient(options: BrowserClientOptions): BrowserClient {
  return createBrowserClientHandle(options, startOnsite).client
}

/**
 * Creates and starts the storefront client without the on-site intelligence: capture and delivery
 * only, so an ESM bundle leaves out the profile reducer, the rule engine and the lead scorer
 * (about 13 kB gzip). `profile()`, `rule()`, `experiment()` and `leadScore()` answer `undefined`.
 *
 * @example
 * const ecrm = createBasicBrowserClient({ writeKey: 'WRITE_KEY', endpoint: 'https://collect.shop.example' })
 */
export function createBasicBrowserClient(options: BrowserClientOptions): BrowserClient {
  return createBrowserClientHandle(options).client
}
