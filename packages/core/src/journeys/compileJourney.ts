import { EcrmValidationError } from '../errors.js'
import type { ValidationIssue } from '../errors.js'
import { parseDuration } from '../logic/duration.js'
import { conditionCompiler } from '../logic/conditionCompiler.js'
import { compileLogic } from '../logic/engine.js'
import type { LogicEngine } from '../logic/engine.js'
import type { CompiledLogic } from '../logic/types.js'
import { parseLocalTime } from '../rules/compileRule.js'
import { RULE_EVENTS } from '../rules/ruleEvents.js'
import type { RuleSchedule } from '../rules/ruleSchema.js'
import { DAY_MS } from '../time/units.js'
import { findWaitlessCycle } from './journeyGraph.js'
import { END_STEP, journeySchema } from './journeySchema.js'
import type { JourneyDefinition, JourneyStep } from './journeySchema.js'

/** An event matcher, compiled. */
export interface CompiledJourneyMatch {
  readonly event: string
  readonly where: CompiledLogic | null
  /** Only events whose `properties[key]` equals the instance's key count. */
  readonly matchKey: boolean
}

/** A step with its targets resolved (`"end"` or a step id) and its timing parsed. */
export type CompiledStep = JourneyStep & {
  /** Where the step goes when it is done (`next`, else the following step, else `"end"`). */
  readonly after: string
  /** A wait's duration or a `for` wait's timeout, ms. */
  readonly waitMs: number | null
  /** A wait `until`'s local minute of the day. */
  readonly untilMinute: number | null
  readonly condition: CompiledLogic | null
  readonly waitFor: CompiledJourneyMatch | null
}

/** What starts an instance. */
export type CompiledTrigger =
  | { readonly kind: 'event'; readonly match: CompiledJourneyMatch }
  | { readonly kind: 'schedule'; readonly schedule: RuleSchedule }

/** A journey ready to run: conditions compiled, durations in ms, the step graph checked. */
export interface CompiledJourney {
  readonly definition: JourneyDefinition
  readonly id: string
  readonly key: string | null
  readonly trigger: CompiledTrigger
  readonly first: string
  readonly steps: ReadonlyMap<string, CompiledStep>
  readonly exits: readonly CompiledJourneyMatch[]
  readonly goal: (CompiledJourneyMatch & { readonly withinMs: number }) | null
  /** ms an entry must be past before the next one; `null` never, 0 always. */
  readonly reentryMs: number | null
  readonly timeZone: string | null
}

/** Turns zod's issues into ecrm's (symbols in paths become strings). */
function toIssues(
  issues: readonly { path: readonly PropertyKey[]; message: string; code: string }[],
): ValidationIssue[] {
  return issues.map((issue) => ({
    path: issue.path.map((part) => (typeof part === 'symbol' ? String(part) : part)) as (string | number)[],
    message: issue.message,
    code: issue.code,
  }))
}

/**
 * Validates a journey (its JSON shape with zod, its conditions by compiling them, its step graph:
 * duplicate ids, unknown targets, cycles that no wait breaks) and compiles it. Throws
 * {@link EcrmValidationError} listing every fault with its path, e.g.
 * `steps[2].then (unknown step "sms"; ...)`.
 *
 * @example
 * const journey = compileJourney(JSON.parse(readFileSync('cart.journey.json', 'utf8')))
 */
export function compileJourney(input: unknown, logic?: LogicEngine): CompiledJourney {
  const name = String((input as { id?: unknown } | null)?.id ?? '(no id)')
  const parsed = journeySchema.safeParse(input)
  if (!parsed.success) throw new EcrmValidationError(`Invalid journey "${name}"`, toIssues(parsed.error.issues))
  const definition = parsed.data
  const issues: ValidationIssue[] = []
  const compile = conditionCompiler(issues, logic)
  const match = (
    value: { event: string; where?: unknown; matchKey?: boolean | undefined },
    path: readonly (string | number)[],
  ): CompiledJourneyMatch => ({
    event: value.event,
    where: compile(value.where, [...path, 'where']),
    matchKey: definition.key !== undefined && value.matchKey !== false,
  })

  const ids = new Set<string>()
  definition.steps.forEach((step, index) => {
    if (ids.has(step.id))
      issues.push({
        path: ['steps', index, 'id'],
        message: `the step id "${step.id}" is used twice`,
        code: 'duplicate_step',
      })
    ids.add(step.id)
  })
  const steps = new Map<string, CompiledStep>()
  definition.steps.forEach((step, index) => {
    const check = (field: string, value: string | undefined): void => {
      if (value === undefined || value === END_STEP || ids.has(value)) return
      issues.push({
        path: ['steps', index, field],
        message: `unknown step "${value}" (name a step's id, or "${END_STEP}")`,
        code: 'unknown_step',
      })
    }
    const after = ('next' in step ? step.next : undefined) ?? definition.steps[index + 1]?.id ?? END_STEP
    if ('next' in step) check('next', step.next)
    if (step.type === 'branch') check('then', step.then), check('else', step.else)
    if (step.type === 'wait') check('onTimeout', step.onTimeout)
    const waitMs = step.type !== 'wait' ? null : parseDuration(step.duration ?? step.timeout ?? null)
    steps.set(step.id, {
      ...step,
      after,
      waitMs,
      untilMinute: step.type === 'wait' && step.until !== undefined ? parseLocalTime(step.until) : null,
      condition: step.type === 'branch' ? compile(step.if, ['steps', index, 'if']) : null,
      waitFor: step.type === 'wait' && step.for !== undefined ? match(step.for, ['steps', index, 'for']) : null,
    })
  })
  if (issues.length === 0) {
    const cycle = findWaitlessCycle(steps)
    if (cycle !== null) {
      const index = definition.steps.findIndex((step) => step.id === cycle[0])
      issues.push({
        path: ['steps', index],
        message: `the steps ${cycle.join(' → ')} loop without a wait (put a wait step in the loop)`,
        code: 'cycle_without_wait',
      })
    }
  }

  const trigger: CompiledTrigger =
    'schedule' in definition.trigger
      ? { kind: 'schedule', schedule: definition.trigger.schedule }
      : 'segmentEntered' in definition.trigger
        ? { kind: 'event', match: segmentEntered(definition.trigger.segmentEntered) }
        : { kind: 'event', match: { ...match(definition.trigger, ['trigger']), matchKey: false } }
  const reentry = definition.reentry ?? 'never'
  const compiled: CompiledJourney = {
    definition,
    id: definition.id,
    key: definition.key ?? null,
    trigger,
    first: (definition.steps[0] as JourneyStep).id,
    steps,
    exits: (definition.exit ?? []).map((exit, index) => match(exit, ['exit', index])),
    goal:
      definition.goal === undefined
        ? null
        : { ...match(definition.goal, ['goal']), withinMs: parseDuration(definition.goal.within) as number },
    reentryMs: reentry === 'never' ? null : reentry === 'always' ? 0 : reentry.afterDays * DAY_MS,
    timeZone: definition.timeZone ?? null,
  }
  if (issues.length > 0) throw new EcrmValidationError(`Invalid journey "${definition.id}"`, issues)
  return compiled
}

/** `Segment Entered` with this `segment_id`, as the store's derivation emits it (see RULE_EVENTS). */
function segmentEntered(segmentId: string): CompiledJourneyMatch {
  return {
    event: RULE_EVENTS.segmentEntered,
    where: compileLogic({ '==': [{ var: 'event.properties.segment_id' }, segmentId] }),
    matchKey: false,
  }
}
