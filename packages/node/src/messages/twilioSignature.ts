import { createHmac, timingSafeEqual } from 'node:crypto'

/**
 * Twilio's request signature (`X-Twilio-Signature`): base64 of the HMAC-SHA1, keyed with the
 * account's auth token, of the full URL Twilio requested (query included) followed by every POST
 * parameter's name and value, sorted by name, with no separators.
 * See https://www.twilio.com/docs/usage/security#validating-requests
 */
export function twilioSignature(authToken: string, url: string, params: URLSearchParams): string {
  const names = [...new Set(params.keys())].sort()
  let data = url
  // A repeated name contributes each of its values in order (Twilio's helpers do the same).
  for (const name of names) for (const value of params.getAll(name)) data += name + value
  return createHmac('sha1', authToken).update(data, 'utf8').digest('base64')
}

/** Whether `signature` is {@link twilioSignature} of the request under any of `authTokens`, compared in constant time. */
export function isTwilioSignatureValid(
  authTokens: readonly string[],
  url: string,
  params: URLSearchParams,
  signature: string | null,
): boolean {
  if (signature === null) return false
  const given = Buffer.from(signature)
  return authTokens.some((token) => {
    const expected = Buffer.from(twilioSignature(token, url, params))
    return expected.length === given.length && timingSafeEqual(expected, given)
  })
}
