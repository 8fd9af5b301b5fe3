import { createHmac } from 'node:crypto'

// Crockford base32 without I, L, O, U: a code read aloud or typed from a phone is not mistaken.
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ'

/**
 * The one-time coupon code of a message: HMAC-SHA256 of the message id under `secret`, as 10
 * Crockford base32 characters. Deterministic, so a re-render (preview, retry) shows the same
 * code; keyed, so knowing a message id does not give its coupon away.
 */
export function offerCodeOf(messageId: string, secret: string): string {
  const digest = createHmac('sha256', secret).update(messageId).digest()
  let code = ''
  for (let index = 0; index < 10; index += 1) code += ALPHABET[digest[index]! % 32]
  return code
}
