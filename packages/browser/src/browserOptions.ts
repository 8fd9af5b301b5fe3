import { EcrmError } from '@ecrm/core'
import type { BrowserClientOptions } from './browserClientTypes.js'

/** Copies only the options that are set (exactOptionalPropertyTypes forbids explicit undefined). */
export const pickDefined = <T extends object, K extends keyof T>(source: T, keys: readonly K[]): Partial<Pick<T, K>> => {
  const picked: Partial<Pick<T, K>> = {}
  for (const key of keys) if (source[key] !== undefined) picked[key] = source[key]
  return picked
}

/** Throws an actionable `invalid_options` error for options no client can work with (a bug in the integration). */
export const checkOptions = (options: BrowserClientOptions): void => {
  const bad = (field: string, detail: string): EcrmError =>
    new EcrmError('invalid_options', `Invalid option: createBrowserClient({ ${field} }) (${detail})`)
  if (typeof options !== 'object' || options === null) throw bad('writeKey, endpoint', 'pass an options object')
  if (typeof options.writeKey !== 'string' || options.writeKey === '') throw bad('writeKey', "pass your source's write key, a non-empty string")
  if (typeof options.endpoint !== 'string' || !/^https?:\/\/|^\//.test(options.endpoint)) {
    throw bad('endpoint', "pass the collector's base URL, e.g. 'https://collect.shop.example'")
  }
}
