import type { Clock } from '../ports.js'
import { classifyOutcome } from '../pipeline/retryPolicy.js'
import type {
  AccessToken,
  DestinationAuth,
  DestinationOutcome,
  DestinationRequest,
  DestinationSender,
  SendableRequest,
} from './destinationTypes.js'

/** Options of {@link createTokenSource}. */
export interface TokenSourceOptions {
  readonly auth: Extract<DestinationAuth, { kind: 'oauth2' }>
  readonly sender: DestinationSender
  readonly clock: Clock
  /** Token request timeout, in ms. @default 10_000 */
  readonly timeoutMs?: number
  /** Renew this long before `expiresAt`, so no request leaves with a token about to expire, in ms. @default 60_000 */
  readonly renewBeforeMs?: number
}

/** A token, or why there is none (the batch waiting on it is retried). */
export type TokenResult =
  | { readonly ok: true; readonly token: AccessToken }
  | { readonly ok: false; readonly reason: string; readonly retryAfterMs?: number }

/** Hands out a valid access token, fetching and renewing it as needed. */
export interface TokenSource {
  /** The cached token while it is good, else a fresh one. Concurrent calls share one fetch. */
  readonly get: () => Promise<TokenResult>
  /** Forgets the cached token (the vendor refused it); the next `get` fetches a new one. */
  readonly invalidate: () => void
  /** Token requests made so far. */
  readonly requests: () => number
}

/**
 * Caches an OAuth 2.0 access token (RFC 6749 §5.1: `access_token`, `expires_in`) and renews it
 * before it expires, or when the vendor refuses it ({@link TokenSource.invalidate}). A token
 * without a lifetime (Salesforce answers none) is kept until refused.
 *
 * @example
 * const tokens = createTokenSource({ auth: destination.auth, sender, clock })
 * const result = await tokens.get()
 */
export function createTokenSource(options: TokenSourceOptions): TokenSource {
  const { auth, sender, clock } = options
  const timeoutMs = options.timeoutMs ?? 10_000
  const renewBeforeMs = options.renewBeforeMs ?? 60_000
  let cached: AccessToken | undefined
  let inFlight: Promise<TokenResult> | undefined
  let count = 0

  const isFresh = (token: AccessToken): boolean =>
    token.expiresAt === undefined || clock.now() < token.expiresAt - renewBeforeMs

  const fetchToken = async (): Promise<TokenResult> => {
    count += 1
    const request = toSendable(auth.tokenRequest(), timeoutMs)
    let outcome: DestinationOutcome
    try {
      outcome = await sender.send(request)
    } catch (cause) {
      outcome = { type: 'network-error' as const, cause }
    }
    const now = clock.now()
    if (outcome.type === 'response' && outcome.status >= 200 && outcome.status < 300) {
      const token = auth.parseToken(outcome.body, now)
      if (token !== undefined) {
        cached = token
        return { ok: true, token }
      }
      return { ok: false, reason: `token endpoint ${request.url} answered ${outcome.status} without an access_token` }
    }
    const verdict = classifyOutcome(outcome, now)
    const detail =
      outcome.type === 'response' ? `status ${outcome.status}: ${outcome.body.slice(0, 200)}` : outcome.type
    const reason = `fetching an access token failed: POST ${request.url} (${detail}; check the client id, secret or refresh token)`
    return verdict.kind === 'retry' && verdict.retryAfterMs !== undefined
      ? { ok: false, reason, retryAfterMs: verdict.retryAfterMs }
      : { ok: false, reason }
  }

  return {
    async get() {
      if (cached !== undefined && isFresh(cached)) return { ok: true, token: cached }
      inFlight ??= fetchToken().finally(() => {
        inFlight = undefined
      })
      return inFlight
    },
    invalidate() {
      cached = undefined
    },
    requests: () => count,
  }
}

/** A request with its defaults filled in, for the sender. */
export function toSendable(request: DestinationRequest, timeoutMs: number): SendableRequest {
  const sendable: SendableRequest = {
    method: request.method,
    url: request.url,
    headers: request.headers ?? {},
    timeoutMs,
  }
  return request.body === undefined ? sendable : { ...sendable, body: request.body }
}

/** The OAuth 2.0 token request: a form-encoded POST of `fields` to `url` (RFC 6749 §4.4.2, §6). */
export function formTokenRequest(url: string, fields: Readonly<Record<string, string>>): DestinationRequest {
  return {
    method: 'POST',
    url,
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
    body: encodeForm(fields),
  }
}

/** `application/x-www-form-urlencoded` text of a record (the OAuth token request body, RFC 6749 §4.4.2). */
export function encodeForm(fields: Readonly<Record<string, string>>): string {
  return Object.entries(fields)
    .map(([key, value]) => `${encodeURIComponent(key)}=${encodeURIComponent(value)}`)
    .join('&')
}

/**
 * Reads a standard OAuth 2.0 token answer (`access_token`, optional `expires_in` seconds) plus
 * the vendor's API base field, if named.
 */
export function parseOAuthToken(body: string, now: number, instanceField?: string): AccessToken | undefined {
  let json: unknown
  try {
    json = JSON.parse(body)
  } catch {
    return undefined
  }
  if (typeof json !== 'object' || json === null) return undefined
  const record = json as Record<string, unknown>
  if (typeof record.access_token !== 'string' || record.access_token === '') return undefined
  const expiresIn = Number(record.expires_in)
  const instance = instanceField === undefined ? undefined : record[instanceField]
  return {
    accessToken: record.access_token,
    ...(Number.isFinite(expiresIn) && expiresIn > 0 ? { expiresAt: now + expiresIn * 1000 } : {}),
    ...(typeof instance === 'string' && instance !== '' ? { instanceUrl: instance.replace(/\/+$/, '') } : {}),
  }
}

/** Joins a relative path to a base URL; absolute URLs pass through. */
export function resolveUrl(base: string, url: string): string {
  return /^https?:\/\//i.test(url) ? url : `${base.replace(/\/+$/, '')}${url}`
}
