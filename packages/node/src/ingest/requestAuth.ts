/** The write key in an `Authorization: Basic base64(writeKey:)` header, if any. */
export function writeKeyFromBasicAuth(header: string | null): string | undefined {
  if (header === null) return undefined
  const match = /^basic\s+([A-Za-z0-9+/]+={0,2})\s*$/i.exec(header)
  if (match === null || match[1] === undefined) return undefined
  let decoded: string
  try {
    // atob + TextDecoder rather than Buffer: the handler also runs on Deno, Bun and workers.
    decoded = new TextDecoder().decode(Uint8Array.from(atob(match[1]), (char) => char.charCodeAt(0)))
  } catch {
    return undefined
  }
  // Segment sends the write key as the user name with an empty password.
  const colon = decoded.indexOf(':')
  const key = colon === -1 ? decoded : decoded.slice(0, colon)
  return key.length > 0 ? key : undefined
}

/** The key in an `Authorization` header: the Basic auth user name, or a Bearer token. */
export function keyFromAuthorization(header: string | null): string | undefined {
  const bearer = header === null ? null : /^bearer\s+(\S+)\s*$/i.exec(header)
  return bearer?.[1] ?? writeKeyFromBasicAuth(header)
}

/** Which origins may send from a browser. */
export type AllowedOrigins = '*' | readonly string[]

/** True when a request from `origin` may be answered with CORS headers. */
export function isOriginAllowed(origin: string, allowed: AllowedOrigins): boolean {
  return allowed === '*' || allowed.includes('*') || allowed.includes(origin)
}

/** CORS headers for an allowed origin (reflected, so one list serves many shops). */
export function corsHeaders(origin: string | null, allowed: AllowedOrigins): Record<string, string> {
  if (origin === null || !isOriginAllowed(origin, allowed)) return {}
  // Retry-After is not CORS-safelisted: without this a browser script never sees the back-off a 429/503 asks for.
  return { 'access-control-allow-origin': origin, 'access-control-expose-headers': 'Retry-After', vary: 'Origin' }
}

/** The answer to a CORS preflight from an allowed origin. */
export function preflightHeaders(origin: string, allowed: AllowedOrigins): Record<string, string> {
  return {
    ...corsHeaders(origin, allowed),
    'access-control-allow-methods': 'POST, OPTIONS',
    // Authorization is not CORS-safelisted: a client that sends Basic auth from a browser needs it here.
    'access-control-allow-headers': 'Authorization, Content-Type',
    'access-control-max-age': '86400',
  }
}
