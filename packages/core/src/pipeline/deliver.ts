import type { Clock, Connectivity, Queue, QueueItem, Transport, TransportOutcome } from '../ports.js'
import type { EcrmEvent } from '../model/envelope.js'
import { batchOverheadBytes, buildBatchRequest, eventBytesInBatch } from './buildRequest.js'
import { planBatches } from './boundQueue.js'
import type { Counters, Report } from './clientState.js'
import { backoffDelay, classifyOutcome } from './retryPolicy.js'
import type { ResolvedOptions } from './resolveOptions.js'
import { idsOf, partition } from './queueItems.js'

/** What the delivery pass needs; the client supplies it. */
export interface DeliveryEnv {
  readonly options: ResolvedOptions
  readonly queue: Queue
  readonly transport: Transport
  readonly clock: Clock
  readonly connectivity: Connectivity
  readonly random: () => number
  /** The client's counters: a pass counts its sent, retried and dead-lettered events here. */
  readonly counters: Counters
  /** Headers of each request. @default the CORS-simple ones of {@link buildBatchRequest} */
  readonly requestHeaders?: Readonly<Record<string, string>> | undefined
  readonly report: Report
  readonly onDeadLetter: (events: EcrmEvent[], reason: string) => void
  /** A batch was delivered; its items are counted in `counters.sent`. */
  readonly onDelivered: (items: readonly QueueItem[]) => void
}

/** Sends queued events; see {@link createDelivery}. */
export interface Delivery {
  readonly pass: (keepalive: boolean) => Promise<void>
  /** Epoch ms before which the server asked (Retry-After) not to be called. */
  readonly pausedUntil: () => number
}

/** The fetch keepalive budget (Fetch Standard, "keepalive" body limit: 64 KiB in flight). */
export const KEEPALIVE_MAX_BYTES = 65_536

/**
 * Sends queued events: one pass leases due items, sends them batch by batch (one request in
 * flight), and applies {@link classifyOutcome}'s verdict to each. A pass stops at the first
 * retry verdict: the other leased batches are deferred to the same time, uncounted.
 */
export function createDelivery(env: DeliveryEnv): Delivery {
  const { options, queue, clock, counters } = env
  const { batch: batchOptions, retry } = options
  let pausedUntil = 0
  let failing = false
  const overhead = batchOverheadBytes(options.writeKey)

  const pass = async (keepalive: boolean): Promise<void> => {
    const maxBytes = keepalive ? Math.min(batchOptions.maxBytes, KEEPALIVE_MAX_BYTES) : batchOptions.maxBytes

    const deadLetter = async (items: readonly QueueItem[], reason: string): Promise<void> => {
      if (items.length === 0) return
      await queue.remove(idsOf(items))
      counters.deadLettered += items.length
      env.onDeadLetter(items.map(parsePayload), reason)
    }

    /** Sends batches in turn. At the first that must wait, defers the rest to the same time and
     *  returns that time; returns undefined when every batch got its verdict. */
    const sendInTurn = async (batches: readonly QueueItem[][]): Promise<number | undefined> => {
      for (const [index, batch] of batches.entries()) {
        const stoppedUntil = await send(batch)
        if (stoppedUntil !== undefined) {
          const rest = batches.slice(index + 1).flat()
          if (rest.length > 0) await queue.defer(idsOf(rest), stoppedUntil)
          return stoppedUntil
        }
      }
      return undefined
    }

    /** Sends one batch and applies the verdict; returns when the pass must wait until, if it must. */
    const send = async (items: QueueItem[]): Promise<number | undefined> => {
      const request = buildBatchRequest({
        ...options, // endpoint, writeKey
        headers: env.requestHeaders,
        payloads: items.map((item) => item.payload),
        sentAt: clock.now(),
        timeoutMs: options.requestTimeoutMs,
        keepalive,
      })
      let outcome: TransportOutcome
      try {
        outcome = await env.transport.send(request)
      } catch (cause) {
        // The port says transports never throw; one that does is treated as a network error.
        outcome = { type: 'network-error', cause }
      }
      const now = clock.now()
      const verdict = classifyOutcome(outcome, now)
      if (verdict.kind === 'delivered') {
        // Awaited before the next send: a crash then re-sends at most the batch in flight (at-least-once,
        // same messageIds), never a delivered batch whose removal had not landed yet.
        await queue.remove(idsOf(items))
        counters.sent += items.length
        failing = false
        env.onDelivered(items)
        return undefined
      }
      if (verdict.kind === 'split' && items.length > 1) {
        const middle = Math.ceil(items.length / 2)
        return sendInTurn([items.slice(0, middle), items.slice(middle)])
      }
      if (verdict.kind !== 'retry') {
        const tooLarge = 'backend refused a single event as too large (413)'
        await deadLetter(items, verdict.kind === 'split' ? tooLarge : verdict.reason)
        return undefined
      }
      if (!failing) {
        failing = true
        env.report(
          'delivery_failed',
          `Sending a batch failed: POST ${request.url} (${describeOutcome(outcome)}; it will be retried)`,
        )
      }
      if (verdict.retryAfterMs !== undefined) {
        // Retry-After is the server pacing us, not a failure of the events: no attempt counted.
        const availableAt = now + Math.min(verdict.retryAfterMs, retry.maxDelayMs)
        pausedUntil = Math.max(pausedUntil, availableAt)
        await queue.defer(idsOf(items), availableAt)
        counters.retried += items.length
        return availableAt
      }
      if (outcome.type !== 'response' && !env.connectivity.isOnline()) {
        // Offline is nobody's fault either; the online signal resumes delivery.
        await queue.defer(idsOf(items), now)
        return now
      }
      const [exhausted, retrying] = partition(items, (item) => item.attempts + 1 >= retry.maxAttempts)
      await deadLetter(exhausted, `gave up after ${retry.maxAttempts} attempts (last: ${describeOutcome(outcome)})`)
      const attempt = Math.max(...items.map((item) => item.attempts)) + 1
      const availableAt = now + backoffDelay(attempt, retry, env.random)
      if (retrying.length > 0) await queue.release(idsOf(retrying), availableAt)
      counters.retried += retrying.length
      return availableAt
    }

    for (;;) {
      const now = clock.now()
      if (!env.connectivity.isOnline() || now < pausedUntil) break
      const leased = await queue.lease({ now, limit: batchOptions.maxEvents, leaseMs: options.leaseMs })
      if (leased.length === 0) break
      const [expired, fresh] = partition(leased, (item) => now - item.createdAt >= retry.maxAgeMs)
      await deadLetter(expired, `older than retry.maxAgeMs (${retry.maxAgeMs} ms)`)
      const stoppedUntil = await sendInTurn(
        planBatches(fresh, { ...batchOptions, maxBytes }, overhead, eventBytesInBatch),
      )
      if (stoppedUntil !== undefined || leased.length < batchOptions.maxEvents) break
    }
  }

  return { pass, pausedUntil: () => pausedUntil }
}

function parsePayload(item: QueueItem): EcrmEvent {
  try {
    return JSON.parse(item.payload) as EcrmEvent
  } catch {
    // A payload damaged in storage still reaches the dead-letter hook, as what is known of it.
    return {
      type: 'track',
      event: 'Unreadable Payload',
      messageId: item.id,
      anonymousId: 'unknown',
      properties: { payload: item.payload },
    }
  }
}

/** What happened on the wire, in words: `status 503`, `timed out`, `network error: <message>`. */
export function describeOutcome(outcome: TransportOutcome): string {
  if (outcome.type === 'response') return `status ${outcome.status}`
  if (outcome.type === 'timeout') return 'timed out'
  const cause = outcome.cause instanceof Error ? outcome.cause.message : 'no detail'
  return `network error: ${cause}`
}
