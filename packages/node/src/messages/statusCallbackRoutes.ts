import { MESSAGE_LINKS_PREFIX } from '@ecrm/core'
import type { Store } from '../store/storeTypes.js'
import { createKavenegarStatusHandler } from './kavenegarStatusHandler.js'
import { addSuppression } from './suppressions.js'
import { createTwilioStatusHandler } from './twilioStatusHandler.js'

/** A provider's delivery callback `ecrm serve` answers, from the channels config. */
export type StatusCallback =
  /** Twilio calls the channel's `statusCallback` URL; `publicOrigin` is that URL's origin (what Twilio signs). */
  | {
      readonly provider: 'twilio'
      readonly path: string
      readonly publicOrigin: string
      readonly authTokens: readonly string[]
    }
  /** Kavenegar calls the delivery URL set in its panel: `/v1/m/kavenegar/<token>`. */
  | { readonly provider: 'kavenegar'; readonly token: string; readonly channels: readonly string[] }

/** The path a Kavenegar delivery URL ends in, for `token`. */
export const kavenegarStatusPath = (token: string): string => `${MESSAGE_LINKS_PREFIX}kavenegar/${token}`

/**
 * The handlers of `callbacks` by exact request path; a bounce they report adds the number to the
 * suppression list under the message's customer.
 */
export function statusCallbackRoutes(
  callbacks: readonly StatusCallback[],
  store: Pick<Store, 'insertEvents' | 'getProfile' | 'query'>,
): ReadonlyMap<string, (request: Request) => Promise<Response>> {
  const routes = new Map<string, (request: Request) => Promise<Response>>()
  for (const callback of callbacks) {
    if (callback.provider === 'twilio') {
      routes.set(
        callback.path,
        createTwilioStatusHandler({
          store,
          authTokens: callback.authTokens,
          publicOrigin: callback.publicOrigin,
          suppress: (entry, customerId) => addSuppression(store, customerId, entry),
        }),
      )
    } else {
      routes.set(
        kavenegarStatusPath(callback.token),
        createKavenegarStatusHandler({ store, token: callback.token, channels: callback.channels }),
      )
    }
  }
  return routes
}
