import type {
  CustomerProfile,
  Destination,
  EcrmEvent,
  RetryOptions,
  RuleFiring,
  Scheduler,
  SegmentChangeEvent,
  Clock,
} from '@ecrm/core'
import { eventIdsOf, messageEventOf } from '../messages/messageSubject.js'
import type { Store } from '../store/storeTypes.js'
import { createDestinationFanout } from './destinationFanout.js'
import type { DestinationFanout } from './destinationFanout.js'

/** Options of {@link serveDestinations}. */
export interface ServeDestinationsOptions {
  readonly destinations: readonly Destination[]
  /** Where failures and dead letters are told. */
  readonly log: (line: string) => void
  /** How often to look for items other processes queued or left leased, in ms. @default 30_000 */
  readonly pollMs?: number
  readonly retry?: RetryOptions
  readonly clock?: Clock
  readonly scheduler?: Scheduler
}

/** Destinations as `ecrm serve` feeds them. */
export interface ServedDestinations {
  /** Queues accepted events for every destination; resolves once they are in the store. */
  readonly deliverEvents: (events: readonly EcrmEvent[]) => Promise<void>
  /** Queues `Segment Entered` / `Segment Exited` changes, as track events of the customer. */
  readonly deliverSegmentChanges: (changes: readonly SegmentChangeEvent[]) => Promise<void>
  /** Queues a rule firing's event (`then.event`, e.g. `Rule Fired`), keyed by the firing id. */
  readonly deliverFiring: (firing: RuleFiring) => Promise<void>
  readonly fanout: DestinationFanout
  /** Stops polling; queued items wait in the store for the next start. */
  readonly close: () => Promise<void>
}

/**
 * A customer event the store never received (a segment change, a firing), carrying what CRMs key
 * people by: the customer's first user id (else anonymous id), their email trait and their
 * consent, so the mappings and the consent check read it like an ingested event.
 */
function customerEvent(
  profile: CustomerProfile,
  messageId: string,
  name: string,
  at: number,
  properties: Readonly<Record<string, unknown>>,
): EcrmEvent | undefined {
  const ids = eventIdsOf(profile)
  if (ids === undefined) return undefined
  const event = messageEventOf(ids, messageId, name, at, properties as never)
  const email = profile.traits.email
  const categories = Object.fromEntries(
    Object.entries(profile.consent.categories).flatMap(([category, state]) =>
      typeof state?.granted === 'boolean' ? [[category, state.granted]] : [],
    ),
  )
  return {
    ...event,
    context: { ...(typeof email === 'string' ? { traits: { email } } : {}), consent: { categories } },
  } as EcrmEvent
}

/**
 * Feeds the configured destinations for `ecrm serve`: one queue each in the store
 * (`ecrm_destination_items`, see {@link createDestinationFanout}'s `store`), filled with the
 * ingested events (before the collector answers, so a crash before that makes the client send
 * again), the rule firings (at least once from the runner, once in the queue) and the segment
 * changes. An item id enters each queue once ever, so nothing repeated reaches a vendor twice.
 */
export function serveDestinations(
  options: ServeDestinationsOptions,
  store: Pick<Store, 'query' | 'getProfile'>,
): ServedDestinations {
  const { log } = options
  const fanout = createDestinationFanout({
    destinations: options.destinations,
    store,
    ...(options.pollMs === undefined ? {} : { pollMs: options.pollMs }),
    ...(options.retry === undefined ? {} : { retry: options.retry }),
    ...(options.clock === undefined ? {} : { clock: options.clock }),
    ...(options.scheduler === undefined ? {} : { scheduler: options.scheduler }),
    onDeadLetter: (name, events, reason) =>
      log(`ecrm: destination ${name} gave up on ${events.length} event(s): ${reason}`),
    onError: (error, name) => log(`ecrm: destination ${name}: ${error.message}`),
  })
  const deliver = async (events: readonly EcrmEvent[]): Promise<void> => {
    if (events.length === 0) return
    const queued = await fanout.deliver(events)
    // byName reports a queue failure and leaves its destination out: the caller must not go on as if queued.
    const missing = options.destinations.filter((destination) => queued[destination.name] === undefined)
    if (missing.length > 0)
      throw new Error(`queueing for ${missing.map((destination) => destination.name).join(', ')} failed`)
  }
  const forCustomer = async (
    customerKey: string,
    messageId: string,
    name: string,
    at: number,
    properties: Readonly<Record<string, unknown>>,
  ): Promise<EcrmEvent[]> => {
    const profile = await store.getProfile(customerKey)
    const event = profile === undefined ? undefined : customerEvent(profile, messageId, name, at, properties)
    return event === undefined ? [] : [event]
  }
  return {
    deliverEvents: deliver,
    async deliverSegmentChanges(changes) {
      const events: EcrmEvent[] = []
      for (const change of changes) {
        const id = `segment:${change.customerId}:${String(change.properties.segment_id)}:${change.event}:${change.at}`
        events.push(...(await forCustomer(change.customerId, id, change.event, change.at, change.properties)))
      }
      await deliver(events)
    },
    async deliverFiring(firing) {
      await deliver(
        await forCustomer(firing.customerId, firing.id, firing.event.event, firing.at, firing.event.properties),
      )
    },
    fanout,
    close: () => fanout.close(),
  }
}
