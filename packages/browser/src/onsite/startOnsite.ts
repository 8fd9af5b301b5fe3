import { EcrmError } from '@ecrm/core'
import type { Cancel, CoreClient, EcrmEvent, Ports, QueueItem } from '@ecrm/core'
import type { BrowserClient } from '../browserClientTypes.js'
import { isErasureRequest } from '../consent.js'
import { readPageContext } from '../pageContext.js'
import type { PageSafety } from '../pageSafety.js'
import { createOnsite } from './createOnsite.js'
import type { Onsite, OnsiteSettings } from './onsiteTypes.js'
import { watchSignals } from './signals.js'
import type { SignalOptions } from './signals.js'

/** The on-site part of the browser client's options. */
export interface OnsiteOptions extends OnsiteSettings {
  /** Engagement signals (exit intent, idle, scroll depth) for rules; each off unless configured. */
  readonly signals?: SignalOptions
}

/** What the browser client lends the on-site intelligence while the client is being created. */
export interface OnsiteBrowserHost {
  /** The ports the client gives core; on-site uses their clock, scheduler, createId and consent-aware storage. */
  readonly ports: Required<Ports>
  /** The client's one error channel (core's `report` once core exists). */
  readonly report: (error: EcrmError) => void
  /** Wraps a public method so it never throws into the page. */
  readonly guard: PageSafety['guard']
}

/** The on-site intelligence as wired into one browser client. */
export interface StartedOnsite {
  /**
   * Folds the events of one coalesced queue write (accepted, past the consent gate, erased
   * visitors' left out) as the write starts: the profile and rules see an event in the same task
   * as its call, before IndexedDB confirms it. Never throws (a failure is reported; the events
   * stay queued).
   */
  readonly observe: (items: readonly QueueItem[]) => void
  /** The client's on-site methods; before `start` (or when it failed) they answer `undefined`. */
  readonly methods: Pick<BrowserClient, 'profile' | 'rule' | 'experiment' | 'leadScore' | 'subscribeOnsite'>
  /** Starts the profile, rules and signals; the client calls it once, after core started and before capture. */
  readonly start: (core: CoreClient, client: BrowserClient) => void
  /** Forgets the visitor's on-site state (on `reset()` and `forget()`). */
  readonly clear: () => void
  /** Stops the listeners and timers (on `close()`). */
  readonly stop: Cancel
}

/**
 * Wires the on-site intelligence into a browser client; called once while the client is being
 * created, before core exists (so it can add its destination and the anonymousId core then reads).
 */
export type OnsiteStarter = (options: OnsiteOptions, host: OnsiteBrowserHost) => StartedOnsite

/** Core's storage key of the anonymousId. */
const ANONYMOUS_ID_KEY = 'ecrm.anonymousId'
const noop = (): undefined => undefined

/**
 * Wires the on-site intelligence into the browser client: {@link createOnsite}, its engagement
 * signals, and a `storage` listener that picks up the profile another tab of the visitor changed.
 * Pass it to `createBrowserClientHandle` (`createBrowserClient` does); leaving it out keeps the
 * rule engine, the profile reducer, the lead scorer and this wiring out of a bundle.
 */
export const startOnsite: OnsiteStarter = (options, { ports, report, guard }) => {
  let onsite: Onsite | undefined
  let stop: Cancel = noop
  // Experiments hash the anonymousId from the first read on, so it must exist before any event
  // (core would otherwise create it on the first event). Core reads it from storage when created.
  if (ports.storage.get(ANONYMOUS_ID_KEY) === undefined) ports.storage.set(ANONYMOUS_ID_KEY, ports.createId())

  const start = (core: CoreClient, client: BrowserClient): void => {
    const started = createOnsite(options, {
      clock: ports.clock,
      scheduler: ports.scheduler,
      storage: ports.storage,
      report,
      visitorId: () => core.user().anonymousId ?? 'visitor',
      search: () => readPageContext()?.search ?? '',
      createId: ports.createId,
      track: (event, properties, messageId) => {
        const result = core.track(messageId === undefined ? { event, properties } : { event, properties, messageId })
        if (!result.ok) report(result.error)
      },
      emit: core.emit,
    })
    started.start()
    const signals = options.signals ?? {}
    // Signals sent to the backend go through the public client, like the site's own calls.
    const stopSignals = watchSignals(signals, (event, properties) =>
      signals.send === true ? client.track(event, properties) : started.signal(event, properties),
    )
    const onStorage = (event: StorageEvent): void => {
      if (event.key === null || event.key === 'ecrm.profile') started.refresh()
    }
    if (typeof window !== 'undefined') window.addEventListener('storage', onStorage)
    stop = () => {
      stopSignals()
      started.stop()
      if (typeof window !== 'undefined') window.removeEventListener('storage', onStorage)
    }
    onsite = started
  }

  return {
    observe(items) {
      try {
        for (const item of items) {
          const event = JSON.parse(item.payload) as EcrmEvent
          // The erasure request belongs to the visitor being forgotten, not to the next one.
          if (!isErasureRequest(event)) onsite?.observe(event)
        }
      } catch (error) {
        // A throw here would fail the queue write it runs in.
        report(new EcrmError('onsite_failed', `On-site fold failed: ${error}`, { cause: error }))
      }
    },
    methods: {
      profile: guard('profile', () => onsite?.profile()),
      rule: guard('rule', (id: string) => onsite?.rule(id)),
      experiment: guard('experiment', (key: string, callOptions?: { readonly expose?: boolean }) =>
        onsite?.experiment(key, callOptions?.expose !== false),
      ),
      leadScore: guard('leadScore', () => onsite?.leadScore()),
      subscribeOnsite: (listener) => onsite?.subscribe(listener) ?? noop,
    },
    // A start that throws is reported (as a failed `load`); the client then runs without on-site.
    start: guard('load', start),
    clear: () => onsite?.clear(),
    stop: () => stop(),
  }
}
