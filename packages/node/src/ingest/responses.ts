import type { ValidationIssue } from '@ecrm/core'

/** The JSON error body of every refused request: a stable code, a sentence, and details. */
export interface IngestErrorBody {
  readonly error: { readonly code: string; readonly message: string } & Record<string, unknown>
}

/** An invalid event of a batch: where it is, and what is wrong with it. */
export interface RejectedEvent {
  /** Its index in `batch` (0 for the single-event routes). */
  readonly index: number
  readonly issues: readonly ValidationIssue[]
}

/** The body of a 200 answer. */
export interface IngestSuccessBody {
  /** Always true (Segment-compatible). */
  readonly success: true
  /** Events stored now. */
  readonly accepted: number
  /** Valid events already stored before (same messageId): acknowledged, not stored again. */
  readonly duplicates: number
  /** Invalid events, not stored; the others were. */
  readonly rejected: readonly RejectedEvent[]
  /** With `exposeSegments`: the visitor's segments among the allowed ids, sorted. */
  readonly segments?: readonly string[]
}

/** A JSON response with the given status and headers. */
export function jsonResponse(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    // nosniff: an error body quotes what the client sent; no browser may take it for HTML or script.
    headers: {
      'content-type': 'application/json; charset=utf-8',
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
      ...headers,
    },
  })
}

/** A JSON error response: `{ "error": { "code", "message", ...detail } }`. */
export function errorResponse(
  status: number,
  code: string,
  message: string,
  detail: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): Response {
  const body: IngestErrorBody = { error: { code, message, ...detail } }
  return jsonResponse(status, body, headers)
}
