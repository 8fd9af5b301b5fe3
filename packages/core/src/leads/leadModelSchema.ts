import * as z from 'zod'
import { EcrmValidationError } from '../errors.js'

/**
 * The lead scoring model as data (JSON), checked by zod where it comes from outside
 * ({@link parseLeadModel}). {@link scoreLead} imports only the types, so zod stays out of
 * browser bundles.
 */

const scalar = z.union([z.string(), z.number(), z.boolean(), z.null()])

/** Operators of a condition. String comparisons ignore case. */
export const conditionOps = [
  'eq',
  'neq',
  'in',
  'nin',
  'gt',
  'gte',
  'lt',
  'lte',
  'contains',
  'contains_any',
  'not_contains_any',
  'starts_with',
  'ends_with',
  'exists',
  'not_exists',
] as const

const listOps = new Set(['in', 'nin', 'contains_any', 'not_contains_any'])
const numberOps = new Set(['gt', 'gte', 'lt', 'lte'])

/** A simple condition on a field (dotted path) of the traits or of an event's properties. */
export const leadConditionSchema = z
  .object({
    field: z.string().min(1),
    op: z.enum(conditionOps),
    value: z.union([scalar, z.array(scalar)]).optional(),
  })
  .check((ctx) => {
    const { op, value } = ctx.value
    const fail = (message: string): void => {
      ctx.issues.push({ code: 'custom', input: value, path: ['value'], message })
    }
    if (op === 'exists' || op === 'not_exists') return
    if (value === undefined) fail(`"${op}" needs a value`)
    else if (listOps.has(op) && !Array.isArray(value)) fail(`"${op}" needs an array value`)
    else if (numberOps.has(op) && typeof value !== 'number') fail(`"${op}" needs a number value`)
  })

const ruleId = z.string().regex(/^[a-z0-9_]+$/, 'use a snake_case id')
const points = z.number().finite()

/** Fit: points when every condition on the traits holds. */
export const fitRuleSchema = z.object({
  id: ruleId,
  description: z.string().optional(),
  when: z.array(leadConditionSchema).min(1),
  points,
})

/** Engagement: points for each event of a name whose properties meet every condition. */
export const engagementRuleSchema = z.object({
  id: ruleId,
  description: z.string().optional(),
  /** Track event name, or `$page` / `$screen` for page and screen calls. */
  event: z.string().min(1),
  when: z.array(leadConditionSchema).optional(),
  /** Points per event; negative for signals against buying (careers page, unsubscribes). */
  points,
  /** A group in `engagement.groups` whose cap this rule shares. */
  group: z.string().optional(),
  /** Most points (by absolute value, before decay) this rule gives in one UTC day. */
  maxPerDay: z.number().positive().optional(),
  /** Set false for signals that should not fade (an unsubscribe). @default true */
  decay: z.boolean().optional(),
})

/** Schema of a {@link LeadModel}. */
export const leadModelSchema = z
  .object({
    fit: z.object({
      rules: z.array(fitRuleSchema),
      /** Most fit points in total. */
      max: z.number().positive().optional(),
    }),
    engagement: z.object({
      rules: z.array(engagementRuleSchema),
      /** Caps shared by rules: most positive points (before decay) from all rules of a group. */
      groups: z.record(z.string(), z.object({ max: z.number().positive() })).optional(),
      /** Days after which an event's points are halved; null for no decay. @default 30 */
      halfLifeDays: z.number().positive().nullable().optional(),
    }),
    thresholds: z.object({ mql: z.number(), sql: z.number() }),
    grades: z.object({
      /** Least fit for A, B and C; below C is D. */
      fit: z.object({ A: z.number(), B: z.number(), C: z.number() }),
      /** Least engagement for 1 and 2; below 2 is 3. */
      engagement: z.object({ 1: z.number(), 2: z.number() }),
    }),
  })
  .check((ctx) => {
    const model = ctx.value
    const issue = (path: (string | number)[], message: string): void => {
      ctx.issues.push({ code: 'custom', input: model, path, message })
    }
    const seen = new Map<string, string>()
    const rules = [
      ...model.fit.rules.map((rule, index) => ({ rule, path: ['fit', 'rules', index] })),
      ...model.engagement.rules.map((rule, index) => ({ rule, path: ['engagement', 'rules', index] })),
    ]
    for (const { rule, path } of rules) {
      const first = seen.get(rule.id)
      if (first !== undefined) issue([...path, 'id'], `"${rule.id}" is already used by ${first}`)
      else seen.set(rule.id, path.join('.'))
    }
    model.engagement.rules.forEach((rule, index) => {
      if (rule.group !== undefined && model.engagement.groups?.[rule.group] === undefined) {
        issue(['engagement', 'rules', index, 'group'], `group "${rule.group}" is not declared in engagement.groups`)
      }
    })
    if (model.thresholds.sql < model.thresholds.mql) issue(['thresholds', 'sql'], 'sql must be at least mql')
    const { A, B, C } = model.grades.fit
    if (!(A >= B && B >= C)) issue(['grades', 'fit'], 'expected A ≥ B ≥ C')
    if (model.grades.engagement[1] < model.grades.engagement[2]) issue(['grades', 'engagement'], 'expected 1 ≥ 2')
  })

/** A lead scoring model: fit rules, engagement rules, caps, decay, thresholds and grades. */
export type LeadModel = z.infer<typeof leadModelSchema>
/** A condition in a rule. */
export type LeadCondition = z.infer<typeof leadConditionSchema>
/** A fit rule. */
export type FitRule = z.infer<typeof fitRuleSchema>
/** An engagement rule. */
export type EngagementRule = z.infer<typeof engagementRuleSchema>

/**
 * Checks a lead model from JSON (a config file, a database row) and returns it typed.
 *
 * @throws EcrmValidationError listing every problem with its path, e.g.
 *   `engagement.rules[2].points (Invalid input: expected number, received string)`.
 * @example
 * const model = parseLeadModel(JSON.parse(text))
 */
export function parseLeadModel(input: unknown): LeadModel {
  const result = leadModelSchema.safeParse(input)
  if (result.success) return result.data
  throw new EcrmValidationError(
    'invalid lead model',
    result.error.issues.map((issue) => ({
      path: issue.path.filter((part): part is string | number => typeof part !== 'symbol'),
      message: issue.message,
      code: issue.code,
    })),
    { cause: result.error },
  )
}
