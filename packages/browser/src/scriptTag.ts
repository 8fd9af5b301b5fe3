/**
 * What the script-tag bundles run. It creates the client from `ecrm.load(writeKey, options)`
 * (recorded by the snippet, or called later) or from data attributes on its own script tag
 * (`<script async src="ecrm.min.js" data-write-key="..." data-endpoint="...">`), then replays the
 * snippet's buffer in order, each call with its own page context and timestamp. Strict-CSP safe.
 */
import { createBrowserClientHandle } from './browserClient.js'
import type { BrowserClientHandle, CallContext } from './browserClient.js'
import type { BrowserClientOptions } from './browserClientTypes.js'
import type { OnsiteStarter } from './onsite/startOnsite.js'

type Buffered = [method: string, args: unknown[], context?: CallContext]
type Method = (...args: unknown[]) => unknown

const w = window as unknown as { ecrm?: { q?: Buffered[]; loaded?: boolean } & Record<string, unknown> }

/**
 * Replaces the snippet's stub with the live `window.ecrm` and replays its buffer. Given `withOnsite`,
 * the client has the on-site intelligence and the stub answers `profile`, `rule`, `experiment` and
 * `leadScore`; without it, those are absent and the bundle is about half the size.
 */
export function bootScriptTag(withOnsite?: OnsiteStarter): void {
  const stub = w.ecrm
  if (stub?.loaded === true) return
  const pending: Buffered[] = Array.isArray(stub?.q) ? [...stub.q] : []
  const script = document.currentScript as HTMLScriptElement | null
  let handle: BrowserClientHandle | undefined

  const invoke = (method: string, args: unknown[]): unknown => {
    if (handle === undefined) return undefined
    const client = handle.client as unknown as Record<string, unknown>
    const target = method === 'consent.set' ? handle.client.consent.set : client[method]
    return typeof target === 'function' ? (target as Method)(...args) : undefined
  }
  const load = (writeKey: unknown, options?: Partial<BrowserClientOptions>): void => {
    if (handle !== undefined) return
    // The snippet's own page() call is the first page view: do not send a second one.
    const pagedAlready = pending.some(([method]) => method === 'page')
    const capture = { ...(pagedAlready ? { initialPageView: false } : {}), ...options?.capture }
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
  const call =
    (method: string) =>
    (...args: unknown[]): unknown => {
      if (handle !== undefined) return invoke(method, args)
      pending.push([method, args, { page: { url: location.href, path: location.pathname }, timestamp: new Date().toISOString() }])
      return undefined
    }

  const api: Record<string, unknown> = { loaded: true, load }
  for (const method of ['track', 'identify', 'page', 'group', 'alias', 'reset', 'flush', 'forget', 'on']) api[method] = call(method)
  // Reads answer now (undefined before load); they are never buffered.
  api['stats'] = () => handle?.client.stats()
  api['user'] = () => handle?.client.user()
  api['consent'] = { set: call('consent.set'), get: () => handle?.client.consent.get() ?? {} }
  api['client'] = () => handle?.client
  if (withOnsite !== undefined) {
    api['profile'] = () => handle?.client.profile()
    api['rule'] = (id: string) => handle?.client.rule(id)
    api['experiment'] = (key: string, options?: { expose?: boolean }) => handle?.client.experiment(key, options)
    api['leadScore'] = () => handle?.client.leadScore()
  }
  w.ecrm = api

  const data = script?.dataset
  const loadCall = pending.find(([method]) => method === 'load')
  if (data?.['writeKey'] !== undefined && data['endpoint'] !== undefined) {
    load(data['writeKey'], { endpoint: data['endpoint'], debug: data['debug'] !== undefined })
  } else if (loadCall !== undefined) {
    load(loadCall[1][0], loadCall[1][1] as Partial<BrowserClientOptions> | undefined)
  }
}
