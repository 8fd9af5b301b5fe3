import type { Cancel } from '@ecrm/core'

/**
 * Adds `handler` for `type` events on `target` (in the capture phase when `capture`), and returns
 * the function that removes it again.
 */
export function listen(target: EventTarget, type: string, handler: (event: Event) => void, capture?: boolean): Cancel {
  target.addEventListener(type, handler, capture)
  return () => target.removeEventListener(type, handler, capture)
}
