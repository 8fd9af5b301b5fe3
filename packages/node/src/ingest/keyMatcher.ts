/** Tells whether a presented key is one of the known keys. */
export type KeyMatcher = (candidate: string) => Promise<boolean>

const encoder = new TextEncoder()

/**
 * A {@link KeyMatcher} whose time does not depend on where a wrong key differs from a right one:
 * both sides are MACed (HMAC-SHA256) under a random key made for this matcher, and the MACs are
 * compared in full against every known key. A timing attacker cannot compute those MACs, so even
 * a leaky comparison would teach it nothing about the keys (the "double HMAC" comparison).
 * Web Crypto rather than node:crypto's `timingSafeEqual`: the handler also runs on Deno, Bun and
 * workers.
 */
export function createKeyMatcher(keys: readonly string[]): KeyMatcher {
  const ready = (async () => {
    const macKey = await crypto.subtle.generateKey({ name: 'HMAC', hash: 'SHA-256' }, false, ['sign'])
    return { macKey, known: await Promise.all(keys.map((key) => macOf(macKey, key))) }
  })()
  return async (candidate) => {
    const { macKey, known } = await ready
    const presented = await macOf(macKey, candidate)
    let found = false
    // Every known key is compared, the first match does not end the loop.
    for (const mac of known) found = isSameBytes(mac, presented) || found
    return found
  }
}

/** Web Crypto's key type, named without the DOM library. */
type MacKey = Parameters<typeof crypto.subtle.sign>[1]

async function macOf(key: MacKey, text: string): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.sign('HMAC', key, encoder.encode(text)))
}

/** Byte equality that reads every byte whatever it finds. */
export function isSameBytes(a: Uint8Array, b: Uint8Array): boolean {
  let difference = a.length ^ b.length
  for (let index = 0; index < a.length; index += 1) difference |= (a[index] ?? 0) ^ (b[index] ?? 0)
  return difference === 0
}
