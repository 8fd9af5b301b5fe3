import { defaultRfmSegments, EcrmError, EcrmValidationError, toValidationIssues } from '@ecrm/core'
import type { ValidationIssue } from '@ecrm/core'
import { parseJsonSafely } from '../coreImports.js'
import { readBodyLimited } from '../ingest/readBody.js'
import { errorResponse, jsonResponse } from '../ingest/responses.js'
import type { Store } from '../store/storeTypes.js'
import { decodeCursor, encodeCursor, parseIdSegment } from './readApiInput.js'
import { readApiOpenApi } from './readApiOpenApi.js'
import { queryKpis } from '../kpis/queryKpis.js'
import { kpisQuerySchema, membersQuerySchema, previewRequestSchema } from './readApiSchemas.js'
import { membersOf, toProfileView } from './readApiViews.js'
import { bearerToken, createKeyCheck } from './secretKeyAuth.js'

/** A named segment as the config defines it (`segments` of `ecrm.config.json`). */
export interface ReadApiSegmentDefinition {
  readonly name: string
  readonly description?: string | undefined
  /** Its JsonLogic condition, shown by `GET /v1/segments`. */
  readonly when: unknown
}

/** Options of {@link createReadApiHandler}. */
export interface ReadApiHandlerOptions {
  /** Where profiles and segments are read. */
  readonly store: Pick<Store, 'getProfile' | 'segment' | 'countSegment' | 'query'>
  /** The secret keys accepted as `Authorization: Bearer <key>`; anything else gets 401. */
  readonly secretKeys: readonly string[]
  /**
   * The collector's write keys: refused here with a message that says so (they ship in pages and
   * apps, so they are public). A secret key equal to one of them is refused at creation. @default []
   */
  readonly writeKeys?: readonly string[]
  /** Named segments by id, listed beside the RFM segments. @default none */
  readonly segments?: Readonly<Record<string, ReadApiSegmentDefinition>>
  /** The RFM segments listed (ids and labels). @default defaultRfmSegments */
  readonly rfmSegments?: readonly { readonly id: string; readonly label: string }[]
  /** Largest preview body, in bytes; larger gets 413. @default 65_536 */
  readonly maxBodyBytes?: number
  /** Epoch ms: the evaluation time of previews that give none. @default Date.now */
  readonly now?: () => number
  /** Told about store failures (answered 503). @default silent */
  readonly onError?: (error: unknown) => void
}

/** A fetch-style handler, like the ingest handler: `(Request) => Promise<Response>`. */
export type ReadApiHandler = (request: Request) => Promise<Response>

const ROUTE = /\/v1\/(?:(openapi\.json)|(kpis)|profiles\/([^/]+)|segments(?:\/(preview)|\/([^/]+)\/(members))?)\/?$/

/**
 * Creates the read API: `GET /v1/profiles/:id` (customer id, userId, anonymousId or email; with
 * RFM, lead, CLV, segments), `GET /v1/segments` (named and RFM), `GET /v1/segments/:id/members`
 * (keyset pagination: `?limit=&after=<next>`), `POST /v1/segments/preview` (JsonLogic → count and
 * a sample, compiled to SQL), `GET /v1/kpis?from=&to=&segment=` (every KPI of `queryKpis`, computed in
 * the database) and `GET /v1/openapi.json` (the OpenAPI 3.1 document, no key needed),
 * under any path prefix. Every other request needs a secret key as a Bearer token; write keys are
 * never accepted. Every refusal is a JSON body `{ error: { code, message, issues? } }`.
 *
 * @example
 * const api = createReadApiHandler({ store, secretKeys: [process.env.ECRM_SECRET_KEYS] })
 * http.createServer(toNodeListener(api)).listen(8081)
 */
export function createReadApiHandler(options: ReadApiHandlerOptions): ReadApiHandler {
  const {
    store,
    secretKeys,
    writeKeys = [],
    segments = {},
    rfmSegments = defaultRfmSegments,
    maxBodyBytes = 65_536,
  } = options
  const now = options.now ?? Date.now
  if (secretKeys.length === 0 || secretKeys.some((key) => typeof key !== 'string' || key.length < 16)) {
    throw new EcrmError(
      'invalid_options',
      'createReadApiHandler() failed: secretKeys (give at least one secret key of 16 characters or more)',
    )
  }
  if (secretKeys.some((key) => writeKeys.includes(key))) {
    throw new EcrmError(
      'invalid_options',
      'createReadApiHandler() failed: secretKeys (a secret key equals a write key; write keys are public, choose a separate secret)',
    )
  }
  const isSecretKey = createKeyCheck(secretKeys)
  const isWriteKey = createKeyCheck(writeKeys)
  const catalog = [
    ...Object.entries(segments)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([id, segment]) => ({
        id,
        kind: 'named' as const,
        name: segment.name,
        description: segment.description ?? null,
        when: segment.when ?? null,
      })),
    ...rfmSegments.map((segment) => ({
      id: segment.id,
      kind: 'rfm' as const,
      name: segment.label,
      description: null,
      when: null,
    })),
  ]
  const fail = (
    status: number,
    code: string,
    message: string,
    detail: Record<string, unknown> = {},
    headers: Record<string, string> = {},
  ): Response => errorResponse(status, code, message, detail, headers)
  const invalid = (code: string, message: string, issues: readonly ValidationIssue[]): Response =>
    fail(400, code, message, { issues })
  const storeFailed = (error: unknown): Response => {
    options.onError?.(error)
    return fail(
      503,
      'store_unavailable',
      'The store could not answer right now (retry later)',
      {},
      { 'retry-after': '5' },
    )
  }

  async function authorize(request: Request): Promise<Response | undefined> {
    const header = request.headers.get('authorization')
    const challenge = { 'www-authenticate': 'Bearer realm="ecrm"' }
    if (header !== null && /^basic\s/i.test(header)) {
      return fail(
        401,
        'secret_key_required',
        'Basic auth carries write keys, which the read API never accepts (send Authorization: Bearer <secret key>)',
        {},
        challenge,
      )
    }
    const token = bearerToken(header)
    if (token === undefined)
      return fail(401, 'missing_secret_key', 'No secret key (send Authorization: Bearer <secret key>)', {}, challenge)
    if (await isSecretKey(token)) return undefined
    if (await isWriteKey(token))
      return fail(
        401,
        'write_key_refused',
        'This is a write key, which is public: the read API needs a secret key',
        {},
        challenge,
      )
    return fail(401, 'invalid_secret_key', 'Unknown secret key (check ECRM_SECRET_KEYS of this server)', {}, challenge)
  }

  const onlyMethod = (request: Request, method: 'GET' | 'POST'): Response | undefined =>
    request.method === method
      ? undefined
      : fail(
          405,
          'method_not_allowed',
          `${request.method} is not supported here (send a ${method})`,
          {},
          { allow: method },
        )

  async function profile(rawId: string): Promise<Response> {
    const id = parseIdSegment(rawId, ['path', 'id'])
    if (!id.ok) return invalid('invalid_id', 'The customer id in the path is not valid (see issues)', [id.issue])
    let found: Awaited<ReturnType<Store['getProfile']>>
    try {
      found = await store.getProfile(id.value)
    } catch (error) {
      return storeFailed(error)
    }
    if (found === undefined)
      return fail(
        404,
        'profile_not_found',
        `No customer with the id, user id, anonymous id or email ${JSON.stringify(id.value)}`,
      )
    return jsonResponse(200, { profile: toProfileView(found) })
  }

  async function members(rawId: string, url: URL): Promise<Response> {
    const id = parseIdSegment(rawId, ['path', 'id'])
    if (!id.ok) return invalid('invalid_id', 'The segment id in the path is not valid (see issues)', [id.issue])
    const segment = catalog.find((entry) => entry.id === id.value)
    if (segment === undefined)
      return fail(404, 'unknown_segment', `No segment ${JSON.stringify(id.value)} (GET /v1/segments lists them)`)
    const query = membersQuerySchema.safeParse(Object.fromEntries(url.searchParams))
    if (!query.success)
      return invalid('invalid_query', 'The query is not valid (see issues)', toValidationIssues(query.error, ['query']))
    const after = query.data.after === undefined ? undefined : decodeCursor(query.data.after)
    if (after !== undefined && !after.ok)
      return invalid('invalid_cursor', 'The after cursor is not valid (see issues)', [after.issue])
    const { limit } = query.data
    try {
      const rule = { in_segment: [segment.id, segment.kind === 'named' ? 'segments' : 'rfm.segment'] }
      const ids = await store.segment(rule, {
        limit: limit + 1,
        ...(after === undefined ? {} : { after: after.value }),
      })
      const page = ids.slice(0, limit)
      const next = ids.length > limit ? encodeCursor(page[page.length - 1] as string) : null
      return jsonResponse(200, {
        segment: segment.id,
        members: await membersOf(store, page, segment.kind === 'named' ? segment.id : null),
        next,
      })
    } catch (error) {
      return storeFailed(error)
    }
  }

  async function kpis(url: URL): Promise<Response> {
    const query = kpisQuerySchema.safeParse(Object.fromEntries(url.searchParams))
    if (!query.success)
      return invalid('invalid_query', 'The query is not valid (see issues)', toValidationIssues(query.error, ['query']))
    const { from, to, segment } = query.data
    if (segment !== undefined && !catalog.some((entry) => entry.id === segment))
      return fail(404, 'unknown_segment', `No segment ${JSON.stringify(segment)} (GET /v1/segments lists them)`)
    try {
      return jsonResponse(200, await queryKpis(store, { from, to, segment }))
    } catch (error) {
      return storeFailed(error)
    }
  }

  async function preview(request: Request): Promise<Response> {
    const mediaType = (request.headers.get('content-type') ?? '').split(';')[0]?.trim().toLowerCase() ?? ''
    if (mediaType !== 'application/json') {
      return fail(
        415,
        'unsupported_media_type',
        `Content-Type ${mediaType === '' ? '(none)' : mediaType} is not accepted (send application/json)`,
      )
    }
    const body = await readBodyLimited(request, maxBodyBytes)
    if (!body.ok)
      return fail(
        413,
        'payload_too_large',
        `Body of ${body.bytes} bytes or more is over the limit of ${maxBodyBytes} bytes`,
        { limitBytes: maxBodyBytes },
      )
    const parsed = parseJsonSafely(body.text)
    if (!parsed.ok)
      return fail(400, 'invalid_json', `Malformed JSON body: ${parsed.message}`, {
        position: parsed.position,
        line: parsed.line,
        column: parsed.column,
      })
    const checked = previewRequestSchema.safeParse(parsed.value)
    if (!checked.success)
      return invalid(
        'invalid_body',
        'The body is not a valid preview request (see issues)',
        toValidationIssues(checked.error),
      )
    const { when, sample, traits } = checked.data
    const at = checked.data.now ?? now()
    const segmentOptions = { now: at, ...(traits === undefined ? {} : { traits }) }
    try {
      const count = await store.countSegment(when, segmentOptions)
      const ids = sample === 0 || count === 0 ? [] : await store.segment(when, { ...segmentOptions, limit: sample })
      return jsonResponse(200, { count, sample: await membersOf(store, ids, null), now: at })
    } catch (error) {
      if (error instanceof EcrmValidationError) {
        const issues = error.issues.map((issue) => ({ ...issue, path: ['when', ...issue.path] }))
        return invalid('invalid_rule', `The condition cannot run as SQL: ${error.message}`, issues)
      }
      return storeFailed(error)
    }
  }

  return async (request) => {
    const url = new URL(request.url)
    const match = ROUTE.exec(url.pathname)
    if (match === null) {
      return fail(
        404,
        'not_found',
        `No read API route at ${url.pathname} (GET /v1/profiles/{id}, /v1/segments, /v1/segments/{id}/members, POST /v1/segments/preview, GET /v1/kpis, GET /v1/openapi.json)`,
      )
    }
    const [, openApi, isKpis, profileId, isPreview, segmentId] = match
    if (openApi !== undefined) return onlyMethod(request, 'GET') ?? jsonResponse(200, readApiOpenApi())
    const refused = await authorize(request)
    if (refused !== undefined) return refused
    if (isKpis !== undefined) return onlyMethod(request, 'GET') ?? kpis(url)
    if (profileId !== undefined) return onlyMethod(request, 'GET') ?? profile(profileId)
    if (isPreview !== undefined) return onlyMethod(request, 'POST') ?? preview(request)
    if (segmentId !== undefined) return onlyMethod(request, 'GET') ?? members(segmentId, url)
    return onlyMethod(request, 'GET') ?? jsonResponse(200, { segments: catalog })
  }
}

/** True when a path is one of the read API's routes (how `ecrm serve` tells it from ingest). */
export function isReadApiPath(pathname: string): boolean {
  return ROUTE.test(pathname)
}
