import type { Cancel, Clock, Connectivity, Scheduler } from '@ecrm/core'

/** A {@link Clock} over `Date.now`. */
export function createBrowserClock(): Clock {
  return { now: Date.now }
}

/** A {@link Scheduler} over `setTimeout`; the cancel function is safe to call twice. */
export function createBrowserScheduler(): Scheduler {
  return {
    schedule: (callback, delayMs): Cancel => {
      const id = setTimeout(callback, Math.max(0, delayMs))
      return () => clearTimeout(id)
    },
  }
}

const CONNECTIVITY_EVENTS = ['online', 'offline'] as const

/**
 * A {@link Connectivity} over `navigator.onLine` and the window's `online`/`offline` events.
 * Listeners attach on `subscribe`, never at import. `navigator.onLine === false` is reliable;
 * `true` only means "maybe", so core still backs off on network errors.
 */
export function createBrowserConnectivity(): Connectivity {
  const isOnline = (): boolean => globalThis.navigator?.onLine !== false
  const subscribe = (listener: (online: boolean) => void): Cancel => {
    if (typeof window === 'undefined') return () => undefined
    const onChange = (event: Event): void => listener(event.type === 'online')
    for (const type of CONNECTIVITY_EVENTS) window.addEventListener(type, onChange)
    return () => {
      for (const type of CONNECTIVITY_EVENTS) window.removeEventListener(type, onChange)
    }
  }
  return { isOnline, subscribe }
}
