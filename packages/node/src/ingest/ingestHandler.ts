import type { EcrmEvent } from '@ecrm/core'
import { EcrmError } from '@ecrm/core'
import { parseJsonSafely, validateBatch, validateEvent } from '../coreImports.js'
import type { Store } from '../store/storeTypes.js'
import { createKeyMatcher } from './keyMatcher.js'
import { createRateLimiter } from './rateLimiter.js'
import type { RateLimiter, RateLimitOptions } from './rateLimiter.js'
import { readBodyLimited } from './readBody.js'
import { corsHeaders, isOriginAllowed, keyFromAuthorization, preflightHeaders } from './requestAuth.js'
import { createUserHashCheck } from './userHash.js'
import type { AllowedOrigins } from './requestAuth.js'
import { errorResponse, jsonResponse } from './responses.js'
import type { IngestSuccessBody, RejectedEvent } from './responses.js'

/** Options of {@link createIngestHandler}. */
export interface IngestHandlerOptions {
  /** Where accepted events go (and, with `exposeSegments`, where the visitor's profile is read). */
  readonly store: Pick<Store, 'insertEvents'> & Partial<Pick<Store, 'getProfile'>>
  /**
   * The public write keys accepted (or a check); anything else gets 401. A write key is in every
   * visitor's browser, so what it may do is limited: its events act on their own device only
   * (see `secretKeys` and `identitySecrets`).
   */
  readonly writeKeys: readonly string[] | ((writeKey: string) => boolean | Promise<boolean>)
  /**
   * Secret keys, for the shop's servers only, sent in the `Authorization` header (Basic auth user
   * name, or `Bearer <key>`), never in a body. Their events are trusted: an erasure by userId, a
   * merge of two identified customers, an alias of user ids. Exempt from the rate limits.
   * @default none
   */
  readonly secretKeys?: readonly string[]
  /**
   * Identity verification secrets: an event sent with a write key whose `context.userHash` is
   * the HMAC-SHA256 of its userId under one of them ({@link signUserId}) is trusted as a
   * secret key's is. The hash is checked, then left out of what is stored. More than one: rotation.
   * @default none (no write-key event is trusted)
   */
  readonly identitySecrets?: readonly string[]
  /**
   * Origins browsers may send from (e.g. `['https://shop.example']`); other origins get 403.
   * Requests without an `Origin` header (servers) are not affected. @default '*' (any origin)
   */
  readonly allowedOrigins?: AllowedOrigins
  /** Largest request body, in bytes; larger gets 413. @default 512_000 */
  readonly maxBodyBytes?: number
  /** Per write key + client IP token bucket; over it gets 429 with Retry-After. @default no limit */
  readonly rateLimit?: RateLimitOptions
  /**
   * A bound on the customers a write key's events may create (ids never seen before), per key
   * and per key + client IP, a minute each: over it, requests get 429 with Retry-After until the
   * budget refills. Counted after each request is stored, so concurrent requests may overshoot
   * by a batch each. @default no limit
   */
  readonly newCustomerLimit?: NewCustomerLimit
  /** Take the client IP from the first `X-Forwarded-For` entry (only behind a proxy you run). @default false */
  readonly trustProxy?: boolean
  /** Epoch ms, for `receivedAt` and the rate limit. @default Date.now */
  readonly now?: () => number
  /** Told about store failures (answered 503, so clients retry) and `onEvents` failures. @default silent */
  readonly onError?: (error: unknown) => void
  /**
   * Called with the events this request stored for the first time (duplicates and erased ones
   * left out), after the store committed them and before the answer is sent, e.g. a rule
   * runner's `processEvents`. It never fails the request: what it throws goes to `onError`.
   * @default none
   */
  readonly onEvents?: (events: readonly EcrmEvent[]) => unknown
  /**
   * Segment ids (named or RFM, e.g. `['vip', 'champions']`) the answer to a batch may name: the
   * batch's last visitor gets `segments` with those of theirs that are in this list, so on-site
   * rules can use server segments; no other segment is ever exposed. @default none (no `segments`)
   */
  readonly exposeSegments?: readonly string[]
}

/** Customers a write key may create a minute (see {@link IngestHandlerOptions.newCustomerLimit}). */
export interface NewCustomerLimit {
  /** New customers a minute per write key, from all IPs together. @default no limit */
  readonly perKeyPerMinute?: number
  /** New customers a minute per write key and client IP. @default no limit */
  readonly perIpPerMinute?: number
}

/** What the handler knows about the connection that a `Request` does not carry. */
export interface ConnectionInfo {
  /** The peer's IP address (from the socket). */
  readonly clientIp?: string
}

/** A standard fetch-style handler: Node (via {@link toNodeListener}), Deno, Bun, workers, Hono... */
export type IngestHandler = (request: Request, info?: ConnectionInfo) => Promise<Response>

const ROUTES = new Set(['batch', 'track', 'identify', 'page', 'screen', 'group', 'alias'])

/**
 * Creates the collector endpoint for Segment-compatible clients: `POST /v1/batch` and the single
 * event routes `/v1/track`, `/identify`, `/page`, `/screen`, `/group`, `/alias` (under any path
 * prefix). Accepts `application/json` and `text/plain` (sendBeacon, CORS-simple requests) bodies,
 * the write key from Basic auth or the body's `writeKey`, validates each event on its own (a batch
 * with some invalid events stores the valid ones and lists the others by index and path), sets
 * `receivedAt`, and stores through `store`, which dedupes by `messageId`.
 *
 * Stateless apart from the in-process rate-limit buckets: run as many copies as you need.
 * Every refusal is a JSON body `{ error: { code, message, ... } }`.
 *
 * @example
 * const store = await createPgliteStore('.ecrm-data')
 * const ingest = createIngestHandler({ store, writeKeys: ['WRITE_KEY'] })
 * http.createServer(toNodeListener(ingest)).listen(8080)
 */
export function createIngestHandler(options: IngestHandlerOptions): IngestHandler {
  const {
    store,
    writeKeys,
    allowedOrigins = '*',
    maxBodyBytes = 512_000,
    trustProxy = false,
    secretKeys = [],
    identitySecrets = [],
  } = options
  const now = options.now ?? Date.now
  if (Array.isArray(writeKeys) && writeKeys.length === 0) {
    throw new EcrmError('invalid_options', 'createIngestHandler() failed: writeKeys (give at least one write key)')
  }
  if (Array.isArray(writeKeys) && secretKeys.some((key) => (writeKeys as readonly string[]).includes(key))) {
    throw new EcrmError(
      'invalid_options',
      'createIngestHandler() failed: secretKeys (a key is both a public write key and a secret key; give the servers a key of their own)',
    )
  }
  const isKnownKey = typeof writeKeys === 'function' ? writeKeys : createKeyMatcher(writeKeys)
  const isSecretKey = secretKeys.length === 0 ? undefined : createKeyMatcher(secretKeys)
  const isVerifiedUser = identitySecrets.length === 0 ? undefined : createUserHashCheck(identitySecrets)
  const limit = options.rateLimit === undefined ? undefined : createRateLimiter(options.rateLimit, now)
  const exposed = new Set(options.exposeSegments ?? [])
  if (exposed.size > 0 && store.getProfile === undefined) {
    throw new EcrmError(
      'invalid_options',
      'createIngestHandler() failed: exposeSegments (the store has no getProfile to read segments from)',
    )
  }
  const perMinute = (count: number | undefined): RateLimiter | undefined =>
    count === undefined ? undefined : createRateLimiter({ requestsPerSecond: count / 60, burst: count }, now)
  const newPerKey = perMinute(options.newCustomerLimit?.perKeyPerMinute)
  const newPerIp = perMinute(options.newCustomerLimit?.perIpPerMinute)

  return async (request, info = {}) => {
    const origin = request.headers.get('origin')
    const cors = corsHeaders(origin, allowedOrigins)
    const fail = (
      status: number,
      code: string,
      message: string,
      detail: Record<string, unknown> = {},
      headers = {},
    ): Response => errorResponse(status, code, message, detail, { ...cors, ...headers })
    const route = /\/v1\/([a-z]+)\/?$/.exec(new URL(request.url).pathname)?.[1]
    if (route === undefined || !ROUTES.has(route)) {
      return fail(
        404,
        'not_found',
        `No ingest route at ${new URL(request.url).pathname} (POST to /v1/batch, /v1/track, /v1/identify, /v1/page, /v1/screen, /v1/group or /v1/alias)`,
      )
    }
    if (origin !== null && !isOriginAllowed(origin, allowedOrigins)) {
      return fail(403, 'origin_not_allowed', `Origin ${origin} may not send events (add it to allowedOrigins)`)
    }
    if (request.method === 'OPTIONS' && origin !== null) {
      return new Response(null, {
        status: 204,
        headers: { ...preflightHeaders(origin, allowedOrigins), 'x-content-type-options': 'nosniff' },
      })
    }
    if (request.method !== 'POST') {
      return fail(
        405,
        'method_not_allowed',
        `${request.method} is not supported here (send a POST)`,
        {},
        { allow: 'POST, OPTIONS' },
      )
    }
    const mediaType = (request.headers.get('content-type') ?? '').split(';')[0]?.trim().toLowerCase() ?? ''
    if (mediaType !== 'application/json' && mediaType !== 'text/plain') {
      return fail(
        415,
        'unsupported_media_type',
        `Content-Type ${mediaType === '' ? '(none)' : mediaType} is not accepted (send application/json or text/plain holding JSON)`,
      )
    }
    // A key in the header can be checked before the body costs anything to read.
    const headerKey = keyFromAuthorization(request.headers.get('authorization'))
    const clientIp =
      (trustProxy ? request.headers.get('x-forwarded-for')?.split(',')[0]?.trim() : undefined) ??
      info.clientIp ??
      'unknown'
    const tooMany = (code: string, what: string, retryAfterSeconds: number): Response =>
      fail(
        429,
        code,
        `${what} for this write key from ${clientIp} (retry in ${retryAfterSeconds} s)`,
        { retryAfterSeconds },
        { 'retry-after': String(retryAfterSeconds) },
      )
    let isTrustedKey = false
    const admit = async (key: string | undefined, isHeader: boolean): Promise<Response | undefined> => {
      if (key === undefined)
        return fail(
          401,
          'missing_write_key',
          'No write key (send it as Basic auth user name, or as "writeKey" in the body)',
        )
      // A secret key counts only in the header: a body is what browsers send.
      if (isHeader && (await isSecretKey?.(key)) === true) {
        isTrustedKey = true
        return undefined
      }
      if (!(await isKnownKey(key)))
        return fail(401, 'invalid_write_key', 'Unknown write key (check the key of this source)')
      const decision = limit?.take(`${key}\u0000${clientIp}`)
      if (decision !== undefined && !decision.ok)
        return tooMany('rate_limited', 'Too many requests', decision.retryAfterSeconds)
      for (const bucket of [newPerKey?.check(key), newPerIp?.check(`${key}\u0000${clientIp}`)]) {
        if (bucket !== undefined && !bucket.ok)
          return tooMany('new_customer_limit', 'Too many new customers', bucket.retryAfterSeconds)
      }
      return undefined
    }
    if (headerKey !== undefined) {
      const refused = await admit(headerKey, true)
      if (refused !== undefined) return refused
    }
    const body = await readBodyLimited(request, maxBodyBytes)
    if (!body.ok) {
      return fail(
        413,
        'payload_too_large',
        `Body of ${body.bytes} bytes or more is over the limit of ${maxBodyBytes} bytes (send smaller batches)`,
        { limitBytes: maxBodyBytes },
        { connection: 'close' },
      )
    }
    const parsed = parseJsonSafely(body.text)
    if (!parsed.ok) {
      return fail(400, 'invalid_json', `Malformed JSON body: ${parsed.message}`, {
        position: parsed.position,
        line: parsed.line,
        column: parsed.column,
      })
    }
    const value = parsed.value
    const bodyKey = isRecord(value) && typeof value['writeKey'] === 'string' ? value['writeKey'] : undefined
    const writeKey = headerKey ?? bodyKey
    if (headerKey === undefined) {
      const refused = await admit(bodyKey, false)
      if (refused !== undefined) return refused
    }
    const checked = route === 'batch' ? checkBatch(value) : checkSingle(route, value)
    if ('issues' in checked) {
      return fail(400, 'invalid_body', `The body is not a valid ${route} request (see issues)`, {
        issues: checked.issues,
      })
    }
    const { events, rejected } = checked
    if (events.length === 0) {
      return fail(400, 'invalid_events', `None of the ${rejected.length} event(s) is valid (see rejected)`, {
        rejected,
      })
    }
    const receivedAt = new Date(now()).toISOString()
    const indexOf = new Map<EcrmEvent, number>()
    const trusted = new Set<EcrmEvent>()
    for (const { index, event } of events) {
      const stamped = stamp(event, receivedAt)
      indexOf.set(stamped, index)
      const userHash = event.context?.userHash
      const isVerified =
        !isTrustedKey &&
        typeof userHash === 'string' &&
        event.userId !== undefined &&
        (await isVerifiedUser?.(event.userId, userHash)) === true
      if (isTrustedKey || isVerified) trusted.add(stamped)
    }
    const stamped = [...indexOf.keys()]
    let result: Awaited<ReturnType<Store['insertEvents']>>
    try {
      result = await store.insertEvents(stamped, {
        isTrusted: (event) => trusted.has(event),
        ...(options.onEvents === undefined ? {} : { returnStored: true }),
      })
    } catch (error) {
      options.onError?.(error)
      return fail(
        503,
        'store_unavailable',
        'The events could not be stored right now (retry later)',
        {},
        { 'retry-after': '5' },
      )
    }
    if (!isTrustedKey && writeKey !== undefined) {
      newPerKey?.charge(writeKey, result.customersCreated ?? 0)
      newPerIp?.charge(`${writeKey}\u0000${clientIp}`, result.customersCreated ?? 0)
    }
    for (const { event, issue } of result.refused ?? []) {
      const index = indexOf.get(event) ?? 0
      rejected.push({
        index,
        issues: [{ ...issue, path: route === 'batch' ? ['batch', index, ...issue.path] : issue.path }],
      })
    }
    rejected.sort((a, b) => a.index - b.index)
    if (result.inserted + result.duplicates === 0) {
      return fail(400, 'invalid_events', `None of the ${rejected.length} event(s) could be stored (see rejected)`, {
        rejected,
      })
    }
    if (options.onEvents !== undefined) {
      // A store without `stored` (a custom one): only a batch with no duplicate is known to be new.
      const fresh = result.stored ?? (result.duplicates === 0 ? stamped : [])
      try {
        if (fresh.length > 0) await options.onEvents(fresh)
      } catch (error) {
        options.onError?.(error)
      }
    }
    const answer: IngestSuccessBody = {
      success: true,
      accepted: result.inserted,
      duplicates: result.duplicates,
      rejected,
    }
    const segments = exposed.size === 0 ? undefined : await visitorSegments(store, stamped, exposed, options.onError)
    return jsonResponse(200, segments === undefined ? answer : { ...answer, segments }, cors)
  }
}

/** The allowed segments of the batch's last visitor (user id first), or undefined when unknown. */
async function visitorSegments(
  store: Partial<Pick<Store, 'getProfile'>>,
  events: readonly EcrmEvent[],
  exposed: ReadonlySet<string>,
  onError: ((error: unknown) => void) | undefined,
): Promise<string[] | undefined> {
  const last = events[events.length - 1]
  const id = last?.userId ?? last?.anonymousId
  if (id === undefined) return undefined
  try {
    const profile = await store.getProfile?.(id)
    if (profile === undefined) return []
    const mine = [...(profile.segments ?? []), ...(profile.rfm === undefined ? [] : [profile.rfm.segment])]
    return [...new Set(mine.filter((segment) => exposed.has(segment)))].sort()
  } catch (error) {
    // The events are stored; an answer without segments is still a true answer.
    onError?.(error)
    return undefined
  }
}

type Checked =
  | { events: { index: number; event: EcrmEvent }[]; rejected: RejectedEvent[] }
  | { issues: readonly unknown[] }

function checkBatch(value: unknown): Checked {
  const result = validateBatch(value)
  if (result.issues.length > 0) return { issues: result.issues }
  return { events: result.events.map(({ index, event }) => ({ index, event })), rejected: [...result.invalid] }
}

/**
 * The event as stored: `receivedAt` set, and `context.userHash` left out (it vouches for the
 * user to this collector forever, so it is a credential, not data to keep or forward).
 */
function stamp(event: EcrmEvent, receivedAt: string): EcrmEvent {
  if (event.context?.userHash === undefined) return { ...event, receivedAt }
  const { userHash: _hash, ...context } = event.context
  return { ...event, context, receivedAt }
}

function checkSingle(route: string, value: unknown): Checked {
  if (!isRecord(value)) {
    return { issues: [{ path: [], code: 'invalid_type', message: `expected a ${route} event object` }] }
  }
  // The route names the type; the body's writeKey is a credential, not event data.
  const { writeKey: _key, ...event } = value
  if (event['type'] !== undefined && event['type'] !== route) {
    return {
      events: [],
      rejected: [
        {
          index: 0,
          issues: [
            {
              path: ['type'],
              code: 'type_mismatch',
              message: `type "${String(event['type'])}" was sent to /v1/${route}`,
            },
          ],
        },
      ],
    }
  }
  const result = validateEvent({ ...event, type: route })
  return result.ok
    ? { events: [{ index: 0, event: result.event }], rejected: [] }
    : { events: [], rejected: [{ index: 0, issues: result.issues }] }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
