import type { TransportRequest } from '../ports.js'
import { encodeBase64, utf8Length } from './utf8.js'

/** Input of {@link buildBatchRequest}. */
export interface BatchRequestInput {
  /** Collector base URL; `/v1/batch` is appended (a trailing slash is ignored). */
  readonly endpoint: string
  readonly writeKey: string
  /** Queued event payloads (JSON object text, without `sentAt`). */
  readonly payloads: readonly string[]
  /** Epoch ms of this send; becomes `sentAt` on the batch and on each event. */
  readonly sentAt: number
  /**
   * The request's headers. The default, `Content-Type: text/plain` and no `Authorization` (the
   * write key travels in the body), lets a browser send it cross-origin without a CORS preflight;
   * servers pass {@link serverHeaders}. @default { 'Content-Type': 'text/plain' }
   */
  readonly headers?: Readonly<Record<string, string>> | undefined
  /** @default 10_000 */
  readonly timeoutMs?: number
  /** @default false */
  readonly keepalive?: boolean
}

/**
 * Builds the Segment-compatible `POST ${endpoint}/v1/batch` request for queued payloads: body
 * `{"batch":[...],"sentAt":"...","writeKey":"..."}` with `sentAt` added to each event. Pure: the
 * same input gives the same request.
 *
 * @example
 * buildBatchRequest({ endpoint: 'https://collect.example', writeKey: 'wk', payloads, sentAt: clock.now() })
 */
export function buildBatchRequest(input: BatchRequestInput): TransportRequest {
  const { writeKey, keepalive } = input
  const sentAt = JSON.stringify(new Date(input.sentAt).toISOString())
  const events = input.payloads.map((payload) => withSentAt(payload, sentAt))
  return {
    url: `${input.endpoint.replace(/\/+$/, '')}/v1/batch`,
    body: `{"batch":[${events.join(',')}],"sentAt":${sentAt},"writeKey":${JSON.stringify(writeKey)}}`,
    headers: input.headers ?? { 'Content-Type': 'text/plain' },
    timeoutMs: input.timeoutMs ?? 10_000,
    // Set only when asked, so a request without it has no `keepalive` key at all.
    ...(keepalive === true && { keepalive }),
  }
}

/**
 * The headers of a server's batch request: `application/json` plus Basic auth of `writeKey:`.
 * Not for browsers: `Authorization` is not CORS-safelisted, so it would cost a preflight per batch.
 *
 * @example
 * buildBatchRequest({ endpoint, writeKey, payloads, sentAt: clock.now(), headers: serverHeaders(writeKey) })
 */
export function serverHeaders(writeKey: string): Readonly<Record<string, string>> {
  return { 'Content-Type': 'application/json', Authorization: `Basic ${encodeBase64(`${writeKey}:`)}` }
}

/** Bytes the body adds around its events for this write key (brackets, `sentAt`, `writeKey`). */
export function batchOverheadBytes(writeKey: string): number {
  return utf8Length(`{"batch":[],"sentAt":"0000-00-00T00:00:00.000Z","writeKey":${JSON.stringify(writeKey)}}`)
}

/** Bytes one event takes in a body: its payload, its `sentAt` field and a separating comma. */
export function eventBytesInBatch(payloadBytes: number): number {
  return payloadBytes + SENT_AT_FIELD_BYTES + 1
}

// ISO strings of years 0–9999 have a fixed length; the field is ASCII, so its length is its bytes.
const SENT_AT_FIELD_BYTES = ',"sentAt":"0000-00-00T00:00:00.000Z"'.length

function withSentAt(payload: string, sentAt: string): string {
  // Payloads are JSON object text made by JSON.stringify, so the last character is `}`.
  const inner = payload.slice(0, payload.lastIndexOf('}')).trimEnd()
  return `${inner}${inner.endsWith('{') ? '' : ','}"sentAt":${sentAt}}`
}
