import { hmacSha256Hex } from '../destinations/webhookDestination.js'

/**
 * Identity verification, the shop's side: the `userHash` a browser sends with `identify` so the
 * collector knows the shop's server vouched for this userId (HMAC-SHA256 of the userId under
 * the collector's identity secret, hex). Compute it on your server for the logged-in user only,
 * and never ship the secret to a browser. Any language can make it: HMAC-SHA256, key = the
 * secret's UTF-8 bytes, message = the userId's UTF-8 bytes, lower-case hex.
 *
 * @example
 * // server, rendering the page of a logged-in user
 * const userHash = signUserId(user.id, process.env.ECRM_IDENTITY_SECRET!)
 * // browser
 * ecrm.identify(user.id, { email: user.email }, { context: { userHash } })
 */
export function signUserId(userId: string, secret: string): string {
  return hmacSha256Hex(secret, userId)
}
