import type { RuleEvent } from '../rules/ruleTypes.js'
import { advanceJourney } from './advanceJourney.js'
import type { CompiledJourney } from './compileJourney.js'
import type { JourneyDefinition } from './journeySchema.js'
import { initialJourneyState } from './journeyTypes.js'
import type { JourneyAction, JourneyInput, JourneyOutcome, JourneyState } from './journeyTypes.js'

/** One event of a replay: what the customer did, when, and their profile then. */
export interface SimulatedEvent {
  /** Epoch ms. */
  readonly at: number
  readonly event: RuleEvent
  /** The profile branches and `where` conditions see. @default the previous event's, else null */
  readonly profile?: unknown
}

/** One line of a customer's timeline: an action the host would take, or what happened. */
export type SimulatedEntry =
  | { readonly at: number; readonly kind: 'action'; readonly action: JourneyAction }
  | { readonly at: number; readonly kind: 'outcome'; readonly outcome: JourneyOutcome }

/** A customer's replay. */
export interface SimulatedCustomer {
  readonly customerId: string
  /** In time order. */
  readonly timeline: readonly SimulatedEntry[]
  /** The state at the end, as a store would hold it. */
  readonly state: JourneyState
}

/** Options of {@link simulateJourney}. */
export interface SimulateJourneyOptions {
  /** Timers due until this epoch ms still run after the last event. @default the last event + 30 days */
  readonly untilMs?: number
}

const DEFAULT_TAIL_MS = 30 * 86_400_000

/**
 * Replays events through a journey on a virtual clock, per customer (`userId`, else
 * `anonymousId`): each due wait wakes at its own time, between the events, through the same
 * {@link advanceJourney} the server runs. Nothing is sent: the timeline lists what would be.
 * Events at the same instant keep their input order.
 *
 * @example
 * const [ann] = simulateJourney(cart, [{ at: Date.parse('2026-12-01T10:00:00Z'), event: { event: 'Cart Abandoned', userId: 'ann', properties: { cart_id: 'c-1' } } }])
 * ann.timeline // entered, waiting, send email at 11:00, ...
 */
export function simulateJourney(
  journey: JourneyDefinition | CompiledJourney,
  events: readonly SimulatedEvent[],
  options: SimulateJourneyOptions = {},
): SimulatedCustomer[] {
  const byCustomer = new Map<string, SimulatedEvent[]>()
  for (const item of events) {
    const customerId = item.event.userId ?? item.event.anonymousId
    if (customerId === undefined || customerId === '') continue
    byCustomer.set(customerId, [...(byCustomer.get(customerId) ?? []), item])
  }
  const lastAt = Math.max(...events.map((item) => item.at))
  const untilMs = options.untilMs ?? lastAt + DEFAULT_TAIL_MS
  return [...byCustomer].map(([customerId, own]) => replay(journey, customerId, own, untilMs))
}

function replay(
  journey: JourneyDefinition | CompiledJourney,
  customerId: string,
  events: readonly SimulatedEvent[],
  untilMs: number,
): SimulatedCustomer {
  const timeline: SimulatedEntry[] = []
  let state = initialJourneyState(customerId)
  let wakeAt: number | null = null
  let profile: unknown = null
  const step = (input: JourneyInput, at: number): void => {
    const advance = advanceJourney(journey, state, input, at)
    state = advance.state
    wakeAt = advance.nextWakeAt
    // Read in the order it happened: entries and conversions, the steps' actions, then where it stopped.
    const settles = (outcome: JourneyOutcome): boolean => outcome.type === 'waiting' || outcome.type === 'exited'
    for (const outcome of advance.outcomes.filter((o) => !settles(o))) timeline.push({ at, kind: 'outcome', outcome })
    for (const action of advance.actions) timeline.push({ at, kind: 'action', action })
    for (const outcome of advance.outcomes.filter(settles)) timeline.push({ at, kind: 'outcome', outcome })
  }
  const wakeUntil = (limit: number, inclusive: boolean): void => {
    while (wakeAt !== null && (inclusive ? wakeAt <= limit : wakeAt < limit)) step({ type: 'timer', profile }, wakeAt)
  }
  for (const item of [...events].sort((a, b) => a.at - b.at)) {
    // A wait due at the very instant of an event wakes first: the server's timer would have.
    wakeUntil(item.at, true)
    profile = item.profile ?? profile
    step({ type: 'event', event: item.event, profile }, item.at)
  }
  wakeUntil(untilMs, true)
  return { customerId, timeline, state }
}
