import { EcrmError, createPipelineClient } from '@ecrm/core'
import type { ClientDestination, CoreClient, CoreClientOptions, EcrmEvent, EnqueueResult, EventContext, Ports } from '@ecrm/core'
import type { BrowserClient, BrowserClientOptions, BrowserStats } from './browserClientTypes.js'
import { createBrowserId } from './browserId.js'
import { parseCampaign } from './campaign.js'
import { deriveConsent } from './consent.js'
import { createBrowserClock, createBrowserConnectivity, createBrowserScheduler } from './environment.js'
import { createIdbQueue } from './idbQueue.js'
import type { IdbQueue } from './idbQueue.js'
import { createFetchTransport } from './fetchTransport.js'
import { createLocalStore } from './localStore.js'
import type { LocalStore } from './localStore.js'
import { readDeviceContext, readPageContext } from './pageContext.js'
import type { PageContext } from './pageContext.js'
import { callFields, readIdentifyArgs, readPageArgs } from './positionalArgs.js'
import { checkOptions, pickDefined } from './browserOptions.js'
import { createErasedIds, eraseVisitor } from './erasure.js'
import { createConsentStorage } from './consentStorage.js'
import { sendOnPageExit, watchPageOutbox } from './pageExit.js'
import { createSessionTracker } from './session.js'
import { createUnloadTransport } from './unloadTransport.js'
import { withSenderLock } from './webLocks.js'
import { startCapture } from './capture.js'
import { createPageSafety } from './pageSafety.js'
import type { Onsite } from './onsite/onsiteTypes.js'
import type { OnsiteStarter } from './onsite/startOnsite.js'
import { startOnsite } from './onsite/startOnsite.js'

/** The page and time a buffered call was made at (the snippet records them). */
export interface CallContext {
  readonly page?: Partial<PageContext>
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
const noop = (): void => undefined

/**
 * Creates the storefront client and starts it: IndexedDB outbox, cookie + localStorage identity,
 * consent (with Global Privacy Control), page views and SPA routes, sessions and campaigns, unload
 * delivery, and (given `withOnsite`, e.g. {@link startOnsite}) the on-site intelligence. Nothing
 * runs before this call.
 */
export function createBrowserClientHandle(options: BrowserClientOptions, withOnsite?: OnsiteStarter): BrowserClientHandle {
  checkOptions(options)
  const ports: Partial<Ports> = options.ports ?? {}
  const { report, toError, guard } = createPageSafety(options)

  const localStore = ports.storage === undefined ? createLocalStore({ cookieKeys: COOKIE_KEYS, ...pickDefined(options, ['cookie']) }) : undefined
  const consent = deriveConsent(options.consent)
  // Read once core exists; until then (core reading the stored ids) nothing is written anyway.
  let decisions: (() => Record<string, boolean | undefined>) | undefined
  // Ids, traits, session, touches, profile and rule state stay in memory until the visitor agrees.
  const storage = createConsentStorage({
    storage: ports.storage ?? (localStore as LocalStore),
    isAllowed: () => decisions?.()[consent.storageCategory] === true,
  })
  const erased = createErasedIds()
  const idbQueue =
    ports.queue === undefined
      ? createIdbQueue({
          dbName: options.dbName ?? `ecrm-${options.writeKey}`,
          onFallback: (cause) =>
            report(new EcrmError('storage_fallback', `IndexedDB unavailable: outbox (events are kept in memory and do not survive a reload)`, { cause })),
        })
      : undefined
  const outbox = watchPageOutbox(erased.guard(ports.queue ?? (idbQueue as IdbQueue)))
  const queue = outbox.queue
  // Page-exit requests skip the cross-tab lock (a closing page cannot wait), so keep the unlocked one.
  const exitTransport = ports.transport ?? createUnloadTransport({ transport: createFetchTransport() })
  const transport = ports.transport ?? withSenderLock(exitTransport, `ecrm-send-${options.writeKey}`)
  const clock = ports.clock ?? createBrowserClock()
  const scheduler = ports.scheduler ?? createBrowserScheduler()
  const connectivity = ports.connectivity ?? createBrowserConnectivity()
  const createId = ports.createId ?? createBrowserId
  const idleMs = options.capture?.sessionIdleMs
  const sessions = createSessionTracker({ storage, createId, ...(idleMs === undefined ? {} : { idleMs }) })
  const device = readDeviceContext()
  let callContext: CallContext | undefined
  let referrerOverride: string | undefined

  /** The automatic context of an event, at call time (or at the buffered call's time). */
  const currentPage = (): Partial<PageContext> | undefined => {
    const live = readPageContext(referrerOverride)
    return callContext?.page === undefined ? live : { ...live, ...callContext.page }
  }
  const enrich = (): Partial<EventContext> => {
    const page = currentPage()
    const at = typeof callContext?.timestamp === 'undefined' ? clock.now() : new Date(callContext.timestamp).getTime()
    const touch = sessions.touch(Number.isFinite(at) ? at : clock.now(), parseCampaign(page?.search ?? ''))
    return {
      ...device,
      ...(page === undefined ? {} : { page }),
      sessionId: touch.sessionId,
      ...(touch.lastTouch === undefined ? {} : { campaign: touch.lastTouch }),
      ...(touch.firstTouch === undefined ? {} : { firstTouch: touch.firstTouch }),
      consent: { gpc: consent.gpc },
    } as Partial<EventContext>
  }

  // A destination with a category receives events only while that category is granted (GPC included).
  let destinations = options.destinations?.map((destination): ClientDestination => {
    const category = destination.category
    const allowed = (event: EcrmEvent): boolean => !erased.isErased(event) && (category === undefined || core.consent.get()[category] === true)
    return { ...destination, deliver: (event) => (allowed(event) ? destination.deliver(event) : undefined) }
  })
  // The local profile and the on-site rules see each accepted event (after the consent gate) as a destination.
  let onsite: Onsite | undefined
  let stopOnsite: (() => void) | undefined
  const onsiteDestination: ClientDestination = {
    name: 'ecrm-onsite',
    // The erasure request belongs to the visitor being forgotten, not to the next one.
    deliver: (event) => ((event.type === 'track' && event.event === 'Data Erasure Requested') || erased.isErased(event) ? undefined : onsite?.observe(event)),
  }
  if (withOnsite !== undefined) destinations = [onsiteDestination, ...(destinations ?? [])]

  const coreOptions: CoreClientOptions = {
    writeKey: options.writeKey,
    endpoint: options.endpoint.replace(/\/+$/, ''),
    library: { name: '@ecrm/browser', version: VERSION },
    headers: 'simple',
    identity: 'persisted',
    consent: { required: consent.required, categoryOf: consent.categoryOf, initial: consent.initial },
    enrich,
    onError: report,
    ...pickDefined(options, ['batch', 'retry', 'limits', 'requestTimeoutMs', 'leaseMs', 'plugins', 'onDeadLetter']),
    ...(destinations === undefined ? {} : { destinations }),
  }
  // Experiments hash the anonymousId from the first read on, so it must exist before any event
  // (core would otherwise create it on the first event). Core reads it from storage when created.
  if (withOnsite !== undefined && storage.get('ecrm.anonymousId') === undefined) storage.set('ecrm.anonymousId', createId())
  // Every port is passed, so core's fallbacks (its seeded PRNG, UUID generator, memory store) stay out of the bundle.
  const core: CoreClient = createPipelineClient(coreOptions, {
    clock,
    scheduler,
    queue,
    transport,
    storage,
    connectivity,
    createId,
    logger: ports.logger ?? { debug: noop, warn: noop, error: noop },
    // Backoff jitter only: Math.random is enough (ids come from Web Crypto).
    random: ports.random ?? Math.random,
  })
  decisions = () => core.consent.get()
  storage.sync()

  // A refused call goes to onError (with every issue and its path); the caller gets no messageId.
  const accepted = (result: EnqueueResult): string | undefined => {
    if (result.ok) return result.messageId
    report(result.error)
    return undefined
  }
  // A replayed call keeps the time it was made at, unless it named its own.
  const input = <T>(fields: Record<string, unknown>): T =>
    (callContext?.timestamp !== undefined && fields['timestamp'] === undefined ? { ...fields, timestamp: callContext.timestamp } : fields) as T

  const page = guard(
    'page',
    (a?: unknown, b?: unknown, c?: unknown, d?: unknown): string | undefined => {
      const args = readPageArgs(a, b, c, d)
      const context = currentPage() ?? {}
      return accepted(
        core.page(
          input({
            ...callFields(args.options),
            ...pickDefined(args, ['category', 'name']),
            // Segment puts the page fields in the properties of a page call too.
            properties: { ...context, ...args.properties },
          }),
        ),
      )
    },
    undefined,
  )

  const capture = startCapture({
    pageViews: options.capture?.pageViews !== false,
    initialPageView: options.capture?.pageViews !== false && options.capture?.initialPageView !== false,
    ...pickDefined(options.capture ?? {}, ['leads']),
    page: () => page(),
    onRoute: (previousUrl) => {
      referrerOverride = previousUrl
      page()
    },
    onLead: (fields) => core.track(input({ event: 'Lead Captured', properties: fields })),
    onHide: () => {
      if (connectivity.isOnline()) void core.flush({ keepalive: true }).catch(() => undefined)
    },
    onExit: () => {
      if (!connectivity.isOnline()) return
      const items = outbox.unconfirmed()
      sendOnPageExit({ items, endpoint: coreOptions.endpoint, writeKey: options.writeKey, now: clock.now(), transport: exitTransport })
    },
  })

  const stats = (): BrowserStats => ({
    ...core.stats(),
    // A queue or store passed in through `ports` is reported as memory: ecrm cannot tell where it keeps data.
    storage: idbQueue?.storage() ?? 'memory',
    keyValueStorage: localStore?.kind() ?? 'memory',
    gpc: consent.gpc,
  })

  const client: BrowserClient = {
    track: guard(
      'track',
      (event, properties, callOptions) => accepted(core.track(input({ ...callFields(callOptions), event, properties }))),
      undefined,
    ),
    identify: guard(
      'identify',
      (a, b, c) => {
        const args = readIdentifyArgs(a, b, c)
        return accepted(core.identify(input({ ...callFields(args.options), ...pickDefined(args, ['userId', 'traits']) })))
      },
      undefined,
    ),
    page,
    group: guard(
      'group',
      (groupId, traits, callOptions) => accepted(core.group(input({ ...callFields(callOptions), groupId, traits }))),
      undefined,
    ),
    alias: guard(
      'alias',
      (userId, previousId, callOptions) =>
        accepted(core.alias(input({ ...callFields(callOptions), userId, ...(previousId === undefined ? {} : { previousId }) }))),
      undefined,
    ),
    reset: guard('reset', () => (core.reset(), onsite?.clear()), undefined),
    user: () => core.user(),
    consent: {
      get: guard('consent.get', () => core.consent.get(), {}),
      set: guard(
        'consent.set',
        (categories: Record<string, boolean>) => {
          core.consent.set(categories)
          // Granted: what was kept in memory goes to the device now; withdrawn: it comes back off it.
          storage.sync()
        },
        undefined,
      ),
    },
    on: guard('on', (name: string, handler: (payload: unknown) => void) => core.on(name, handler), () => undefined),
    flush: () => core.flush().catch((error: unknown) => (report(toError('flush', error)), undefined)),
    stats,
    profile: guard('profile', () => onsite?.profile(), undefined),
    rule: guard('rule', (id: string) => onsite?.rule(id), undefined),
    experiment: guard('experiment', (key: string, callOptions?: { readonly expose?: boolean }) => onsite?.experiment(key, callOptions?.expose !== false), undefined),
    leadScore: guard('leadScore', () => onsite?.leadScore(), undefined),
    subscribeOnsite: (listener) => onsite?.subscribe(listener) ?? (() => undefined),
    getState: () => core.getState(),
    subscribe: (listener) => core.subscribe(listener),
    forget: () =>
      eraseVisitor({ core, queue, erased, forgetLocal: () => (sessions.clear(), storage.clear(), localStore?.clear(), onsite?.clear()) }).catch((error: unknown) =>
        report(toError('forget', error)),
      ),
    close: async () => {
      capture.stop()
      stopOnsite?.()
      await core.close().catch((error: unknown) => report(toError('close', error)))
    },
  }

  core.start()
  if (withOnsite !== undefined) {
    const started = guard(
      'load',
      () =>
        withOnsite(options, {
          clock,
          scheduler,
          storage,
          visitorId: () => core.user().anonymousId ?? 'visitor',
          search: () => (typeof location === 'undefined' ? '' : location.search),
          track: (event, properties) => void accepted(core.track({ event, properties })),
          trackPublic: (event, properties) => void client.track(event, properties),
          emit: (name, payload) => core.emit(name, payload),
          report,
        }),
      undefined,
    )()
    onsite = started?.onsite
    stopOnsite = started?.stop
  }
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
