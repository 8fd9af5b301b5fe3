import type { RuleEvent } from '../rules/ruleTypes.js'

/** An event as an instance keeps it for branches (`events` in a branch's data). */
export interface JourneyEventRecord {
  readonly event: string
  readonly properties: Readonly<Record<string, unknown>>
  /** Epoch ms the engine saw it. */
  readonly at: number
}

/** One run of a journey for one customer (and one key value, e.g. one cart). JSON only. */
export interface JourneyInstance {
  /** `<journey id>:<customer id>:<entry number>`: unique, and the prefix of its actions' keys. */
  readonly id: string
  /** The trigger's `properties[journey.key]`, or `null` for an unkeyed journey. */
  readonly key: string | number | null
  readonly enteredAt: number
  /** The customer's zone at entry, for `until` waits. */
  readonly timeZone: string
  readonly trigger: { readonly event: string; readonly properties: Readonly<Record<string, unknown>> }
  /** The wait step the instance is at. */
  readonly stepId: string
  /** When the wait ends (or times out), epoch ms. */
  readonly wakeAt: number
  /** The customer's events since entry, oldest first (at most {@link MAX_INSTANCE_EVENTS}). */
  readonly events: readonly JourneyEventRecord[]
  readonly converted: boolean
}

/** An instance that ended but whose goal window is still open. */
export interface EndedJourneyInstance {
  readonly id: string
  readonly key: string | number | null
  readonly enteredAt: number
}

/** Everything the engine remembers of one journey for one customer. JSON, so a store can keep it. */
export interface JourneyState {
  readonly customerId: string
  /** How many times the customer entered. */
  readonly entries: number
  readonly lastEnteredAt: number | null
  /** The last schedule occurrence that started an instance (a schedule trigger starts one per occurrence). */
  readonly lastOccurrence: string | null
  readonly active: readonly JourneyInstance[]
  readonly ended: readonly EndedJourneyInstance[]
}

/** What moves a journey: one of the customer's events, or the clock (a due wait, a schedule). */
export type JourneyInput =
  | { readonly type: 'event'; readonly event: RuleEvent; readonly profile?: unknown }
  | { readonly type: 'timer'; readonly profile?: unknown }

/** Fields every action carries. */
interface ActionBase {
  /** `<instance id>:<step id>`: the outbox and destinations dedupe by it, so a replayed step acts once. */
  readonly idempotencyKey: string
  readonly journeyId: string
  readonly instanceId: string
  readonly stepId: string
  readonly customerId: string
  /** The trigger event (a template reads `cart_id`, the discount...). */
  readonly trigger: JourneyInstance['trigger']
}

/** What the host must do; the engine itself does nothing. */
export type JourneyAction =
  | (ActionBase & {
      readonly type: 'send'
      readonly channel: string
      readonly template: string
      readonly category: 'transactional' | 'marketing'
      readonly campaign: string
    })
  | (ActionBase & { readonly type: 'set_trait'; readonly trait: string; readonly value: unknown })
  | (ActionBase & { readonly type: 'set_consent'; readonly category: string; readonly granted: boolean })
  | (ActionBase & {
      readonly type: 'call'
      readonly destination: string
      readonly event: { readonly event: string; readonly properties: Readonly<Record<string, unknown>> }
    })

/** Why an instance ended. */
export type JourneyExitReason = 'completed' | 'exit_event'

/** Why a trigger did not start an instance. */
export type JourneyRefusal = 'already_active' | 'reentry_never' | 'reentry_window' | 'missing_key'

/** What happened, for stats and the simulator. */
export type JourneyOutcome =
  | { readonly type: 'entered'; readonly instanceId: string; readonly key: string | number | null }
  | { readonly type: 'refused'; readonly reason: JourneyRefusal; readonly key: string | number | null }
  | { readonly type: 'waiting'; readonly instanceId: string; readonly stepId: string; readonly until: number }
  | {
      readonly type: 'exited'
      readonly instanceId: string
      readonly reason: JourneyExitReason
      /** The exit event's name for `exit_event`. */
      readonly event?: string
    }
  | { readonly type: 'converted'; readonly instanceId: string; readonly event: string }

/** What {@link advanceJourney} returns. */
export interface JourneyAdvance {
  readonly state: JourneyState
  /** In the order the steps ran. */
  readonly actions: readonly JourneyAction[]
  readonly outcomes: readonly JourneyOutcome[]
  /** When to call again with a `timer` input (the earliest wait or schedule), or `null`. */
  readonly nextWakeAt: number | null
}

/** How many events an instance keeps for its branches: a cart journey needs a few, not a history. */
export const MAX_INSTANCE_EVENTS = 50

/** The state of a customer who never entered. */
export function initialJourneyState(customerId: string): JourneyState {
  return { customerId, entries: 0, lastEnteredAt: null, lastOccurrence: null, active: [], ended: [] }
}
