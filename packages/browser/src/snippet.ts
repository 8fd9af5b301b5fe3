/**
 * The loader snippet (≤ 1 KB minified): paste it in the page head, or load it with a `<script src>`.
 * It defines `window.ecrm` as a stub that records each call with the page it was made on and the
 * time (so calls made before the bundle arrives keep their own context), and `ecrm.load(writeKey,
 * options)` adds the bundle as an async `<script src>` — no eval, no inline code, so it works under
 * a strict Content-Security-Policy (the injected script carries the snippet's nonce, if any).
 *
 * @example
 * ecrm.load('WRITE_KEY', { endpoint: 'https://collect.shop.example', src: 'https://cdn.shop.example/ecrm.min.js' })
 * ecrm.page()
 */
type Buffered = [method: string, args: unknown[], context: { page: Record<string, string>; timestamp: string }]
interface Stub {
  q?: Buffered[]
  loaded?: boolean
  [method: string]: unknown
}

const w = window as unknown as { ecrm?: Stub }
const d = document

if (w.ecrm === undefined || (w.ecrm.q === undefined && w.ecrm.loaded !== true)) {
  const q: Buffered[] = []
  const stub: Stub = { q }
  const record =
    (method: string) =>
    (...args: unknown[]): void => {
      q.push([
        method,
        args,
        {
          page: {
            path: location.pathname,
            referrer: d.referrer,
            search: location.search,
            title: d.title,
            url: location.href,
          },
          timestamp: new Date().toISOString(),
        },
      ])
    }
  for (const method of ['track', 'identify', 'page', 'group', 'alias', 'reset', 'flush', 'forget', 'on'])
    stub[method] = record(method)
  stub['consent'] = { set: record('consent.set') }
  const current = d.currentScript as HTMLScriptElement | null
  stub['load'] = (writeKey: string, options?: { endpoint?: string; src?: string }): void => {
    record('load')(writeKey, options)
    const script = d.createElement('script')
    script.async = true
    script.src = options?.src ?? `${options?.endpoint ?? ''}/ecrm.min.js`
    if (current?.nonce) script.nonce = current.nonce
    d.head.appendChild(script)
  }
  w.ecrm = stub
}

export {}
