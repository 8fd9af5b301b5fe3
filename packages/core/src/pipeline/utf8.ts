// Core's lib is plain ES2022 (no DOM, no Node types), so the two encoding built-ins that every
// supported runtime has (browsers, workers, Node >= 20, Deno, Bun) are declared here, minimally.
declare const TextEncoder: new () => { encode(text: string): Uint8Array }
declare function btoa(binary: string): string

// biome-ignore lint/suspicious/noControlCharactersInRegex: the ASCII range starts at NUL; that is the test.
const asciiOnly = /^[\x00-\x7f]*$/
// Made on first use, not at import: nothing in core runs at import time.
let encoder: { encode(text: string): Uint8Array } | undefined
const encodeUtf8 = (text: string): Uint8Array => (encoder ??= new TextEncoder()).encode(text)

/**
 * Returns the UTF-8 byte length of a string. A lone surrogate counts 3 bytes, as its
 * replacement character U+FFFD would.
 *
 * @example
 * utf8Length('é€😀') // 2 + 3 + 4 = 9
 */
export function utf8Length(text: string): number {
  // Event payloads are nearly always ASCII: the regex engine scans them without allocating,
  // and then the length is the byte count.
  return asciiOnly.test(text) ? text.length : encodeUtf8(text).length
}

/**
 * Encodes a string's UTF-8 bytes as base64 (RFC 4648 §4, with padding); lone surrogates are
 * encoded as U+FFFD.
 *
 * @example
 * encodeBase64('foobar') // 'Zm9vYmFy'
 */
export function encodeBase64(text: string): string {
  // btoa takes one char per byte ("binary string"); a loop, since a spread could overflow the stack.
  let binary = ''
  for (const byte of encodeUtf8(text)) binary += String.fromCharCode(byte)
  return btoa(binary)
}
