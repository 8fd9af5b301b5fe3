/**
 * UTF-8 by hand: core has no TextEncoder (its lib is plain ES2022), and both the byte budgets
 * and Basic auth need UTF-8.
 */

const asciiOnly = /^[\x00-\x7f]*$/

/**
 * Returns the UTF-8 byte length of a string. A lone surrogate counts 3 bytes, as its
 * replacement character U+FFFD would.
 *
 * @example
 * utf8Length('é€😀') // 2 + 3 + 4 = 9
 */
export function utf8Length(text: string): number {
  // Event payloads are nearly always ASCII: the regex engine scans them several times faster
  // than a charCodeAt loop, and then the length is the byte count.
  if (asciiOnly.test(text)) return text.length
  let bytes = 0
  for (let index = 0; index < text.length; index += 1) {
    const code = text.charCodeAt(index)
    if (code < 0x80) bytes += 1
    else if (code < 0x800) bytes += 2
    else if (code >= 0xd800 && code <= 0xdbff && isLowSurrogate(text.charCodeAt(index + 1))) {
      bytes += 4
      index += 1
    } else bytes += 3
  }
  return bytes
}

/** Encodes a string as UTF-8 bytes (lone surrogates become U+FFFD, as TextEncoder does). */
export function encodeUtf8(text: string): number[] {
  const out: number[] = []
  for (const char of text) {
    let code = char.codePointAt(0) ?? 0xfffd
    if (code >= 0xd800 && code <= 0xdfff) code = 0xfffd
    if (code < 0x80) out.push(code)
    else if (code < 0x800) out.push(0xc0 | (code >> 6), 0x80 | (code & 0x3f))
    else if (code < 0x10000) out.push(0xe0 | (code >> 12), 0x80 | ((code >> 6) & 0x3f), 0x80 | (code & 0x3f))
    else {
      out.push(0xf0 | (code >> 18), 0x80 | ((code >> 12) & 0x3f), 0x80 | ((code >> 6) & 0x3f), 0x80 | (code & 0x3f))
    }
  }
  return out
}

const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'

/**
 * Encodes a string's UTF-8 bytes as base64 (RFC 4648 §4, with padding). Written by hand because
 * core may not use `btoa` or `Buffer`.
 *
 * @example
 * encodeBase64('foobar') // 'Zm9vYmFy'
 */
export function encodeBase64(text: string): string {
  const bytes = encodeUtf8(text)
  let out = ''
  for (let index = 0; index < bytes.length; index += 3) {
    const a = bytes[index] ?? 0
    const b = bytes[index + 1]
    const c = bytes[index + 2]
    const triple = (a << 16) | ((b ?? 0) << 8) | (c ?? 0)
    out += alphabet[(triple >> 18) & 63]
    out += alphabet[(triple >> 12) & 63]
    out += b === undefined ? '=' : alphabet[(triple >> 6) & 63]
    out += c === undefined ? '=' : alphabet[triple & 63]
  }
  return out
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff
}
