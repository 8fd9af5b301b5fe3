import { isTruthy } from '../logic/semantics.js'
import { nextLocalTime } from '../rules/localCalendar.js'
import type { CompiledJourney, CompiledJourneyMatch, CompiledStep } from './compileJourney.js'
import { END_STEP } from './journeySchema.js'
import type { JourneyAction, JourneyInstance, JourneyOutcome } from './journeyTypes.js'
import type { RuleEvent } from '../rules/ruleTypes.js'

/** Where a run of steps stopped: at a wait (the instance lives on) or at the end. */
export type StepRun = { readonly instance: JourneyInstance } | { readonly instance: null }

/** What the steps add to an advance. */
export interface StepSink {
  readonly actions: JourneyAction[]
  readonly outcomes: JourneyOutcome[]
}

/**
 * Tells whether an event counts for a matcher of an instance: same name, the same key value when
 * the matcher is keyed, and its `where` true on `{ event, profile }` in the customer's zone.
 */
export function matchesEvent(
  match: CompiledJourneyMatch,
  event: RuleEvent,
  profile: unknown,
  keyName: string | null,
  key: string | number | null,
  now: number,
  timeZone: string,
): boolean {
  if (match.event !== event.event) return false
  if (match.matchKey && keyName !== null && event.properties?.[keyName] !== key) return false
  return match.where === null || isTruthy(match.where({ event, profile: profile ?? null }, { now, timeZone }))
}

/** The action of a step that acts, keyed `<instance id>:<step id>`. */
function actionOf(
  journey: CompiledJourney,
  step: CompiledStep,
  instance: JourneyInstance,
  customerId: string,
): JourneyAction | null {
  const base = {
    idempotencyKey: `${instance.id}:${step.id}`,
    journeyId: journey.id,
    instanceId: instance.id,
    stepId: step.id,
    customerId,
    trigger: instance.trigger,
  }
  switch (step.type) {
    case 'send':
      return {
        ...base,
        type: 'send',
        channel: step.channel,
        template: step.template,
        category: step.category ?? 'marketing',
        campaign: step.campaign ?? journey.id,
      }
    case 'set_trait':
      return { ...base, type: 'set_trait', trait: step.trait, value: step.value }
    case 'set_consent':
      return { ...base, type: 'set_consent', category: step.category, granted: step.granted }
    case 'call':
      return {
        ...base,
        type: 'call',
        destination: step.destination,
        event: {
          event: step.event ?? 'Journey Step',
          properties: { ...step.properties, journey_id: journey.id, step_id: step.id, ...instance.trigger.properties },
        },
      }
    default:
      return null
  }
}

/** When a wait step that starts at `now` ends (a `for` wait: its timeout). */
function wakeOf(step: CompiledStep, now: number, timeZone: string): number {
  return step.untilMinute === null ? now + (step.waitMs as number) : nextLocalTime(now, step.untilMinute, timeZone)
}

/**
 * Runs an instance's steps from `from` until a wait (the instance, parked there) or the end
 * (`null`). Acting steps emit their action; branches read `{ profile, trigger, events }`. The
 * graph has no loop without a wait (compileJourney checks), so this always stops.
 */
export function runSteps(
  journey: CompiledJourney,
  instance: JourneyInstance,
  from: string,
  profile: unknown,
  customerId: string,
  now: number,
  sink: StepSink,
): StepRun {
  let at = from
  while (at !== END_STEP) {
    const step = journey.steps.get(at) as CompiledStep
    if (step.type === 'wait') {
      const wakeAt = wakeOf(step, now, instance.timeZone)
      sink.outcomes.push({ type: 'waiting', instanceId: instance.id, stepId: step.id, until: wakeAt })
      return { instance: { ...instance, stepId: step.id, wakeAt } }
    }
    if (step.type === 'branch') {
      const data = { profile: profile ?? null, trigger: instance.trigger, events: instance.events }
      const taken = isTruthy(step.condition?.(data, { now, timeZone: instance.timeZone }))
      at = taken ? step.then : (step.else ?? END_STEP)
      continue
    }
    const action = actionOf(journey, step, instance, customerId)
    if (action !== null) sink.actions.push(action)
    at = step.after
  }
  sink.outcomes.push({ type: 'exited', instanceId: instance.id, reason: 'completed' })
  return { instance: null }
}
