/** The page an event happened on, as in Segment's `context.page`. */
export interface PageContext {
  readonly path: string
  readonly referrer: string
  readonly search: string
  readonly title: string
  readonly url: string
}

/** Where and in which language/timezone the visitor is, read at call time. */
export interface DeviceContext {
  readonly locale?: string
  readonly timezone?: string
  readonly userAgent?: string
}

/**
 * Reads `context.page` from the current document at call time. The snippet captures the same
 * shape when a call is buffered, so replayed calls keep the page they were made on.
 * `referrer` is the previous in-app URL after an SPA navigation (see `watchRoutes`).
 */
export function readPageContext(referrerOverride?: string): PageContext | undefined {
  // A document comes with its location (a worker has a location but no document).
  if (typeof document === 'undefined') return undefined
  return {
    path: location.pathname,
    referrer: referrerOverride ?? document.referrer,
    search: location.search,
    title: document.title,
    url: location.href,
  }
}

/** Reads locale, timezone and user agent; fields the runtime cannot tell are left out. */
export function readDeviceContext(): DeviceContext {
  const device = globalThis.navigator
  let timezone: string | undefined
  try {
    timezone = Intl.DateTimeFormat().resolvedOptions().timeZone || undefined
  } catch {
    // No Intl timezone support: leave it out.
  }
  return withoutUndefined({ locale: device?.language, timezone, userAgent: device?.userAgent })
}

/**
 * Deletes the keys of `context` that hold `undefined`, and returns it. The browser's automatic
 * context must have none: core would then take its slow, reporting copy of the context.
 */
export function withoutUndefined<T extends object>(context: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  for (const key in context) if (context[key] === undefined) delete context[key]
  return context
}
