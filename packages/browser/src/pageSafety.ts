import { EcrmError, isEcrmError } from '@ecrm/core'

/** How the browser client reports problems and keeps its public methods from throwing into the page. */
export interface PageSafety {
  /** Hands an error to `onError` (and the console in debug mode); never throws. */
  readonly report: (error: EcrmError) => void
  /** The promise of method `where`, its rejection reported (as by {@link PageSafety.guard}) instead of passed on. */
  readonly settle: <T>(where: string, promise: Promise<T>) => Promise<T | undefined>
  /** Wraps a public method: it never throws into the page; errors go to `report`, the caller gets `fallback` (default `undefined`). */
  readonly guard: {
    <A extends unknown[], R>(where: string, method: (...args: A) => R): (...args: A) => R | undefined
    <A extends unknown[], R>(where: string, method: (...args: A) => R, fallback: R): (...args: A) => R
  }
}

/** Creates the {@link PageSafety} of one client from its `onError` and `debug` options. */
export function createPageSafety(options: { readonly onError?: (error: EcrmError) => void; readonly debug?: boolean }): PageSafety {
  const report = (error: EcrmError): void => {
    try {
      options.onError?.(error)
    } catch {
      // A failing onError must not break the page either.
    }
    if (options.debug === true) console.warn('[ecrm]', error.message, error)
  }
  // An unexpected throw becomes an `internal_error` naming the method.
  const reportFrom = (where: string, error: unknown): undefined => {
    report(
      isEcrmError(error) ? error : new EcrmError('internal_error', `Unexpected error: ecrm.${where}() (${String(error)}; the call was ignored)`, { cause: error }),
    )
    return undefined
  }
  const guard =
    <A extends unknown[], R>(where: string, method: (...args: A) => R, fallback?: R) =>
    (...args: A): R | undefined => {
      try {
        return method(...args)
      } catch (error) {
        reportFrom(where, error)
        return fallback
      }
    }
  const settle = <T>(where: string, promise: Promise<T>): Promise<T | undefined> => promise.catch((error: unknown) => reportFrom(where, error))
  return { report, settle, guard }
}
