import type { Cancel } from '@ecrm/core'
import { listen } from './listen.js'

/** A single-page-app navigation: the new URL and the one before it. */
export interface RouteChange {
  readonly url: string
  readonly previousUrl: string
}

/**
 * Calls `onChange` when a single-page app changes the URL's path or query through
 * `history.pushState`, `history.replaceState` or the back/forward buttons (`popstate`). Hash-only
 * changes and same-URL calls are ignored. The history methods are wrapped only while watching;
 * `Cancel` restores them (unless another script wrapped them since, then it leaves theirs in place).
 */
export function watchRoutes(onChange: (change: RouteChange) => void): Cancel {
  // Where there is a window there is its history.
  if (typeof window === 'undefined') return () => undefined
  let lastUrl = location.href
  const check = (): void => {
    const url = location.href
    if (url.split('#')[0] === lastUrl.split('#')[0]) return
    const previousUrl = lastUrl
    lastUrl = url
    onChange({ url, previousUrl })
  }
  const wrap = (method: 'pushState' | 'replaceState'): Cancel => {
    const original = history[method]
    const wrapped: History['pushState'] = function (this: History, ...args) {
      original.apply(this, args)
      check()
    }
    history[method] = wrapped
    return () => {
      if (history[method] === wrapped) history[method] = original
    }
  }
  const stops = [wrap('pushState'), wrap('replaceState'), listen(window, 'popstate', check)]
  return () => {
    for (const stop of stops) stop()
  }
}
