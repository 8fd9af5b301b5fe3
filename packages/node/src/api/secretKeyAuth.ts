/**
 * Secret-key authentication of the read API: `Authorization: Bearer <secret key>`, compared in
 * constant time (SHA-256 of both sides, every byte compared), with Web Crypto so it runs on Node,
 * Deno, Bun and workers alike.
 */

/** The token of an `Authorization: Bearer <token>` header, if any. */
export function bearerToken(header: string | null): string | undefined {
  const match = header === null ? null : /^bearer\s+(\S+)\s*$/i.exec(header)
  return match?.[1]
}

async function digest(text: string): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)))
}

/**
 * A check of a presented key against the accepted ones. Every accepted key is compared, each over
 * all 32 bytes of the digests, so the time taken tells nothing about how much of a key matched.
 */
export function createKeyCheck(keys: readonly string[]): (presented: string) => Promise<boolean> {
  const accepted = Promise.all(keys.map(digest))
  return async (presented) => {
    const candidate = await digest(presented)
    let matched = false
    for (const key of await accepted) {
      let difference = 0
      for (let index = 0; index < key.length; index += 1)
        difference |= (key[index] as number) ^ (candidate[index] as number)
      matched = matched || difference === 0
    }
    return matched
  }
}
