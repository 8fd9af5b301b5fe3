/** Brand so an ecrm error is recognised across bundles and realms. */
const brand = Symbol.for('ecrm.error')

/** One problem in an input, located by its path (zod style). */
export interface ValidationIssue {
  /** Where the problem is, e.g. `['batch', 3, 'properties', 'price']`. */
  readonly path: readonly (string | number)[]
  /** What is wrong and, where possible, how to fix it. */
  readonly message: string
  /** A machine-readable code, snake_case (zod's issue code where it came from zod). */
  readonly code: string
}

/**
 * Base of every error ecrm throws. Thrown only for programmer errors (bad options, a malformed
 * rule); delivery failures are reported, never thrown.
 */
export class EcrmError extends Error {
  /** A stable snake_case code, e.g. `invalid_options`. */
  readonly code: string
  readonly [brand] = true

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'EcrmError'
    this.code = code
  }
}

/** An input failed validation; `issues` says what and where. */
export class EcrmValidationError extends EcrmError {
  readonly issues: readonly ValidationIssue[]

  constructor(what: string, issues: readonly ValidationIssue[], options?: { cause?: unknown }) {
    super('validation_failed', `${what}: ${formatIssues(issues)}`, options)
    this.name = 'EcrmValidationError'
    this.issues = issues
  }
}

/** True for any error thrown by any copy of ecrm. */
export function isEcrmError(value: unknown): value is EcrmError {
  return typeof value === 'object' && value !== null && (value as { [brand]?: unknown })[brand] === true
}

/** Renders a path as `batch[3].properties.price`; the root is `(root)`. */
export function formatPath(path: readonly (string | number)[]): string {
  if (path.length === 0) return '(root)'
  return path.map((part, index) => (typeof part === 'number' ? `[${part}]` : index ? `.${part}` : part)).join('')
}

/** Lists the first five issues as `path (message)`, then how many more there are. */
function formatIssues(issues: readonly ValidationIssue[]): string {
  const shown = issues.slice(0, 5).map((issue) => `${formatPath(issue.path)} (${issue.message})`)
  if (issues.length > 5) shown.push(`and ${issues.length - 5} more`)
  return shown.join('; ')
}
