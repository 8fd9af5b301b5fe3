import { EcrmError, isEcrmError } from '@ecrm/core'

/** How the browser client reports problems and keeps its public methods from throwing into the page. */
export interface PageSafety {
  /** Hands an error to `onError` (and the console in debug mode); never throws. */
  readonly report: (error: EcrmError) => void
  /** The error itself, or an `internal_error` naming the method that met an unexpected throw. */
  readonly toError: (where: string, error: unknown) => EcrmError
  /** Wraps a public method: it never throws into the page; errors go to `report`, the caller gets `fallback`. */
  readonly guard: <A extends unknown[], R>(where: string, method: (...args: A) => R, fallback: R) => (...args: A) => R
}

/** Creates the {@link PageSafety} of one client from its `onError` and `debug` options. */
export function createPageSafety(options: { readonly onError?: (error: EcrmError) => void; readonly debug?: boolean }): PageSafety {
  const report = (error: EcrmError): void => {
    try {
      options.onError?.(error)
    } catch {
      // A failing onError must not break the page either.
    }
    if (options.debug === true && typeof console !== 'undefined') console.warn('[ecrm]', error.message, error)
  }
  const toError = (where: string, error: unknown): EcrmError =>
    isEcrmError(error)
      ? error
      : new EcrmError('internal_error', `Unexpected error: ecrm.${where}() (${String(error)}; the call was ignored)`, { cause: error })
  const guard =
    <A extends unknown[], R>(where: string, method: (...args: A) => R, fallback: R) =>
    (...args: A): R => {
      try {
        return method(...args)
      } catch (error) {
        report(toError(where, error))
        return fallback
      }
    }
  return { report, toError, guard }
}
