import type { Transport, TransportOutcome, TransportRequest } from '../../src/ports.js'

/** A request the scripted transport saw, with its body parsed. */
export interface RecordedRequest extends TransportRequest {
  /** `JSON.parse(body)`. */
  readonly json: { batch: Record<string, unknown>[]; sentAt: string; writeKey: string } & Record<string, unknown>
}

/** One scripted answer: an outcome, or a function of the request (sync or async). */
export type ScriptedOutcome =
  | TransportOutcome
  | ((request: RecordedRequest) => TransportOutcome | Promise<TransportOutcome>)

/** The transport plus what it recorded. */
export interface ScriptedTransport {
  readonly transport: Transport
  /** Every request, in send order. */
  readonly requests: RecordedRequest[]
  /** Outcomes still to be used; push more at any time. */
  readonly outcomes: ScriptedOutcome[]
  /** The events of every request, flattened, in send order. */
  readonly sentEvents: () => Record<string, unknown>[]
}

/** `{ type: 'response', status, retryAfter }` in short. */
export function respond(status: number, retryAfter: string | null = null): TransportOutcome {
  return { type: 'response', status, retryAfter }
}

/**
 * A {@link Transport} that answers from a script, in order, then with `fallback` (200 unless
 * told otherwise), and records each request with its parsed body.
 *
 * @example
 * const { transport, requests } = createScriptedTransport([respond(500), respond(500), respond(200)])
 */
export function createScriptedTransport(
  outcomes: readonly ScriptedOutcome[] = [],
  fallback: ScriptedOutcome = respond(200),
): ScriptedTransport {
  const script = [...outcomes]
  const requests: RecordedRequest[] = []
  return {
    transport: {
      async send(request) {
        const recorded: RecordedRequest = { ...request, json: JSON.parse(request.body) as RecordedRequest['json'] }
        requests.push(recorded)
        const next = script.shift() ?? fallback
        return typeof next === 'function' ? next(recorded) : next
      },
    },
    requests,
    outcomes: script,
    sentEvents: () => requests.flatMap((request) => request.json.batch),
  }
}
