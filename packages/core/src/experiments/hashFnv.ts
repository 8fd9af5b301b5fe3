/**
 * FNV-1a (32 bit) over the UTF-16 code units of a string, as an unsigned integer.
 *
 * The offset basis (2166136261) and prime (16777619) are the published FNV-1a 32 constants
 * (Fowler, Noll, Vo; draft-eastlake-fnv). GrowthBook's SDKs feed the hash UTF-16 code units, not
 * UTF-8 bytes, so we do the same: that is what keeps assignments identical across runtimes.
 */
export function fnv1a32(text: string): number {
  let hash = 0x811c9dc5
  for (let index = 0; index < text.length; index++) {
    hash ^= text.charCodeAt(index)
    // Multiplication modulo 2^32; Math.imul keeps it exact where a plain `*` would lose bits.
    hash = Math.imul(hash, 0x01000193)
  }
  return hash >>> 0
}

/** Hash versions {@link hashFnv} understands. */
export type HashVersion = 1 | 2

/**
 * Hashes `value` with `seed` into a number in [0, 1), GrowthBook-compatible.
 *
 * - version 1: `(fnv(value + seed) mod 1000) / 1000` — GrowthBook's legacy hash. Similar seeds give
 *   correlated buckets, which is why version 2 exists.
 * - version 2: `(fnv(String(fnv(seed + value))) mod 10000) / 10000` — the hash of the hash
 *   decorrelates experiments that share users.
 *
 * Returns `null` for any other version, so a newer experiment definition fails closed (no one is
 * bucketed) rather than with a different split.
 *
 * @example
 * hashFnv('seed', 'a', 2) // 0.0505
 */
export function hashFnv(seed: string, value: string, version: number): number | null {
  if (version === 2) return (fnv1a32(String(fnv1a32(seed + value))) % 10000) / 10000
  if (version === 1) return (fnv1a32(value + seed) % 1000) / 1000
  return null
}
