import { readFile } from 'node:fs/promises'
import { defineRule, EcrmValidationError, isEcrmError, parseJsonSafely } from '@ecrm/core'
import type { RuleDefinition, ValidationIssue } from '@ecrm/core'

/**
 * Validates rule definitions from JSON: an array of rules, or `{ "rules": [...] }`. Every rule
 * goes through `defineRule`; the faults of all of them are reported at once, each path starting
 * with the rule's index (`[2].quietHours.start`). Duplicate ids are refused too.
 *
 * @example
 * const rules = parseRules(JSON.parse(text))
 */
export function parseRules(value: unknown): RuleDefinition[] {
  const list = Array.isArray(value)
    ? value
    : isRecord(value) && Array.isArray(value['rules'])
      ? value['rules']
      : undefined
  if (list === undefined) {
    throw new EcrmValidationError('Invalid rules', [
      { path: [], message: 'expected an array of rules, or an object with a "rules" array', code: 'invalid_type' },
    ])
  }
  const issues: ValidationIssue[] = []
  const rules: RuleDefinition[] = []
  const seen = new Set<string>()
  for (const [index, item] of list.entries()) {
    try {
      const rule = defineRule(item as RuleDefinition)
      if (seen.has(rule.id))
        issues.push({
          path: [index, 'id'],
          message: `the id "${rule.id}" is used twice; give each rule its own id`,
          code: 'duplicate_rule',
        })
      seen.add(rule.id)
      rules.push(rule)
    } catch (error) {
      if (!(isEcrmError(error) && error instanceof EcrmValidationError)) throw error
      for (const issue of error.issues) issues.push({ ...issue, path: [index, ...issue.path] })
    }
  }
  if (issues.length > 0) throw new EcrmValidationError('Invalid rules', issues)
  return rules
}

/**
 * Reads and validates a rules file (JSON, see {@link parseRules}). Throws `EcrmValidationError`
 * naming the file and the path of each fault.
 *
 * @example
 * const runner = createRuleRunner({ store, rules: await loadRules('rules.json') })
 */
export async function loadRules(path: string): Promise<RuleDefinition[]> {
  const parsed = parseJsonSafely(await readFile(path, 'utf8'))
  if (!parsed.ok) {
    throw new EcrmValidationError(`Invalid rules file ${path}`, [
      { path: [], message: `malformed JSON: ${parsed.message}`, code: 'invalid_json' },
    ])
  }
  try {
    return parseRules(parsed.value)
  } catch (error) {
    if (isEcrmError(error) && error instanceof EcrmValidationError)
      throw new EcrmValidationError(`Invalid rules file ${path}`, error.issues)
    throw error
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
