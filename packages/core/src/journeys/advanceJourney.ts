import { customerTimeZone } from '../rules/customerTimeZone.js'
import { dueOccurrence } from '../rules/localCalendar.js'
import type { RuleEvent } from '../rules/ruleTypes.js'
import { compileJourney } from './compileJourney.js'
import type { CompiledJourney, CompiledStep } from './compileJourney.js'
import type { JourneyDefinition } from './journeySchema.js'
import { MAX_INSTANCE_EVENTS } from './journeyTypes.js'
import type {
  EndedJourneyInstance,
  JourneyAdvance,
  JourneyInput,
  JourneyInstance,
  JourneyRefusal,
  JourneyState,
} from './journeyTypes.js'
import { nextScheduleCheck } from './nextScheduleCheck.js'
import { matchesEvent, runSteps } from './runSteps.js'
import type { StepSink } from './runSteps.js'

// Compiling is costly and a definition is immutable JSON: one compilation per definition object.
const compiled = new WeakMap<object, CompiledJourney>()

function compiledOf(journey: JourneyDefinition | CompiledJourney): CompiledJourney {
  if ('first' in journey) return journey
  let result = compiled.get(journey)
  if (result === undefined) compiled.set(journey, (result = compileJourney(journey)))
  return result
}

/**
 * The journey engine: one pure, deterministic step of one journey for one customer. Given the
 * state, one input (an event of the customer, or the clock: `timer`) and `now`, it returns the
 * new state, the actions to take (messages, traits, consent, destination calls, each keyed
 * `<instance id>:<step id>` so a retried step acts once), what happened, and when to wake it
 * next. It reads no clock and does no I/O, so the server, the simulator and tests run the same
 * code. An event goes, in order, to each active instance (recorded for branches, then goal,
 * exit, and an awaited `for`), to ended instances whose goal window is open, and last to the
 * trigger. Message policy (consent, caps, quiet hours) is not applied here: the outbox applies
 * it to every message, journey or not.
 *
 * Throws {@link EcrmValidationError} for an invalid definition (validate with compileJourney first).
 *
 * @example
 * let state = initialJourneyState('u-1')
 * const step = advanceJourney(cart, state, { type: 'event', event: { event: 'Cart Abandoned', userId: 'u-1', properties: { cart_id: 'c-9' } } }, now)
 * state = step.state // step.nextWakeAt: call again with { type: 'timer' } then
 */
export function advanceJourney(
  definition: JourneyDefinition | CompiledJourney,
  state: JourneyState,
  input: JourneyInput,
  now: number,
): JourneyAdvance {
  const journey = compiledOf(definition)
  const sink: StepSink = { actions: [], outcomes: [] }
  const profile = input.profile ?? null
  // Instances that ended earlier first: those ending now already saw this event's goal.
  let next = input.type === 'event' ? convertEnded(journey, state, input.event, profile, now, sink) : state
  const active: JourneyInstance[] = []
  for (const instance of state.active) {
    const moved =
      input.type === 'event'
        ? onEvent(journey, instance, input.event, profile, next.customerId, now, sink)
        : onTimer(journey, instance, profile, next.customerId, now, sink)
    if (moved !== null) active.push(moved)
    else if (journey.goal !== null && !hasConverted(instance, sink)) next = withEnded(next, instance)
  }
  next = { ...next, active }

  if (input.type === 'event') {
    if (journey.trigger.kind === 'event') {
      const { event } = input
      const timeZone = customerTimeZone(profile, event, journey.timeZone)
      if (matchesEvent(journey.trigger.match, event, profile, null, null, now, timeZone))
        next = enter(
          journey,
          next,
          { event: event.event, properties: event.properties ?? {} },
          timeZone,
          profile,
          now,
          sink,
        )
    }
  } else if (journey.trigger.kind === 'schedule') {
    const timeZone = customerTimeZone(profile, null, journey.timeZone)
    const occurrence = dueOccurrence(journey.trigger.schedule, now, timeZone, profile)
    if (occurrence !== null && occurrence !== next.lastOccurrence) {
      next = { ...next, lastOccurrence: occurrence }
      const trigger = { event: 'Journey Scheduled', properties: { occurrence } }
      next = enter(journey, next, trigger, timeZone, profile, now, sink)
    }
  }
  next = { ...next, ended: next.ended.filter((ended) => now < ended.enteredAt + (journey.goal?.withinMs ?? 0)) }
  return {
    state: next,
    actions: sink.actions,
    outcomes: sink.outcomes,
    nextWakeAt: wakeOf(journey, next, profile, now),
  }
}

/** An event for an active instance: recorded, then goal, exit, and the awaited event of a `for` wait. */
function onEvent(
  journey: CompiledJourney,
  instance: JourneyInstance,
  event: RuleEvent,
  profile: unknown,
  customerId: string,
  now: number,
  sink: StepSink,
): JourneyInstance | null {
  const record = { event: event.event, properties: event.properties ?? {}, at: now }
  let current: JourneyInstance = { ...instance, events: [...instance.events, record].slice(-MAX_INSTANCE_EVENTS) }
  const counts = (match: Parameters<typeof matchesEvent>[0]): boolean =>
    matchesEvent(match, event, profile, journey.key, instance.key, now, instance.timeZone)
  if (
    journey.goal !== null &&
    !current.converted &&
    now < instance.enteredAt + journey.goal.withinMs &&
    counts(journey.goal)
  ) {
    current = { ...current, converted: true }
    sink.outcomes.push({ type: 'converted', instanceId: instance.id, event: event.event })
  }
  const exit = journey.exits.find(counts)
  if (exit !== undefined) {
    sink.outcomes.push({ type: 'exited', instanceId: instance.id, reason: 'exit_event', event: exit.event })
    return null
  }
  const step = journey.steps.get(instance.stepId) as CompiledStep
  if (step.waitFor === null || !counts(step.waitFor)) return current
  return runSteps(journey, current, step.after, profile, customerId, now, sink).instance
}

/** The clock for an active instance: a due wait moves on (a `for` wait to its `onTimeout`). */
function onTimer(
  journey: CompiledJourney,
  instance: JourneyInstance,
  profile: unknown,
  customerId: string,
  now: number,
  sink: StepSink,
): JourneyInstance | null {
  if (instance.wakeAt > now) return instance
  const step = journey.steps.get(instance.stepId) as CompiledStep
  const from = step.type === 'wait' && step.waitFor !== null ? (step.onTimeout ?? step.after) : step.after
  return runSteps(journey, instance, from, profile, customerId, now, sink).instance
}

/** Starts an instance when the re-entry policy allows it, and runs it to its first wait. */
function enter(
  journey: CompiledJourney,
  state: JourneyState,
  trigger: JourneyInstance['trigger'],
  timeZone: string,
  profile: unknown,
  now: number,
  sink: StepSink,
): JourneyState {
  const raw = journey.key === null ? null : trigger.properties[journey.key]
  const key = typeof raw === 'string' || typeof raw === 'number' ? raw : null
  const refuse = (reason: JourneyRefusal): JourneyState => (sink.outcomes.push({ type: 'refused', reason, key }), state)
  if (journey.key !== null && key === null) return refuse('missing_key')
  if (state.active.some((instance) => instance.key === key)) return refuse('already_active')
  if (state.lastEnteredAt !== null) {
    if (journey.reentryMs === null) return refuse('reentry_never')
    if (now - state.lastEnteredAt < journey.reentryMs) return refuse('reentry_window')
  }
  const entries = state.entries + 1
  const instance: JourneyInstance = {
    id: `${journey.id}:${state.customerId}:${entries}`,
    key,
    enteredAt: now,
    timeZone,
    trigger,
    stepId: journey.first,
    wakeAt: now,
    events: [],
    converted: false,
  }
  sink.outcomes.push({ type: 'entered', instanceId: instance.id, key })
  const run = runSteps(journey, instance, journey.first, profile, state.customerId, now, sink)
  const entered: JourneyState = { ...state, entries, lastEnteredAt: now }
  if (run.instance !== null) return { ...entered, active: [...entered.active, run.instance] }
  return journey.goal === null ? entered : withEnded(entered, instance)
}

/** Whether the instance converted before or during this advance. */
function hasConverted(instance: JourneyInstance, sink: StepSink): boolean {
  return (
    instance.converted ||
    sink.outcomes.some((outcome) => outcome.type === 'converted' && outcome.instanceId === instance.id)
  )
}

/** Keeps an ended instance while its goal window is open (an order after the last step converts). */
function withEnded(state: JourneyState, instance: JourneyInstance): JourneyState {
  const ended: EndedJourneyInstance = { id: instance.id, key: instance.key, enteredAt: instance.enteredAt }
  return { ...state, ended: [...state.ended, ended] }
}

/** A goal event for instances that already ended: each converts once, then is forgotten. */
function convertEnded(
  journey: CompiledJourney,
  state: JourneyState,
  event: RuleEvent,
  profile: unknown,
  now: number,
  sink: StepSink,
): JourneyState {
  const goal = journey.goal
  if (goal === null || state.ended.length === 0) return state
  const timeZone = customerTimeZone(profile, event, journey.timeZone)
  const open = state.ended.filter((ended) => {
    const converts =
      now < ended.enteredAt + goal.withinMs && matchesEvent(goal, event, profile, journey.key, ended.key, now, timeZone)
    if (converts) sink.outcomes.push({ type: 'converted', instanceId: ended.id, event: event.event })
    return !converts
  })
  return { ...state, ended: open }
}

/** The earliest wait of the active instances, or the next schedule check. */
function wakeOf(journey: CompiledJourney, state: JourneyState, profile: unknown, now: number): number | null {
  const times = state.active.map((instance) => instance.wakeAt)
  if (journey.trigger.kind === 'schedule') {
    const timeZone = customerTimeZone(profile, null, journey.timeZone)
    times.push(nextScheduleCheck(journey.trigger.schedule, now, timeZone))
  }
  return times.length === 0 ? null : Math.min(...times)
}
