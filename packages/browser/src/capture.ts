import type { Cancel } from '@ecrm/core'
import type { BrowserClientOptions } from './browserClientTypes.js'
import { watchLeadForms } from './leadCapture.js'
import { listen } from './listen.js'
import { watchRoutes } from './routeWatcher.js'

/** The client's `capture` option. */
type CaptureSettings = NonNullable<BrowserClientOptions['capture']>

/** What {@link startCapture} watches (the client's `capture` option) and whom it tells. */
export interface CaptureOptions extends CaptureSettings {
  /** Records a page view of the current page; after an SPA route change, `previousUrl` is its referrer. */
  readonly page: (previousUrl?: string) => void
  readonly onLead: (fields: Record<string, string>) => void
  /** The page is hidden (it may never be shown again): send what is queued now. */
  readonly onHide: () => void
  /** The page is being left (`pagehide`): start the last requests synchronously. */
  readonly onExit: () => void
}

/** Starts and stops the DOM listeners of automatic capture. */
export interface Capture {
  readonly start: () => void
  readonly stop: () => void
}

/**
 * Creates the automatic capture of the browser client: the first page view, SPA route changes,
 * opt-in lead forms and page exit (`visibilitychange` to hidden, and `pagehide`, the events that
 * still fire on mobile and with the back/forward cache, unlike `unload`). Listeners attach on
 * `start()`, never at import.
 */
export function startCapture(options: CaptureOptions): Capture {
  // Non-empty exactly while started: the page-exit listeners always add one.
  const stops: Cancel[] = []
  const onVisibility = (): void => {
    if (document.visibilityState === 'hidden') options.onHide()
  }
  const start = (): void => {
    if (stops.length > 0 || typeof window === 'undefined') return
    if (options.pageViews !== false) {
      if (options.initialPageView !== false) options.page()
      stops.push(watchRoutes((change) => options.page(change.previousUrl)))
    }
    if (options.leads !== undefined) stops.push(watchLeadForms(options.leads, options.onLead))
    stops.push(listen(document, 'visibilitychange', onVisibility), listen(window, 'pagehide', options.onExit))
  }
  const stop = (): void => {
    for (const cancel of stops.splice(0)) cancel()
  }
  return { start, stop }
}
