import { EcrmValidationError, isEcrmError } from '../errors.js'
import type { ValidationIssue } from '../errors.js'
import { compileRule } from './compileRule.js'
import { ruleDefinitionSchema } from './ruleSchema.js'
import type { RuleDefinition } from './ruleSchema.js'

/**
 * Validates a rule definition (shape with zod, conditions by compiling them) and returns it
 * unchanged, so it can be stored as JSON. Throws {@link EcrmValidationError} with the path of
 * every fault, e.g. `if.and[1].dayz_since (unknown operator ...)`.
 *
 * @example
 * const cartAbandoned = defineRule({
 *   id: 'cart_abandoned',
 *   when: 'Product Added',
 *   unless: 'Order Completed',
 *   within: '1h',
 *   cooldown: '1d',
 *   quietHours: { start: '21:00', end: '08:00' },
 *   then: { event: 'Cart Abandoned' },
 * })
 */
export function defineRule(definition: RuleDefinition): RuleDefinition {
  const parsed = ruleDefinitionSchema.safeParse(definition)
  if (!parsed.success) {
    const issues: ValidationIssue[] = parsed.error.issues.map((issue) => ({
      path: issue.path.map((part) => (typeof part === 'symbol' ? String(part) : part)),
      message: issue.message,
      code: issue.code,
    }))
    throw new EcrmValidationError(`Invalid rule "${String((definition as { id?: unknown }).id)}"`, issues)
  }
  try {
    compileRule(parsed.data)
  } catch (error) {
    if (isEcrmError(error) && error instanceof EcrmValidationError) {
      throw new EcrmValidationError(`Invalid rule "${parsed.data.id}"`, error.issues, { cause: error })
    }
    throw error
  }
  return definition
}
