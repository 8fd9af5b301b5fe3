import { EcrmValidationError } from '../errors.js'
import type { ValidationIssue } from '../errors.js'
import { compileLogic } from './engine.js'
import type { LogicEngine } from './engine.js'
import type { CompiledLogic } from './types.js'

/**
 * A compiler for the optional JsonLogic conditions of one definition (a rule, a journey): a faulty
 * condition is recorded in `issues` under its path in the definition instead of thrown, so one
 * pass reports every fault at once. An absent condition compiles to `null`.
 */
export function conditionCompiler(
  issues: ValidationIssue[],
  logic?: LogicEngine,
): (rule: unknown, path: readonly (string | number)[]) => CompiledLogic | null {
  return (rule, path) => {
    if (rule === undefined) return null
    try {
      return logic === undefined ? compileLogic(rule) : logic.compile(rule)
    } catch (error) {
      if (!(error instanceof EcrmValidationError)) throw error
      for (const issue of error.issues) issues.push({ ...issue, path: [...path, ...issue.path] })
      return null
    }
  }
}
