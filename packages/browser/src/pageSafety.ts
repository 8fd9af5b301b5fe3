import { EcrmError, isEcrmError } from '@ecrm/core'

/** How the browser client keeps its public methods from throwing into the page. */
export interface PageSafety {
  /** The promise of method `where`, its rejection reported (as by {@link PageSafety.guard}) instead of passed on. */
  readonly settle: <T>(where: string, promise: Promise<T>) => Promise<T | undefined>
  /** Wraps public method `where`: it never throws into the page; an error is reported and the caller gets `undefined`. */
  readonly guard: <A extends unknown[], R>(where: string, method: (...args: A) => R) => (...args: A) => R | undefined
}

/**
 * Creates the {@link PageSafety} of one client: what its methods throw goes to `report` (the
 * client's one channel, core's `report`), an unexpected throw as an `internal_error` naming the method.
 */
export function createPageSafety(report: (error: EcrmError) => void): PageSafety {
  const reportFrom = (where: string, error: unknown): undefined => {
    report(
      isEcrmError(error)
        ? error
        : new EcrmError(
            'internal_error',
            `Unexpected error: ecrm.${where}() (${String(error)}; the call was ignored)`,
            { cause: error },
          ),
    )
    return undefined
  }
  return {
    settle: (where, promise) => promise.catch((error: unknown) => reportFrom(where, error)),
    guard:
      (where, method) =>
      (...args) => {
        try {
          return method(...args)
        } catch (error) {
          return reportFrom(where, error)
        }
      },
  }
}
