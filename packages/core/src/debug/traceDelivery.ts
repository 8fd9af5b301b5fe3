import type { Logger, Queue, QueueItem, Transport, TransportOutcome } from '../ports.js'
import { describeOutcome } from '../pipeline/deliver.js'

/** The two ports whose calls show what a client does with its events. */
export interface TracedPorts<Q extends Queue> {
  readonly queue: Q
  readonly transport: Transport
}

/**
 * Wraps a client's queue and transport so each step is a debug line on `logger`: events queued
 * (names and ids), each request sent and what answered it, batches retried or held (and until
 * when), events taken off the queue. Drops and give-ups are not traced here: the client reports
 * them with their reason (`logger.warn`). Adapters wire it only when debugging is on, so a client
 * without it pays nothing; the queue's other members (`usage`, `storage`) pass through.
 *
 * @example
 * const { queue, transport } = traceDelivery({ queue: createMemoryQueue(), transport }, logger)
 */
export function traceDelivery<Q extends Queue>(ports: TracedPorts<Q>, logger: Logger): TracedPorts<Q> {
  const { queue, transport } = ports
  const at = (epochMs: number): string => new Date(epochMs).toISOString()
  return {
    queue: {
      ...queue,
      enqueue(items) {
        logger.debug(`queued ${items.length} events: ${items.map(nameOf).join(', ')}`, items.map(idOf))
        return queue.enqueue(items)
      },
      release(ids, availableAt) {
        logger.debug(`retrying ${ids.length} events at ${at(availableAt)}`, ids)
        return queue.release(ids, availableAt)
      },
      defer(ids, availableAt) {
        logger.debug(
          `holding ${ids.length} events until ${at(availableAt)} (Retry-After, offline or behind a batch that waits)`,
          ids,
        )
        return queue.defer(ids, availableAt)
      },
      remove(ids) {
        if (ids.length > 0) logger.debug(`took ${ids.length} events off the queue`, ids)
        return queue.remove(ids)
      },
    },
    transport: {
      async send(request) {
        const where = `POST ${request.url}`
        logger.debug(`sending ${countOf(request.body)} events: ${where}${request.keepalive ? ' (keepalive)' : ''}`)
        const outcome: TransportOutcome = await transport.send(request)
        logger.debug(`${where}: ${describeOutcome(outcome)}`)
        return outcome
      },
    },
  }
}

const idOf = (item: QueueItem): string => item.id

/** `track Order Completed`, `page`...: what a queued event is, read from its payload. */
function nameOf(item: QueueItem): string {
  try {
    const event = JSON.parse(item.payload) as { type?: unknown; event?: unknown }
    return typeof event.event === 'string' ? `${String(event.type)} ${event.event}` : String(event.type)
  } catch {
    return 'unreadable'
  }
}

/** The events of a batch body; `?` when it is no batch. */
function countOf(body: string): number | '?' {
  try {
    const batch = (JSON.parse(body) as { batch?: unknown }).batch
    return Array.isArray(batch) ? batch.length : '?'
  } catch {
    return '?'
  }
}
