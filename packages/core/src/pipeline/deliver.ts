import { EcrmError } from '../errors.js'
import type { Clock, Connectivity, Queue, QueueItem, Transport, TransportOutcome } from '../ports.js'
import type { EcrmEvent } from '../model/envelope.js'
import { batchOverheadBytes, buildBatchRequest, eventBytesInBatch } from './buildRequest.js'
import { planBatches } from './boundQueue.js'
import { backoffDelay, classifyOutcome } from './retryPolicy.js'
import type { ResolvedOptions } from './resolveOptions.js'

/** What one delivery pass did. */
export interface PassResult {
  sent: number
  retried: number
  deadLettered: number
}

/** What the delivery pass needs; the client supplies it. */
export interface DeliveryEnv {
  readonly options: ResolvedOptions
  readonly queue: Queue
  readonly transport: Transport
  readonly clock: Clock
  readonly connectivity: Connectivity
  readonly random: () => number
  readonly report: (error: EcrmError) => void
  readonly onDeadLetter: (events: EcrmEvent[], reason: string) => void
  readonly onDelivered: (items: readonly QueueItem[]) => void
}

/** The fetch keepalive budget (Fetch Standard, "keepalive" body limit: 64 KiB in flight). */
export const KEEPALIVE_MAX_BYTES = 65_536

type BatchStep = { readonly stop: false } | { readonly stop: true; readonly availableAt: number }

/**
 * Sends queued events: one pass leases due items, sends them batch by batch (one request in
 * flight), and applies {@link classifyOutcome}'s verdict to each. A pass stops at the first
 * retry verdict: the other leased batches are deferred to the same time, uncounted.
 */
export function createDelivery(env: DeliveryEnv): {
  readonly pass: (keepalive: boolean) => Promise<PassResult>
  /** Epoch ms before which the server asked (Retry-After) not to be called. */
  readonly pausedUntil: () => number
} {
  const { options, queue, clock } = env
  let pausedUntil = 0
  let failing = false
  const overhead = batchOverheadBytes(options.writeKey)

  const deadLetter = async (items: readonly QueueItem[], reason: string, result: PassResult): Promise<void> => {
    if (items.length === 0) return
    await queue.remove(items.map((item) => item.id))
    result.deadLettered += items.length
    env.onDeadLetter(items.map(parsePayload), reason)
  }

  // Removals of delivered batches still being made durable; a pass waits for them before it ends.
  let removals: Promise<void>[] = []

  const send = async (items: QueueItem[], keepalive: boolean, result: PassResult): Promise<BatchStep> => {
    const request = buildBatchRequest({
      endpoint: options.endpoint,
      writeKey: options.writeKey,
      payloads: items.map((item) => item.payload),
      sentAt: clock.now(),
      headers: options.headers,
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
    const ids = items.map((item) => item.id)
    switch (verdict.kind) {
      case 'delivered':
        // Not awaited here: the queue drops the items from what it leases at once, and making the
        // removal durable (a file queue's group commit) overlaps the next batch's send. A crash
        // before it lands only sends the batch again (at-least-once, same messageIds).
        const removal = queue.remove(ids)
        // Handled now, so a failure is not an unhandled rejection; the pass rethrows it at its end.
        removal.catch(() => undefined)
        removals.push(removal)
        result.sent += items.length
        failing = false
        env.onDelivered(items)
        return { stop: false }
      case 'dead_letter':
        await deadLetter(items, verdict.reason, result)
        return { stop: false }
      case 'split': {
        if (items.length === 1) {
          await deadLetter(items, 'backend refused a single event as too large (413)', result)
          return { stop: false }
        }
        const middle = Math.ceil(items.length / 2)
        const halves = [items.slice(0, middle), items.slice(middle)]
        for (const [index, half] of halves.entries()) {
          const step = await send(half, keepalive, result)
          if (step.stop) {
            const rest = halves.slice(index + 1).flat()
            if (rest.length > 0) await queue.defer(rest.map((item) => item.id), step.availableAt)
            return step
          }
        }
        return { stop: false }
      }
      case 'retry': {
        if (!failing) {
          failing = true
          env.report(new EcrmError('delivery_failed', `Sending a batch failed: POST ${request.url} (${describeOutcome(outcome)}; it will be retried)`))
        }
        if (verdict.retryAfterMs !== undefined) {
          // Retry-After is the server pacing us, not a failure of the events: no attempt counted.
          const availableAt = now + Math.min(verdict.retryAfterMs, options.retry.maxDelayMs)
          pausedUntil = Math.max(pausedUntil, availableAt)
          await queue.defer(ids, availableAt)
          result.retried += items.length
          return { stop: true, availableAt }
        }
        if (outcome.type !== 'response' && !env.connectivity.isOnline()) {
          // Offline is nobody's fault either; the online signal resumes delivery.
          await queue.defer(ids, now)
          return { stop: true, availableAt: now }
        }
        const attempts = Math.max(...items.map((item) => item.attempts)) + 1
        const exhausted = items.filter((item) => item.attempts + 1 >= options.retry.maxAttempts)
        const retrying = items.filter((item) => item.attempts + 1 < options.retry.maxAttempts)
        await deadLetter(exhausted, `gave up after ${options.retry.maxAttempts} attempts (last: ${describeOutcome(outcome)})`, result)
        const availableAt = now + backoffDelay(attempts, options.retry, env.random)
        if (retrying.length > 0) await queue.release(retrying.map((item) => item.id), availableAt)
        result.retried += retrying.length
        return { stop: true, availableAt }
      }
    }
  }

  const pass = async (keepalive: boolean): Promise<PassResult> => {
    const result: PassResult = { sent: 0, retried: 0, deadLettered: 0 }
    const maxBytes = keepalive ? Math.min(options.batch.maxBytes, KEEPALIVE_MAX_BYTES) : options.batch.maxBytes
    // A pass that failed half-way left its removals handled (see send); the next starts afresh.
    removals = []
    for (;;) {
      const now = clock.now()
      if (!env.connectivity.isOnline() || now < pausedUntil) break
      const leased = await queue.lease({ now, limit: options.batch.maxEvents, leaseMs: options.leaseMs })
      if (leased.length === 0) break
      const expired = leased.filter((item) => now - item.createdAt >= options.retry.maxAgeMs)
      await deadLetter(expired, `older than retry.maxAgeMs (${options.retry.maxAgeMs} ms)`, result)
      const fresh = leased.filter((item) => now - item.createdAt < options.retry.maxAgeMs)
      const batches = planBatches(fresh, { maxEvents: options.batch.maxEvents, maxBytes }, overhead, eventBytesInBatch)
      let stopped = false
      for (const [index, batch] of batches.entries()) {
        const step = await send(batch, keepalive, result)
        if (step.stop) {
          const rest = batches.slice(index + 1).flat()
          if (rest.length > 0) await queue.defer(rest.map((item) => item.id), step.availableAt)
          stopped = true
          break
        }
      }
      if (stopped || leased.length < options.batch.maxEvents) break
    }
    await Promise.all(removals)
    return result
  }

  return { pass, pausedUntil: () => pausedUntil }
}

function parsePayload(item: QueueItem): EcrmEvent {
  try {
    return JSON.parse(item.payload) as EcrmEvent
  } catch {
    // A payload damaged in storage still reaches the dead-letter hook, as what is known of it.
    return { type: 'track', event: 'Unreadable Payload', messageId: item.id, anonymousId: 'unknown', properties: { payload: item.payload } }
  }
}

function describeOutcome(outcome: TransportOutcome): string {
  if (outcome.type === 'response') return `status ${outcome.status}`
  if (outcome.type === 'timeout') return 'timed out'
  const cause = outcome.cause instanceof Error ? outcome.cause.message : 'no detail'
  return `network error: ${cause}`
}
