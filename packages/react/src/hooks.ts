import type { BrowserClient } from '@ecrm/browser'
import type { ClientState } from '@ecrm/core'
import { useCallback, useEffect, useRef, useSyncExternalStore } from 'react'
import { useClientHolder } from './context.js'

/**
 * The provider's client, or `undefined` until it exists (during server rendering and the first
 * client render). Prefer the hooks below: they buffer calls until the client is ready.
 */
export function useEcrm(): BrowserClient | undefined {
  const holder = useClientHolder('useEcrm()')
  return useSyncExternalStore(holder.subscribe, holder.get, () => undefined)
}

/**
 * Reads `read(client)` live from a client store (`subscribeTo` picks which), `undefined` while there
 * is no client (server rendering, first render), so the server and the first client render agree.
 */
export function useClientStore<T>(
  hook: string,
  subscribeTo: (client: BrowserClient, listener: () => void) => () => void,
  read: (client: BrowserClient | undefined) => T,
): T {
  const holder = useClientHolder(hook)
  // biome-ignore lint/correctness/useExhaustiveDependencies: every caller's subscribeTo captures nothing, so a new one each render would only resubscribe for nothing.
  const subscribe = useCallback(
    (listener: () => void) => {
      const attach = (): (() => void) | undefined => {
        const client = holder.get()
        return client && subscribeTo(client, listener)
      }
      let unsubscribeClient = attach()
      const unsubscribeHolder = holder.subscribe(() => {
        unsubscribeClient?.()
        unsubscribeClient = attach()
        listener()
      })
      return () => {
        unsubscribeHolder()
        unsubscribeClient?.()
      }
    },
    [holder],
  )
  return useSyncExternalStore(
    subscribe,
    () => read(holder.get()),
    () => read(undefined),
  )
}

/**
 * Selects from the client's state, live and without tearing. `select` receives `undefined` while
 * there is no client (server rendering, first render), so the server and the first client render
 * agree. Return stable values (state parts or primitives): a new object each call re-renders forever.
 */
export function useEcrmState<T>(select: (state: ClientState | undefined) => T): T {
  return useClientStore(
    'useEcrmState()',
    (client, listener) => client.subscribe(listener),
    (client) => select(client?.getState()),
  )
}

/** A stable `track(event, properties?)`; calls before the client exists are kept and sent in order. */
export function useTrack(): BrowserClient['track'] {
  const holder = useClientHolder('useTrack()')
  return useCallback<BrowserClient['track']>(
    (...args) => {
      holder.run((client) => client.track(...args))
      return undefined
    },
    [holder],
  )
}

/** A stable `identify(userId?, traits?)`; buffered like {@link useTrack}. */
export function useIdentify(): BrowserClient['identify'] {
  const holder = useClientHolder('useIdentify()')
  return useCallback<BrowserClient['identify']>(
    (...args) => {
      holder.run((client) => client.identify(...args))
      return undefined
    },
    [holder],
  )
}

/**
 * Sends a page view whenever `path` changes, for routers whose navigation the automatic capture
 * cannot see. Create the client with `capture: { pageViews: false }` when you use it, or each route
 * change is counted twice.
 */
export function usePageView(path: string, properties?: Record<string, unknown>): void {
  const holder = useClientHolder('usePageView()')
  // StrictMode runs each effect twice on mount; the ref survives that, so one path is one view.
  const sentFor = useRef<string | undefined>(undefined)
  // biome-ignore lint/correctness/useExhaustiveDependencies: properties are read when the path changes; a change of properties alone is not a view.
  useEffect(() => {
    if (sentFor.current === path) return
    sentFor.current = path
    holder.run((client) => client.page({ path, ...properties }))
  }, [holder, path])
}

const noConsent: Readonly<Record<string, boolean | undefined>> = Object.freeze({})

/** The consent decisions, live, and a stable setter (`setConsent({ analytics: true })`). */
export function useConsent(): readonly [
  Readonly<Record<string, boolean | undefined>>,
  (categories: Record<string, boolean>) => void,
] {
  const holder = useClientHolder('useConsent()')
  const consent = useEcrmState((state) => state?.consent ?? noConsent)
  const setConsent = useCallback(
    (categories: Record<string, boolean>) => holder.run((client) => client.consent.set(categories)),
    [holder],
  )
  return [consent, setConsent] as const
}
