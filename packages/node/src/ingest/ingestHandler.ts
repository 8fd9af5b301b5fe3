import type { EcrmEvent } from '@ecrm/core'
import { EcrmError } from '@ecrm/core'
import { parseJsonSafely, validateBatch, validateEvent } from '../coreImports.js'
import type { Store } from '../store/storeTypes.js'
import { createRateLimiter } from './rateLimiter.js'
import type { RateLimitOptions } from './rateLimiter.js'
import { readBodyLimited } from './readBody.js'
import { corsHeaders, isOriginAllowed, preflightHeaders, writeKeyFromBasicAuth } from './requestAuth.js'
import type { AllowedOrigins } from './requestAuth.js'
import { errorResponse, jsonResponse } from './responses.js'
import type { IngestSuccessBody, RejectedEvent } from './responses.js'

/** Options of {@link createIngestHandler}. */
export interface IngestHandlerOptions {
  /** Where accepted events go (and, with `exposeSegments`, where the visitor's profile is read). */
  readonly store: Pick<Store, 'insertEvents'> & Partial<Pick<Store, 'getProfile'>>
  /** The write keys accepted (or a check); anything else gets 401. */
  readonly writeKeys: readonly string[] | ((writeKey: string) => boolean | Promise<boolean>)
  /**
   * Origins browsers may send from (e.g. `['https://shop.example']`); other origins get 403.
   * Requests without an `Origin` header (servers) are not affected. @default '*' (any origin)
   */
  readonly allowedOrigins?: AllowedOrigins
  /** Largest request body, in bytes; larger gets 413. @default 512_000 */
  readonly maxBodyBytes?: number
  /** Per write key + client IP token bucket; over it gets 429 with Retry-After. @default no limit */
  readonly rateLimit?: RateLimitOptions
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
  const { store, writeKeys, allowedOrigins = '*', maxBodyBytes = 512_000, trustProxy = false } = options
  const now = options.now ?? Date.now
  if (Array.isArray(writeKeys) && writeKeys.length === 0) {
    throw new EcrmError('invalid_options', 'createIngestHandler() failed: writeKeys (give at least one write key)')
  }
  const isKnownKey =
    typeof writeKeys === 'function' ? writeKeys : (key: string) => (writeKeys as readonly string[]).includes(key)
  const limit = options.rateLimit === undefined ? undefined : createRateLimiter(options.rateLimit, now)
  const exposed = new Set(options.exposeSegments ?? [])
  if (exposed.size > 0 && store.getProfile === undefined) {
    throw new EcrmError('invalid_options', 'createIngestHandler() failed: exposeSegments (the store has no getProfile to read segments from)')
  }

  return async (request, info = {}) => {
    const origin = request.headers.get('origin')
    const cors = corsHeaders(origin, allowedOrigins)
    const fail = (status: number, code: string, message: string, detail: Record<string, unknown> = {}, headers = {}): Response =>
      errorResponse(status, code, message, detail, { ...cors, ...headers })
    const route = /\/v1\/([a-z]+)\/?$/.exec(new URL(request.url).pathname)?.[1]
    if (route === undefined || !ROUTES.has(route)) {
      return fail(404, 'not_found', `No ingest route at ${new URL(request.url).pathname} (POST to /v1/batch, /v1/track, /v1/identify, /v1/page, /v1/screen, /v1/group or /v1/alias)`)
    }
    if (origin !== null && !isOriginAllowed(origin, allowedOrigins)) {
      return fail(403, 'origin_not_allowed', `Origin ${origin} may not send events (add it to allowedOrigins)`)
    }
    if (request.method === 'OPTIONS' && origin !== null) {
      return new Response(null, { status: 204, headers: preflightHeaders(origin, allowedOrigins) })
    }
    if (request.method !== 'POST') {
      return fail(405, 'method_not_allowed', `${request.method} is not supported here (send a POST)`, {}, { allow: 'POST, OPTIONS' })
    }
    const mediaType = (request.headers.get('content-type') ?? '').split(';')[0]?.trim().toLowerCase() ?? ''
    if (mediaType !== 'application/json' && mediaType !== 'text/plain') {
      return fail(415, 'unsupported_media_type', `Content-Type ${mediaType === '' ? '(none)' : mediaType} is not accepted (send application/json or text/plain holding JSON)`)
    }
    // A key in the header can be checked before the body costs anything to read.
    const headerKey = writeKeyFromBasicAuth(request.headers.get('authorization'))
    const clientIp = (trustProxy ? request.headers.get('x-forwarded-for')?.split(',')[0]?.trim() : undefined) ?? info.clientIp ?? 'unknown'
    const admit = async (key: string | undefined): Promise<Response | undefined> => {
      if (key === undefined) return fail(401, 'missing_write_key', 'No write key (send it as Basic auth user name, or as "writeKey" in the body)')
      if (!(await isKnownKey(key))) return fail(401, 'invalid_write_key', 'Unknown write key (check the key of this source)')
      const decision = limit?.(`${key}\u0000${clientIp}`)
      if (decision !== undefined && !decision.ok) {
        return fail(429, 'rate_limited', `Too many requests for this write key from ${clientIp} (retry in ${decision.retryAfterSeconds} s)`, { retryAfterSeconds: decision.retryAfterSeconds }, { 'retry-after': String(decision.retryAfterSeconds) })
      }
      return undefined
    }
    if (headerKey !== undefined) {
      const refused = await admit(headerKey)
      if (refused !== undefined) return refused
    }
    const body = await readBodyLimited(request, maxBodyBytes)
    if (!body.ok) {
      return fail(413, 'payload_too_large', `Body of ${body.bytes} bytes or more is over the limit of ${maxBodyBytes} bytes (send smaller batches)`, { limitBytes: maxBodyBytes }, { connection: 'close' })
    }
    const parsed = parseJsonSafely(body.text)
    if (!parsed.ok) {
      return fail(400, 'invalid_json', `Malformed JSON body: ${parsed.message}`, { position: parsed.position, line: parsed.line, column: parsed.column })
    }
    const value = parsed.value
    const bodyKey = isRecord(value) && typeof value['writeKey'] === 'string' ? value['writeKey'] : undefined
    if (headerKey === undefined) {
      const refused = await admit(bodyKey)
      if (refused !== undefined) return refused
    }
    const checked = route === 'batch' ? checkBatch(value) : checkSingle(route, value)
    if ('issues' in checked) {
      return fail(400, 'invalid_body', `The body is not a valid ${route} request (see issues)`, { issues: checked.issues })
    }
    const { events, rejected } = checked
    if (events.length === 0) {
      return fail(400, 'invalid_events', `None of the ${rejected.length} event(s) is valid (see rejected)`, { rejected })
    }
    const receivedAt = new Date(now()).toISOString()
    const stamped = events.map((event) => ({ ...event, receivedAt }))
    let result
    try {
      result = await (options.onEvents === undefined ? store.insertEvents(stamped) : store.insertEvents(stamped, { returnStored: true }))
    } catch (error) {
      options.onError?.(error)
      return fail(503, 'store_unavailable', 'The events could not be stored right now (retry later)', {}, { 'retry-after': '5' })
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
    const answer: IngestSuccessBody = { success: true, accepted: result.inserted, duplicates: result.duplicates, rejected }
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

type Checked = { events: EcrmEvent[]; rejected: RejectedEvent[] } | { issues: readonly unknown[] }

function checkBatch(value: unknown): Checked {
  const result = validateBatch(value)
  if (result.issues.length > 0) return { issues: result.issues }
  return { events: result.events.map(({ event }) => event), rejected: result.invalid }
}

function checkSingle(route: string, value: unknown): Checked {
  if (!isRecord(value)) {
    return { issues: [{ path: [], code: 'invalid_type', message: `expected a ${route} event object` }] }
  }
  // The route names the type; the body's writeKey is a credential, not event data.
  const { writeKey: _key, ...event } = value
  if (event['type'] !== undefined && event['type'] !== route) {
    return { events: [], rejected: [{ index: 0, issues: [{ path: ['type'], code: 'type_mismatch', message: `type "${String(event['type'])}" was sent to /v1/${route}` }] }] }
  }
  const result = validateEvent({ ...event, type: route })
  return result.ok ? { events: [result.event], rejected: [] } : { events: [], rejected: [{ index: 0, issues: result.issues }] }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
