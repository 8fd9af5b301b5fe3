import type { EcrmEvent } from '../model/envelope.js'
import type { DestinationRequest, HttpMethod, MapContext } from './destinationTypes.js'

/**
 * A destination's `map` for vendors whose requests are built batch-wise: the one event as a batch
 * of one, `null` when it becomes no request.
 */
export function mapOneByBatch(
  mapBatch: (events: readonly EcrmEvent[], context: MapContext) => DestinationRequest[],
): (event: EcrmEvent, context: MapContext) => DestinationRequest[] | null {
  return (event, context) => {
    const requests = mapBatch([event], context)
    return requests.length === 0 ? null : requests
  }
}

/** The request with an `Authorization` header added (e.g. `Bearer <token>`). */
export function withAuthorization(request: DestinationRequest, authorization: string): DestinationRequest {
  return { ...request, headers: { ...request.headers, Authorization: authorization } }
}

/** A JSON request carrying the given events. */
export function jsonRequest(
  method: HttpMethod,
  url: string,
  body: unknown,
  eventIds: readonly string[],
  headers: Readonly<Record<string, string>> = {},
): DestinationRequest {
  return {
    method,
    url,
    headers: { 'Content-Type': 'application/json', Accept: 'application/json', ...headers },
    body: JSON.stringify(body),
    eventIds,
  }
}

/** `JSON.parse` that answers `undefined` instead of throwing (vendor error bodies are not always JSON). */
export function parseJsonSafe(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

/**
 * An OData string literal for a key in a URL path: single quotes doubled (OData ABNF,
 * `SQUOTE-in-string`), then percent-encoded, e.g. `contacts(emailaddress1='o''hara%40x.example')`.
 */
export function odataString(value: string): string {
  return `'${encodeURIComponent(value.replace(/'/g, "''"))}'`
}
