import type { Cancel } from '@ecrm/core'

/** Engagement signals for on-site rules; each is off unless configured. */
export interface SignalOptions {
  /** `Exit Intent` when the pointer leaves the page through its top edge (desktop), once per page. @default false */
  readonly exitIntent?: boolean
  /** `Idle` after this many ms without pointer, key, scroll or touch input; again after the next activity. @default off */
  readonly idleMs?: number
  /** `Scroll Depth Reached` at each of these percentages (0–100), once per page. @default off */
  readonly scrollDepths?: readonly number[]
  /**
   * Also send the signal events to the backend. By default they stay on the device: they feed the
   * local profile and the rules, and only what a rule then tracks (e.g. `Rule Fired`) is sent.
   * @default false
   */
  readonly send?: boolean
}

/** Names of the signal events. */
export const SIGNAL_EVENTS = { exitIntent: 'Exit Intent', idle: 'Idle', scrollDepth: 'Scroll Depth Reached' } as const

const ACTIVITY = ['pointermove', 'pointerdown', 'keydown', 'scroll', 'touchstart'] as const

/**
 * Starts the engagement signals: listeners attach now (call it from a started client, never at
 * import) and the returned function removes them. `onSignal` receives the event name and its
 * properties: `{}` for exit intent, `{ idle_ms }` for idle, `{ depth, path }` for scroll depth
 * (depth in percent of the page height reached by the bottom of the viewport).
 */
export function watchSignals(
  options: SignalOptions,
  onSignal: (event: string, properties: Record<string, unknown>) => void,
): Cancel {
  if (typeof window === 'undefined') return () => undefined
  const stops: Cancel[] = []
  const listen = (target: EventTarget, type: string, handler: (event: Event) => void): void => {
    target.addEventListener(type, handler, { passive: true })
    stops.push(() => target.removeEventListener(type, handler))
  }

  if (options.exitIntent === true) {
    let fired = false
    listen(document, 'mouseout', (event) => {
      const mouse = event as MouseEvent
      // Leaving the document (no related target) through the top edge: towards the tabs or the address bar.
      if (fired || mouse.relatedTarget !== null || mouse.clientY > 0) return
      fired = true
      onSignal(SIGNAL_EVENTS.exitIntent, {})
    })
  }

  const idleMs = options.idleMs
  if (idleMs !== undefined && idleMs > 0) {
    let timer: ReturnType<typeof setTimeout> | undefined
    const arm = (): void => {
      clearTimeout(timer)
      timer = setTimeout(() => onSignal(SIGNAL_EVENTS.idle, { idle_ms: idleMs }), idleMs)
    }
    for (const type of ACTIVITY) listen(window, type, arm)
    arm()
    stops.push(() => clearTimeout(timer))
  }

  const depths = [...(options.scrollDepths ?? [])].filter((depth) => depth > 0 && depth <= 100).sort((a, b) => a - b)
  if (depths.length > 0) {
    const reached = new Set<number>()
    let path = location.pathname
    const check = (): void => {
      // A single-page app's new route is a new page: its depths can be reached again.
      if (location.pathname !== path) (path = location.pathname), reached.clear()
      const height = Math.max(document.documentElement.scrollHeight, 1)
      const percent = ((window.scrollY + window.innerHeight) / height) * 100
      for (const depth of depths) {
        if (depth > percent || reached.has(depth)) continue
        reached.add(depth)
        onSignal(SIGNAL_EVENTS.scrollDepth, { depth, path })
      }
    }
    listen(window, 'scroll', check)
  }

  return () => {
    for (const stop of stops.splice(0)) stop()
  }
}
