/**
 * What the script-tag bundles run. It creates the client from `ecrm.load(writeKey, options)`
 * (recorded by the snippet, or called later) or from data attributes on its own script tag
 * (`<script async src="ecrm.min.js" data-write-key="..." data-endpoint="...">`), then replays the
 * snippet's buffer in order, each call with its own page context and timestamp. Strict-CSP safe.
 */
import { createBrowserClientHandle } from './browserClient.js'
import type { BrowserClientHandle, CallContext } from './browserClient.js'
import type { BrowserClientOptions } from './browserClientTypes.js'
import { readPageContext } from './pageContext.js'
import type { OnsiteStarter } from './onsite/startOnsite.js'

type Buffered = [method: string, args: unknown[], context?: CallContext]

const w = window as unknown as { ecrm?: { q?: Buffered[]; loaded?: boolean } & Record<string, unknown> }

/**
 * Replaces the snippet's stub with the live `window.ecrm` and replays its buffer. Given `withOnsite`,
 * the client has the on-site intelligence, and `onsiteReads` names its reads the stub answers
 * (`ecrm-onsite.min.js` passes `profile`, `rule`, `experiment`, `leadScore`, so `ecrm.min.js`
 * carries neither); without it, the bundle is about half the size.
 */
export function bootScriptTag(withOnsite?: OnsiteStarter, onsiteReads: readonly string[] = []): void {
  const stub = w.ecrm
  if (stub?.loaded === true) return
  const pending: Buffered[] = Array.isArray(stub?.q) ? [...stub.q] : []
  const script = document.currentScript as HTMLScriptElement | null
  let handle: BrowserClientHandle | undefined

  /** Calls the client's method at `method` ('track', 'consent.set'...); `undefined` before load. */
  const invoke = (method: string, args: unknown[]): unknown => {
    let target: unknown = handle?.client
    for (const key of method.split('.')) target = (target as Record<string, unknown> | undefined)?.[key]
    return typeof target === 'function' ? target(...args) : undefined
  }
  const load = (writeKey: unknown, options?: Partial<BrowserClientOptions>): void => {
    if (handle !== undefined) return
    // The snippet's own page() call is the first page view: do not send a second one.
    const capture = { initialPageView: !pending.some(([method]) => method === 'page'), ...options?.capture }
    try {
      handle = createBrowserClientHandle({ ...options, capture, writeKey } as BrowserClientOptions, withOnsite)
    } catch (error) {
      // Bad options are the site's bug: say it loudly, but never break the page.
      console.error('[ecrm] load failed:', error)
      return
    }
    for (const [method, args, context] of pending.splice(0)) {
      if (method !== 'load') handle.runAt(context ?? {}, () => invoke(method, args))
    }
  }
  // Before load, a call is buffered with the page and time it was made at.
  const call =
    (method: string) =>
    (...args: unknown[]): unknown => {
      if (handle !== undefined) return invoke(method, args)
      pending.push([method, args, { page: readPageContext(), timestamp: Date.now() }])
      return undefined
    }
  const api: Record<string, unknown> = { loaded: true, load, client: () => handle?.client }
  for (const method of ['track', 'identify', 'page', 'group', 'alias', 'reset', 'flush', 'forget', 'on'])
    api[method] = call(method)
  // Reads answer now (undefined before load); they are never buffered.
  for (const method of ['stats', 'user', ...onsiteReads]) api[method] = (...args: unknown[]) => invoke(method, args)
  api['consent'] = { set: call('consent.set'), get: () => invoke('consent.get', []) ?? {} }
  w.ecrm = api

  const data = script?.dataset
  const loadCall = pending.find(([method]) => method === 'load')
  if (data?.['writeKey'] !== undefined && data['endpoint'] !== undefined) {
    load(data['writeKey'], { endpoint: data['endpoint'], debug: data['debug'] !== undefined })
  } else if (loadCall !== undefined) {
    load(loadCall[1][0], loadCall[1][1] as Partial<BrowserClientOptions> | undefined)
  }
}
