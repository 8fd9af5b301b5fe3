import type { Clock } from '../ports.js'
import type { ItemFate } from '../delivery/deliveryEngine.js'
import type { EcrmEvent } from '../model/envelope.js'
import { classifyOutcome } from '../pipeline/retryPolicy.js'
import type { Verdict } from '../pipeline/retryPolicy.js'
import type {
  Destination,
  DestinationOutcome,
  DestinationRequest,
  DestinationResponse,
  DestinationSender,
} from './destinationTypes.js'
import { toSendable } from './tokenSource.js'
import type { TokenSource } from './tokenSource.js'

/** What became of one event in a dispatch: the delivery engine's {@link ItemFate}. */
export type EventFate = ItemFate

/** What {@link createBatchSender} needs. */
export interface BatchSenderEnv {
  readonly destination: Destination
  readonly sender: DestinationSender
  readonly clock: Clock
  /** Present for OAuth destinations. */
  readonly tokens: TokenSource | undefined
  readonly timeoutMs: number
  /** Called for every request put on the wire. */
  readonly onRequest: () => void
  /** The vendor asked for a pause until this epoch ms. */
  readonly onPause: (until: number) => void
}

/** A request's fate: one for all its events, a split (413), or per event (a bulk answer's failed records). */
type RequestFate =
  | EventFate
  | { readonly kind: 'split' }
  | { readonly kind: 'per_event'; readonly fates: ReadonlyMap<string, EventFate> }
type Authorized = { readonly request: DestinationRequest } | { readonly fate: EventFate }

const RANK = { delivered: 0, dead_letter: 1, retry: 2 } as const

/**
 * Sends one batch of events to a destination: maps them (bulk when the destination can), sends
 * each request with auth, follows `followUp` chains, renews a refused OAuth token once, splits on
 * 413, and tells the fate of each event. The first retry verdict halts the batch: the events of
 * the requests not yet sent wait with it, so a vendor in trouble is not hammered.
 */
export function createBatchSender(
  env: BatchSenderEnv,
): (events: readonly EcrmEvent[]) => Promise<Map<string, EventFate>> {
  const { destination, sender, clock } = env

  const authorize = async (request: DestinationRequest): Promise<Authorized> => {
    const { auth } = destination
    if (auth.kind === 'none') return { request }
    if (auth.kind === 'token') return { request: auth.authorize(request) }
    if (env.tokens === undefined)
      return { fate: { kind: 'dead_letter', reason: 'an OAuth destination needs a token source' } }
    const result = await env.tokens.get()
    if (!result.ok) {
      return result.retryAfterMs === undefined
        ? { fate: { kind: 'retry', reason: result.reason } }
        : { fate: { kind: 'retry', reason: result.reason, retryAfterMs: result.retryAfterMs } }
    }
    return { request: auth.authorize(request, result.token) }
  }

  const execute = async (request: DestinationRequest, reauthorized: boolean): Promise<RequestFate> => {
    const authorized = await authorize(request)
    if ('fate' in authorized) return authorized.fate
    const sendable = toSendable(authorized.request, env.timeoutMs)
    let outcome: DestinationOutcome
    try {
      outcome = await sender.send(sendable)
    } catch (cause) {
      outcome = { type: 'network-error', cause }
    }
    env.onRequest()
    const now = clock.now()
    const where = `${sendable.method} ${sendable.url}`
    let verdict: Verdict
    let response: DestinationResponse | undefined
    if (outcome.type === 'response') {
      response = { status: outcome.status, headers: outcome.headers, body: outcome.body }
      const interpretation =
        request.okStatuses?.includes(outcome.status) === true
          ? ({ kind: 'delivered' } as const)
          : destination.interpret?.(response, now)
      const refused = interpretation?.kind === 'reauthorize' || (interpretation === undefined && outcome.status === 401)
      if (refused && env.tokens !== undefined && !reauthorized) {
        // A token can be revoked or expire early; one fresh token decides whether it was that.
        env.tokens.invalidate()
        return execute(request, true)
      }
      if (interpretation === undefined || interpretation.kind === 'reauthorize') {
        verdict = classifyOutcome(outcome, now)
      } else {
        verdict = interpretation
        if (interpretation.pauseMs !== undefined) env.onPause(now + interpretation.pauseMs)
      }
    } else {
      verdict = classifyOutcome(outcome, now)
    }
    switch (verdict.kind) {
      case 'delivered': {
        const failed = response === undefined ? undefined : request.recordFates?.(response)
        if (failed !== undefined && failed.size > 0) return { kind: 'per_event', fates: failed }
        if (request.followUp === undefined || response === undefined) return { kind: 'delivered' }
        for (const next of request.followUp(response)) {
          const inherited =
            next.eventIds === undefined && request.eventIds !== undefined
              ? { ...next, eventIds: request.eventIds }
              : next
          const fate = await execute(inherited, false)
          if (fate.kind !== 'delivered') return fate
        }
        return { kind: 'delivered' }
      }
      case 'split':
        return { kind: 'split' }
      case 'dead_letter':
        return { kind: 'dead_letter', reason: `${destination.name} refused ${where} (${describe(outcome)})` }
      case 'retry': {
        const reason = `${destination.name}: ${where} failed (${describe(outcome)})`
        if (verdict.retryAfterMs === undefined) return { kind: 'retry', reason }
        env.onPause(now + verdict.retryAfterMs)
        return { kind: 'retry', reason, retryAfterMs: verdict.retryAfterMs }
      }
    }
  }

  const sendEvents = async (events: readonly EcrmEvent[]): Promise<Map<string, EventFate>> => {
    const context = { now: clock.now() }
    const requests =
      destination.mapBatch !== undefined
        ? destination.mapBatch(events, context)
        : events.flatMap((event) => destination.map(event, context) ?? [])
    const allIds = events.map((event) => event.messageId)
    const fates = new Map<string, EventFate>(allIds.map((id) => [id, { kind: 'delivered' }]))
    const mark = (ids: readonly string[], fate: EventFate): void => {
      for (const id of ids) {
        const current = fates.get(id)
        if (current === undefined) continue
        fates.set(id, worse(current, fate))
      }
    }
    let halted: EventFate | undefined
    for (const request of requests) {
      const ids = request.eventIds ?? allIds
      if (halted !== undefined) {
        mark(ids, halted)
        continue
      }
      const fate = await execute(request, false)
      if (fate.kind === 'split') {
        const carried = events.filter((event) => ids.includes(event.messageId))
        if (carried.length <= 1) {
          mark(ids, { kind: 'dead_letter', reason: `${destination.name} refused a single event as too large (413)` })
          continue
        }
        const middle = Math.ceil(carried.length / 2)
        for (const half of [carried.slice(0, middle), carried.slice(middle)]) {
          for (const [id, halfFate] of await sendEvents(half)) mark([id], halfFate)
        }
        continue
      }
      if (fate.kind === 'per_event') {
        // The vendor took the rest of the batch: only the failed records wait or are given up.
        for (const id of ids) mark([id], fate.fates.get(id) ?? { kind: 'delivered' })
        continue
      }
      mark(ids, fate)
      if (fate.kind === 'retry') halted = fate
    }
    return fates
  }

  return sendEvents
}

function worse(a: EventFate, b: EventFate): EventFate {
  if (a.kind === 'retry' && b.kind === 'retry') {
    const after = Math.max(a.retryAfterMs ?? -1, b.retryAfterMs ?? -1)
    return after < 0 ? a : { ...a, retryAfterMs: after }
  }
  return RANK[b.kind] > RANK[a.kind] ? b : a
}

function describe(outcome: DestinationOutcome): string {
  if (outcome.type === 'response') {
    const body = outcome.body.trim().slice(0, 300)
    return body === '' ? `status ${outcome.status}` : `status ${outcome.status}: ${body}`
  }
  if (outcome.type === 'timeout') return 'timed out'
  return `network error: ${outcome.cause instanceof Error ? outcome.cause.message : 'no detail'}`
}
