import { EcrmError } from '@ecrm/core'
import type { BrowserClientOptions } from './browserClientTypes.js'

/** Throws an actionable `invalid_options` error for options no client can work with (a bug in the integration). */
export const checkOptions = (options: BrowserClientOptions): void => {
  const fail = (field: string, detail: string): never => {
    throw new EcrmError('invalid_options', `Invalid option: createBrowserClient({ ${field} }) (${detail})`)
  }
  if (typeof options !== 'object' || options === null) fail('writeKey, endpoint', 'pass an options object')
  if (typeof options.writeKey !== 'string' || options.writeKey === '') fail('writeKey', "pass your source's write key")
  if (typeof options.endpoint !== 'string' || !/^https?:\/\/|^\//.test(options.endpoint)) {
    fail('endpoint', "pass the collector's base URL, e.g. 'https://collect.shop.example'")
  }
}
