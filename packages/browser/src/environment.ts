import type { Cancel, Clock, Connectivity, Scheduler } from '@ecrm/core'

/** A {@link Clock} over `Date.now`. */
export function createBrowserClock(): Clock {
  return { now: () => Date.now() }
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

/**
 * A {@link Connectivity} over `navigator.onLine` and the window's `online`/`offline` events.
 * Listeners attach on `subscribe`, never at import. `navigator.onLine === false` is reliable;
 * `true` only means "maybe", so core still backs off on network errors.
 */
export function createBrowserConnectivity(): Connectivity {
  const isOnline = (): boolean => typeof navigator === 'undefined' || navigator.onLine !== false
  const subscribe = (listener: (online: boolean) => void): Cancel => {
    if (typeof window === 'undefined') return () => undefined
    const onOnline = (): void => listener(true)
    const onOffline = (): void => listener(false)
    window.addEventListener('online', onOnline)
    window.addEventListener('offline', onOffline)
    return () => {
      window.removeEventListener('online', onOnline)
      window.removeEventListener('offline', onOffline)
    }
  }
  return { isOnline, subscribe }
}
