import { EcrmValidationError } from '../errors.js'
import type { ValidationIssue } from '../errors.js'
import { parseDuration } from '../logic/duration.js'
import { conditionCompiler } from '../logic/conditionCompiler.js'
import type { LogicEngine } from '../logic/engine.js'
import type { CompiledLogic } from '../logic/types.js'
import type { RuleDefinition, RuleEventMatch, RuleSchedule } from './ruleSchema.js'

/** An event matcher, compiled. */
export interface CompiledMatch {
  readonly event: string
  /** Properties the event must have, with these values (strict equality). */
  readonly where: Readonly<Record<string, unknown>> | null
  readonly condition: CompiledLogic | null
}

/** A rule ready to run: conditions compiled to closures, durations in ms, times in minutes. */
export interface CompiledRule {
  readonly id: string
  readonly definition: RuleDefinition
  readonly when: CompiledMatch | null
  readonly unless: CompiledMatch | null
  readonly condition: CompiledLogic | null
  /** Absence window (with `unless`) or delay (without), ms. */
  readonly withinMs: number | null
  readonly cooldownMs: number | null
  readonly maxFirings: number | null
  /** Local minutes of the day, start and end. */
  readonly quietHours: { readonly start: number; readonly end: number } | null
  readonly schedule: RuleSchedule | null
  readonly timeZone: string | null
  readonly action: { readonly event: string; readonly properties: Readonly<Record<string, unknown>> }
}

/** Minutes since midnight of `"HH:MM"`. */
export function parseLocalTime(text: string): number {
  const [hours, minutes] = text.split(':')
  return Number(hours) * 60 + Number(minutes)
}

/**
 * Compiles a rule definition for the engine without zod: conditions are compiled (faults are
 * reported with their path in the rule), durations parsed. The shape is trusted: run
 * {@link defineRule} where rules enter the system.
 */
export function compileRule(definition: RuleDefinition, logic?: LogicEngine): CompiledRule {
  const issues: ValidationIssue[] = []
  const compile = conditionCompiler(issues, logic)
  const match = (value: RuleEventMatch | undefined, key: string): CompiledMatch | null => {
    if (value === undefined) return null
    if (typeof value === 'string') return { event: value, where: null, condition: null }
    return { event: value.event, where: value.where ?? null, condition: compile(value.if, [key, 'if']) }
  }
  const ms = (value: string | number | undefined): number | null => (value === undefined ? null : parseDuration(value))

  const compiled: CompiledRule = {
    id: definition.id,
    definition,
    when: match(definition.when, 'when'),
    unless: match(definition.unless, 'unless'),
    condition: compile(definition.if, ['if']),
    withinMs: ms(definition.within),
    cooldownMs: ms(definition.cooldown),
    maxFirings: definition.maxFirings ?? null,
    quietHours:
      definition.quietHours === undefined
        ? null
        : { start: parseLocalTime(definition.quietHours.start), end: parseLocalTime(definition.quietHours.end) },
    schedule: definition.schedule ?? null,
    timeZone: definition.timeZone ?? null,
    action: {
      event: definition.then?.event ?? 'Rule Fired',
      properties: definition.then?.properties ?? {},
    },
  }
  if (issues.length > 0) throw new EcrmValidationError(`Invalid rule "${definition.id}"`, issues)
  return compiled
}
