import type { Cancel } from '@ecrm/core'
import { watchLeadForms } from './leadCapture.js'
import type { LeadCaptureOptions } from './leadCapture.js'
import { watchRoutes } from './routeWatcher.js'

/** What {@link startCapture} watches and whom it tells. */
export interface CaptureOptions {
  /** One page view per SPA route change. */
  readonly pageViews: boolean
  /** A page view of the page the client starts on. */
  readonly initialPageView: boolean
  /** Opt-in lead forms. */
  readonly leads?: LeadCaptureOptions
  /** Records a page view of the current page. */
  readonly page: () => void
  /** An SPA route changed; `previousUrl` becomes the next page view's referrer. */
  readonly onRoute: (previousUrl: string) => void
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
  const stops: Cancel[] = []
  let started = false
  const start = (): void => {
    if (started || typeof window === 'undefined') return
    started = true
    if (options.initialPageView) options.page()
    if (options.pageViews) {
      stops.push(watchRoutes((change) => options.onRoute(change.previousUrl)))
    }
    if (options.leads !== undefined) stops.push(watchLeadForms(options.leads, options.onLead))
    const onVisibility = (): void => {
      if (document.visibilityState === 'hidden') options.onHide()
    }
    document.addEventListener('visibilitychange', onVisibility)
    window.addEventListener('pagehide', options.onExit)
    stops.push(() => {
      document.removeEventListener('visibilitychange', onVisibility)
      window.removeEventListener('pagehide', options.onExit)
    })
  }
  const stop = (): void => {
    for (const cancel of stops.splice(0)) cancel()
    started = false
  }
  return { start, stop }
}
