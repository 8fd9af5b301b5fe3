/**
 * Returns a random UUID v4 from the Web Crypto API, so anonymousIds and messageIds are unique
 * across devices. It uses `crypto.getRandomValues`, which every supported runtime has, in
 * insecure (http:) contexts too, unlike `crypto.randomUUID`.
 */
export function createBrowserId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16))
  // The version (4) and the RFC 9562 variant (10xx) bits.
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x40
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80
  const hex = Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('')
  // 32 hex digits grouped 8-4-4-4-12.
  return hex.replace(/(.{8})(.{4})(.{4})(.{4})/, '$1-$2-$3-$4-')
}
