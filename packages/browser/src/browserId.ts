/**
 * Returns a random UUID v4 from the Web Crypto API (`crypto.randomUUID`, else
 * `crypto.getRandomValues`), so anonymousIds and messageIds are unique across devices. Only in a
 * runtime without Web Crypto does it fall back to `Math.random` (not collision-safe at scale).
 */
export function createBrowserId(): string {
  const webCrypto = typeof crypto === 'undefined' ? undefined : crypto
  if (typeof webCrypto?.randomUUID === 'function') return webCrypto.randomUUID()
  const bytes = new Uint8Array(16)
  if (typeof webCrypto?.getRandomValues === 'function') webCrypto.getRandomValues(bytes)
  else for (let index = 0; index < 16; index++) bytes[index] = Math.floor(Math.random() * 256)
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x40
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80
  const hex = Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
}
