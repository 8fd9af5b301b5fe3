/**
 * Signed message links: the open pixel, click redirects and unsubscribe links carry a token the
 * collector can trust without a lookup — who, which message, what link, until when — signed with
 * HMAC-SHA256 over Web Crypto, so every runtime (Node, Bun, Deno, edge) signs and checks alike.
 */

/** What a message link's token says. */
export interface MessageLinkClaims {
  /** Message id. */
  readonly m: string
  /** The store's customer id. */
  readonly c: string
  readonly k: 'open' | 'click' | 'unsubscribe'
  /** Click target (absolute http(s) URL). */
  readonly u?: string
  /** Expiry, epoch ms. */
  readonly exp: number
  /** Locale of the message (the unsubscribe page's language). */
  readonly l?: string
}

/** A token checked: its claims, or why it was refused. */
export type MessageLinkCheck =
  | { readonly ok: true; readonly claims: MessageLinkClaims }
  | { readonly ok: false; readonly reason: 'malformed' | 'forged' | 'expired' }

/** The link secret: text (at least 32 characters) or raw bytes (at least 32). */
export type MessageLinkSecret = string | Uint8Array

// Core's lib is plain ES2022 (no DOM, no Node types): the Web Crypto and encoding built-ins every
// supported runtime has (Node >= 20, Bun, Deno, workers, browsers) are declared here, minimally.
type HmacKey = { readonly type: string }
declare const crypto: {
  readonly subtle: {
    importKey(
      format: 'raw',
      key: Uint8Array,
      algorithm: { name: 'HMAC'; hash: 'SHA-256' },
      extractable: false,
      usages: readonly string[],
    ): Promise<HmacKey>
    sign(algorithm: 'HMAC', key: HmacKey, data: Uint8Array): Promise<ArrayBuffer>
    verify(algorithm: 'HMAC', key: HmacKey, signature: Uint8Array, data: Uint8Array): Promise<boolean>
  }
}
declare const TextEncoder: new () => { encode(text: string): Uint8Array }
declare const TextDecoder: new (label: 'utf-8', options: { fatal: boolean }) => { decode(bytes: Uint8Array): string }
declare function btoa(binary: string): string
declare function atob(base64: string): string

// Made on first use, not at import: nothing in core runs at import time.
let textEncoder: { encode(text: string): Uint8Array } | undefined
const encoder = { encode: (text: string): Uint8Array => (textEncoder ??= new TextEncoder()).encode(text) }
const keys = new Map<string, Promise<HmacKey>>()

function keyOf(secret: MessageLinkSecret): Promise<HmacKey> {
  const bytes = typeof secret === 'string' ? encoder.encode(secret) : secret
  if (bytes.length < 32) throw new TypeError(`message link secret: expected at least 32 bytes, got ${bytes.length}`)
  const id = typeof secret === 'string' ? `s:${secret}` : `b:${toBase64Url(bytes)}`
  let key = keys.get(id)
  if (key === undefined) {
    key = crypto.subtle.importKey('raw', bytes, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify'])
    keys.set(id, key)
  }
  return key
}

/**
 * Signs claims into a URL-safe token `<payload>.<signature>` (both base64url).
 *
 * @example
 * const token = await signMessageLink({ m: 'f-1:0', c: 'c-1', k: 'click', u: 'https://shop.example/sale', exp: Date.now() + 90 * 86_400_000 }, secret)
 */
export async function signMessageLink(claims: MessageLinkClaims, secret: MessageLinkSecret): Promise<string> {
  const payload = toBase64Url(encoder.encode(JSON.stringify(claims)))
  const signature = new Uint8Array(await crypto.subtle.sign('HMAC', await keyOf(secret), encoder.encode(payload)))
  return `${payload}.${toBase64Url(signature)}`
}

/**
 * Checks a token at `now` (epoch ms): `malformed` when it is not a token at all, `forged` when the
 * signature does not match the secret (Web Crypto's verify compares in constant time), `expired`
 * past `exp`. Never throws for a bad token.
 */
export async function verifyMessageLink(
  token: string,
  secret: MessageLinkSecret,
  now: number,
): Promise<MessageLinkCheck> {
  const parts = token.split('.')
  const signature = parts.length === 2 ? fromBase64Url(parts[1] as string) : null
  if (signature === null || signature.length !== 32) return { ok: false, reason: 'malformed' }
  const payload = parts[0] as string
  const valid = await crypto.subtle.verify('HMAC', await keyOf(secret), signature, encoder.encode(payload))
  if (!valid) return { ok: false, reason: 'forged' }
  const claims = parseClaims(payload)
  // A signed but unreadable payload is our own bug, not an attack: still refused as malformed.
  if (claims === null) return { ok: false, reason: 'malformed' }
  return claims.exp <= now ? { ok: false, reason: 'expired' } : { ok: true, claims }
}

function parseClaims(payload: string): MessageLinkClaims | null {
  const bytes = fromBase64Url(payload)
  if (bytes === null) return null
  let value: unknown
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes))
  } catch {
    return null
  }
  if (typeof value !== 'object' || value === null) return null
  const claims = value as Record<string, unknown>
  const kindOk = claims['k'] === 'open' || claims['k'] === 'click' || claims['k'] === 'unsubscribe'
  const optionalText = (name: string): boolean => claims[name] === undefined || typeof claims[name] === 'string'
  if (
    typeof claims['m'] !== 'string' ||
    typeof claims['c'] !== 'string' ||
    !kindOk ||
    typeof claims['exp'] !== 'number' ||
    !optionalText('u') ||
    !optionalText('l')
  )
    return null
  return claims as unknown as MessageLinkClaims
}

/** Bytes as base64url without padding (RFC 4648 §5). */
function toBase64Url(bytes: Uint8Array): string {
  let binary = ''
  for (const byte of bytes) binary += String.fromCharCode(byte)
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
}

function fromBase64Url(text: string): Uint8Array | null {
  if (!/^[A-Za-z0-9_-]*$/.test(text) || text.length % 4 === 1) return null
  const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'))
  return Uint8Array.from(binary, (char) => char.charCodeAt(0))
}
