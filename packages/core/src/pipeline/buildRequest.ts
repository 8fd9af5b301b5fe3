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
  /** `'simple'` (text/plain, no CORS preflight) or `'full'` (application/json). @default 'simple' */
  readonly headers?: 'simple' | 'full'
  /** @default 10_000 */
  readonly timeoutMs?: number
  /** @default false */
  readonly keepalive?: boolean
}

/**
 * Builds the Segment-compatible `POST ${endpoint}/v1/batch` request for queued payloads: body
 * `{"batch":[...],"sentAt":"...","writeKey":"..."}` with `sentAt` added to each event, plus Basic
 * auth (`writeKey:`). Pure: the same input gives the same request.
 *
 * @example
 * buildBatchRequest({ endpoint: 'https://collect.example', writeKey: 'wk', payloads, sentAt: clock.now() })
 */
export function buildBatchRequest(input: BatchRequestInput): TransportRequest {
  const sentAt = JSON.stringify(new Date(input.sentAt).toISOString())
  const events = input.payloads.map((payload) => withSentAt(payload, sentAt))
  const body = `{"batch":[${events.join(',')}],"sentAt":${sentAt},"writeKey":${JSON.stringify(input.writeKey)}}`
  const contentType = input.headers === 'full' ? 'application/json' : 'text/plain'
  const request: TransportRequest = {
    url: `${input.endpoint.replace(/\/+$/, '')}/v1/batch`,
    body,
    headers: { 'Content-Type': contentType, Authorization: `Basic ${encodeBase64(`${input.writeKey}:`)}` },
    timeoutMs: input.timeoutMs ?? 10_000,
  }
  return input.keepalive === true ? { ...request, keepalive: true } : request
}

/** Bytes the body adds around its events for this write key (brackets, `sentAt`, `writeKey`). */
export function batchOverheadBytes(writeKey: string): number {
  return utf8Length(`{"batch":[],"sentAt":"0000-00-00T00:00:00.000Z","writeKey":${JSON.stringify(writeKey)}}`)
}

/** Bytes one event takes in a body: its payload, its `sentAt` field and a separating comma. */
export function eventBytesInBatch(payloadBytes: number): number {
  return payloadBytes + SENT_AT_FIELD_BYTES + 1
}

// `,"sentAt":"2026-11-23T14:00:00.000Z"` — ISO strings of years 0–9999 have a fixed length.
const SENT_AT_FIELD_BYTES = utf8Length(',"sentAt":"0000-00-00T00:00:00.000Z"')

function withSentAt(payload: string, sentAt: string): string {
  // Payloads are JSON object text made by JSON.stringify, so the last character is `}`.
  const close = payload.lastIndexOf('}')
  const inner = payload.slice(0, close).trimEnd()
  const separator = inner.endsWith('{') ? '' : ','
  return `${inner}${separator}"sentAt":${sentAt}}`
}
