/**
 * Types of the script-tag bundles (`@ecrm/browser/ecrm.min.js`, `@ecrm/browser/ecrm-onsite.min.js`):
 * importing either for its side effect defines `window.ecrm`. Before `ecrm.load()` (or while the
 * snippet's stub stands in) calls are buffered and reads answer `undefined`.
 */
import type { BrowserClient, BrowserClientOptions } from '@ecrm/browser'

/** `window.ecrm`: the browser client's methods plus `load`. */
export interface EcrmScriptTag extends BrowserClient {
  /** Creates the client (once; later calls are ignored) and replays the calls buffered before. */
  readonly load: (writeKey: string, options?: Partial<BrowserClientOptions>) => void
  /** `true` once the bundle replaced the snippet's stub. */
  readonly loaded: boolean
}

declare global {
  interface Window {
    /** ecrm's script-tag client (see `@ecrm/browser/ecrm.min.js`). */
    ecrm: EcrmScriptTag
  }
}
