import { ERASURE_EVENT_NAME } from '@ecrm/core'
import type { EcrmEvent } from '@ecrm/core'

/** The consent categories the browser client knows by default. */
export const CONSENT_CATEGORIES = ['necessary', 'analytics', 'marketing'] as const

/** What is assumed before the visitor decides. */
export type ConsentDefault = 'pending' | 'granted' | 'denied'

/** Options of the browser client's consent handling. */
export interface BrowserConsentOptions {
  /**
   * Before any decision: `'granted'` sends at once (opt-out regimes), `'pending'` holds events in
   * memory until `consent.set` (opt-in regimes such as the GDPR), `'denied'` sends only
   * `necessary` events. @default 'granted'
   */
  readonly default?: ConsentDefault
  /** Honour Global Privacy Control: `navigator.globalPrivacyControl === true` denies `marketing`. @default true */
  readonly respectGpc?: boolean
  /** The category of an event. @default every event is `analytics`, except `Data Erasure Requested` (`necessary`) */
  readonly categoryOf?: (event: EcrmEvent) => string
  /** Decisions known at start (e.g. from a consent banner's cookie); they win over `default` and GPC, persisted decisions win over them. */
  readonly initial?: Readonly<Record<string, boolean>>
  /**
   * The category whose grant lets ecrm remember the visitor on this device (ids, traits, session,
   * campaign touches, local profile, rule state in localStorage and cookies). Until it is granted
   * all of that stays in memory for the page's life. @default 'analytics'
   */
  readonly storageCategory?: string
}

/** The core consent options the browser client derives from {@link BrowserConsentOptions}. */
export interface DerivedConsent {
  readonly required: true
  /** The category of an event: `necessary` for the erasure request, else the option's answer, else `analytics`. */
  readonly categoryOf: (event: EcrmEvent) => string
  readonly initial: Readonly<Record<string, boolean>>
  /** True when the browser sent the GPC signal and it was honoured. */
  readonly gpc: boolean
  /** The category that must be granted before anything about the visitor is stored on the device. */
  readonly storageCategory: string
}

/** Reads the Global Privacy Control signal (https://privacycg.github.io/gpc-spec/). */
export function readGpc(): boolean {
  return (globalThis.navigator as { globalPrivacyControl?: unknown } | undefined)?.globalPrivacyControl === true
}

/** True for the {@link ERASURE_EVENT_NAME} event `forget()` sends: it is `necessary`, and belongs to the visitor being forgotten. */
export const isErasureRequest = (event: EcrmEvent): boolean =>
  event.type === 'track' && event.event === ERASURE_EVENT_NAME

/**
 * Turns the browser consent options into core's: consent is always gated (so `'denied'` and GPC
 * mean something), `necessary` is always granted, GPC denies `marketing` unless the site passed
 * an explicit decision, and an erasure request is `necessary` so it is never held back.
 */
export function deriveConsent(options: BrowserConsentOptions = {}, gpcSignal = readGpc()): DerivedConsent {
  const mode = options.default ?? 'granted'
  const initial: Record<string, boolean> = {}
  if (mode !== 'pending') for (const category of CONSENT_CATEGORIES) initial[category] = mode === 'granted'
  const gpc = gpcSignal && options.respectGpc !== false
  if (gpc) initial['marketing'] = false
  Object.assign(initial, options.initial, { necessary: true })
  const categoryOf = (event: EcrmEvent): string =>
    isErasureRequest(event) ? 'necessary' : (options.categoryOf?.(event) ?? 'analytics')
  return { required: true, categoryOf, initial, gpc, storageCategory: options.storageCategory ?? 'analytics' }
}
