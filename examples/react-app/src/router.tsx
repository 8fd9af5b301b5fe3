import { useSyncExternalStore } from 'react'
import type { MouseEvent, ReactNode } from 'react'

// A router in twenty lines keeps the example free of a routing dependency; with React Router or
// TanStack Router, pass their location's pathname to usePageView the same way.
const listeners = new Set<() => void>()
const subscribe = (listener: () => void): (() => void) => {
  listeners.add(listener)
  window.addEventListener('popstate', listener)
  return () => {
    listeners.delete(listener)
    window.removeEventListener('popstate', listener)
  }
}

/** The current path, live. */
export function usePath(): string {
  return useSyncExternalStore(
    subscribe,
    () => window.location.pathname,
    () => '/',
  )
}

/** Goes to `path` without reloading the page. */
export function navigate(path: string): void {
  window.history.pushState(null, '', path)
  for (const listener of listeners) listener()
}

/** A link that navigates in the page. */
export function Link({ to, children }: { readonly to: string; readonly children: ReactNode }) {
  const onClick = (event: MouseEvent<HTMLAnchorElement>): void => {
    event.preventDefault()
    navigate(to)
  }
  return (
    <a href={to} onClick={onClick}>
      {children}
    </a>
  )
}
