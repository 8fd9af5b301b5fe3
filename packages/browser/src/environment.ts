import type { Cancel, Clock, Connectivity, Scheduler } from '@ecrm/core'

/** A {@link Clock} over `Date.now`. */
export function createBrowserClock(): Clock {
  return { now: Date.now }
}

/**
 * A {@link Scheduler} over `setTimeout` (which runs a negative delay as 0); the cancel function is
 * safe to call twice.
 */
export function createBrowserScheduler(): Scheduler {
  return {
    schedule: (callback, delayMs): Cancel => {
      const id = setTimeout(callback, delayMs)
      return () => clearTimeout(id)
    },
  }
}

const CONNECTIVITY_EVENTS = ['online', 'offline'] as const

/**
 * A {@link Connectivity} over `navigator.onLine` and the global `online`/`offline` events (a
 * window's or a worker's). Listeners attach on `subscribe`, never at import; where the global is no
 * event target (server-side rendering) nothing attaches. `navigator.onLine === false` is reliable;
 * `true` only means "maybe", so core still backs off on network errors.
 */
export function createBrowserConnectivity(): Connectivity {
  const isOnline = (): boolean => globalThis.navigator?.onLine !== false
  const subscribe = (listener: (online: boolean) => void): Cancel => {
    const onChange = (event: Event): void => listener(event.type === 'online')
    for (const type of CONNECTIVITY_EVENTS) globalThis.addEventListener?.(type, onChange)
    return () => {
      for (const type of CONNECTIVITY_EVENTS) globalThis.removeEventListener?.(type, onChange)
    }
  }
  return { isOnline, subscribe }
}
