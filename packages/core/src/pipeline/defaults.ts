import type { KeyValueStore } from '../ports.js'

/**
 * A xorshift128+ generator of numbers in [0, 1) (Vigna, "Further scramblings of Marsaglia's
 * xorshift generators", 2017), seeded through splitmix32. Core's fallback when no `random` port
 * is given: fine for jitter, NOT for ids that must be unique across devices — adapters pass a
 * crypto-backed `createId`.
 */
export function createXorshiftRandom(seed: number): () => number {
  let state = (Math.floor(seed) ^ 0x9e3779b9) >>> 0
  const splitmix32 = (): number => {
    state = (state + 0x9e3779b9) >>> 0
    let z = state
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0
    return (z ^ (z >>> 16)) >>> 0
  }
  // Two 32-bit halves per 64-bit word; the state must not be all zero.
  let s0 = BigInt(splitmix32()) | (BigInt(splitmix32()) << 32n)
  let s1 = BigInt(splitmix32()) | (BigInt(splitmix32()) << 32n) | 1n
  const mask = (1n << 64n) - 1n
  return () => {
    let x = s0
    const y = s1
    s0 = y
    x = (x ^ (x << 23n)) & mask
    s1 = x ^ y ^ (x >> 17n) ^ (y >> 26n)
    const sum = (s1 + y) & mask
    // The top 53 bits give a uniform double in [0, 1).
    return Number(sum >> 11n) / 2 ** 53
  }
}

/**
 * Returns a generator of RFC 9562 version-4 UUIDs (`xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx`,
 * y in 8–b) drawing its 122 random bits from `random`.
 *
 * @example
 * const createId = createUuidV4(Math.random)
 */
export function createUuidV4(random: () => number): () => string {
  const hex = (byte: number): string => byte.toString(16).padStart(2, '0')
  return () => {
    const bytes = Array.from({ length: 16 }, () => Math.floor(random() * 256) & 0xff)
    bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x40
    bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80
    const text = bytes.map(hex).join('')
    return `${text.slice(0, 8)}-${text.slice(8, 12)}-${text.slice(12, 16)}-${text.slice(16, 20)}-${text.slice(20)}`
  }
}

/** A {@link KeyValueStore} in memory: the default when no storage port is given. */
export function createMemoryStorage(): KeyValueStore {
  const values = new Map<string, string>()
  return {
    get: (key) => values.get(key),
    set: (key, value) => {
      values.set(key, value)
    },
    remove: (key) => {
      values.delete(key)
    },
  }
}
