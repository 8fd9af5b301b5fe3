import type { ValidationIssue } from '@ecrm/core'

/** What a path or query value turned out to be: the value, or the issue to answer 400 with. */
export type Parsed<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly issue: ValidationIssue }

/** Longest id accepted in a path: emails go up to 320 characters. */
const MAX_ID_LENGTH = 320

/**
 * An id from a URL path segment, percent-decoded. Refused: bad percent-encoding, empty, over 320
 * characters, or any control character (NUL included, which PostgreSQL text cannot hold).
 */
export function parseIdSegment(raw: string, path: readonly (string | number)[]): Parsed<string> {
  let id: string
  try {
    id = decodeURIComponent(raw)
  } catch {
    return {
      ok: false,
      issue: {
        path,
        code: 'invalid_encoding',
        message: 'is not valid percent-encoding (encode the id with encodeURIComponent)',
      },
    }
  }
  if (id.length === 0 || id.length > MAX_ID_LENGTH) {
    return {
      ok: false,
      issue: { path, code: 'invalid_length', message: `must have 1 to ${MAX_ID_LENGTH} characters, has ${id.length}` },
    }
  }
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what is refused.
  if (/[\u0000-\u001f\u007f]/.test(id)) {
    return {
      ok: false,
      issue: {
        path,
        code: 'invalid_characters',
        message: 'contains a control character (NUL, newline, ...); no id has one',
      },
    }
  }
  return { ok: true, value: id }
}

/** The opaque cursor of a members page: the last customer id of the page, base64url of UTF-8 JSON. */
export function encodeCursor(lastId: string): string {
  const bytes = new TextEncoder().encode(JSON.stringify([lastId]))
  let binary = ''
  for (const byte of bytes) binary += String.fromCharCode(byte)
  return btoa(binary).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '')
}

/** The customer id inside a cursor made by {@link encodeCursor}. */
export function decodeCursor(cursor: string): Parsed<string> {
  const refused: Parsed<string> = {
    ok: false,
    issue: {
      path: ['query', 'after'],
      code: 'invalid_cursor',
      message: 'is not a cursor of this API (pass the `next` value of the previous page unchanged)',
    },
  }
  try {
    const binary = atob(cursor.replaceAll('-', '+').replaceAll('_', '/'))
    const decoded: unknown = JSON.parse(
      new TextDecoder('utf-8', { fatal: true }).decode(Uint8Array.from(binary, (char) => char.charCodeAt(0))),
    )
    if (!Array.isArray(decoded) || decoded.length !== 1 || typeof decoded[0] !== 'string') return refused
    const id = parseIdSegment(encodeURIComponent(decoded[0]), ['query', 'after'])
    return id.ok ? id : refused
  } catch {
    return refused
  }
}
