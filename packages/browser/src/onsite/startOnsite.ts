import type { Cancel } from '@ecrm/core'
import { createOnsite } from './createOnsite.js'
import type { Onsite, OnsiteHost, OnsiteSettings } from './onsiteTypes.js'
import { watchSignals } from './signals.js'
import type { SignalOptions } from './signals.js'

/** The on-site part of the browser client's options. */
export interface OnsiteOptions extends OnsiteSettings {
  /** Engagement signals (exit intent, idle, scroll depth) for rules; each off unless configured. */
  readonly signals?: SignalOptions
}

/** What the browser client gives the on-site intelligence beyond {@link OnsiteHost}. */
export interface OnsiteBrowserHost extends OnsiteHost {
  /** Tracks through the public client (used for signals sent to the backend). */
  readonly trackPublic: (event: string, properties: Record<string, unknown>) => void
}

/** The on-site intelligence started in a page, and how to stop its listeners. */
export interface StartedOnsite {
  readonly onsite: Onsite
  readonly stop: Cancel
}

/** Starts the on-site intelligence in a page; the browser client calls it once, after core started. */
export type OnsiteStarter = (options: OnsiteOptions, host: OnsiteBrowserHost) => StartedOnsite

/**
 * Starts the on-site intelligence of the browser client: {@link createOnsite}, its engagement
 * signals, and a `storage` listener that picks up the profile another tab of the visitor changed.
 * Pass it to `createBrowserClientHandle` (`createBrowserClient` does); leaving it out keeps the
 * rule engine, the profile reducer and the lead scorer out of an ESM bundle.
 */
export const startOnsite: OnsiteStarter = (options, host) => {
  const onsite = createOnsite(options, host)
  onsite.start()
  const signals = options.signals ?? {}
  const stopSignals = watchSignals(signals, (event, properties) =>
    signals.send === true ? host.trackPublic(event, properties) : onsite.signal(event, properties),
  )
  const onStorage = (event: StorageEvent): void => {
    if (event.key === null || event.key === 'ecrm.profile') onsite.refresh()
  }
  if (typeof window !== 'undefined') window.addEventListener('storage', onStorage)
  return {
    onsite,
    stop: () => {
      stopSignals()
      onsite.stop()
      if (typeof window !== 'undefined') window.removeEventListener('storage', onStorage)
    },
  }
}
