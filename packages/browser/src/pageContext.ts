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
  if (typeof location === 'undefined' || typeof document === 'undefined') return undefined
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
  const context: { locale?: string; timezone?: string; userAgent?: string } = {}
  if (typeof navigator !== 'undefined') {
    if (typeof navigator.language === 'string') context.locale = navigator.language
    if (typeof navigator.userAgent === 'string') context.userAgent = navigator.userAgent
  }
  try {
    const zone = Intl.DateTimeFormat().resolvedOptions().timeZone
    if (typeof zone === 'string' && zone !== '') context.timezone = zone
  } catch {
    // No Intl timezone support: leave it out.
  }
  return context
}
