import type { Cancel } from '@ecrm/core'

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
  if (typeof window === 'undefined' || typeof history === 'undefined') return () => undefined
  let lastUrl = location.href
  const strip = (url: string): string => url.split('#')[0] ?? url
  const check = (): void => {
    const url = location.href
    if (strip(url) === strip(lastUrl)) return
    const previousUrl = lastUrl
    lastUrl = url
    onChange({ url, previousUrl })
  }
  const original = { pushState: history.pushState, replaceState: history.replaceState }
  const wrap = (method: 'pushState' | 'replaceState'): History['pushState'] => {
    const wrapped: History['pushState'] = function (this: History, ...args) {
      original[method].apply(this, args)
      check()
    }
    return wrapped
  }
  const pushState = wrap('pushState')
  const replaceState = wrap('replaceState')
  history.pushState = pushState
  history.replaceState = replaceState
  window.addEventListener('popstate', check)
  return () => {
    window.removeEventListener('popstate', check)
    if (history.pushState === pushState) history.pushState = original.pushState
    if (history.replaceState === replaceState) history.replaceState = original.replaceState
  }
}
