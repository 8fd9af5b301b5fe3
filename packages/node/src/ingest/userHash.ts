/** Checks a `context.userHash` against the userId it claims to vouch for. */
export type UserHashCheck = (userId: string, userHash: string) => Promise<boolean>

const encoder = new TextEncoder()

/**
 * Identity verification, the collector's side: a `userHash` is the HMAC-SHA256 of the userId
 * under one of `secrets`, in hex, as {@link signUserId} makes it on the shop's server. Any of the
 * secrets may have signed it (so a secret can be rotated: add the new one, then drop the old).
 * Web Crypto's `verify` compares in constant time.
 */
export function createUserHashCheck(secrets: readonly string[]): UserHashCheck {
  const keys = Promise.all(
    secrets.map((secret) =>
      crypto.subtle.importKey('raw', encoder.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['verify']),
    ),
  )
  return async (userId, userHash) => {
    if (!/^[0-9a-f]{64}$/i.test(userHash)) return false
    const signature = Uint8Array.from(userHash.match(/../g) ?? [], (pair) => Number.parseInt(pair, 16))
    const data = encoder.encode(userId)
    for (const key of await keys) if (await crypto.subtle.verify('HMAC', key, signature, data)) return true
    return false
  }
}
