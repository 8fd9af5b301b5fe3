import type { QueueItem } from '../ports.js'
import type { EcrmEvent } from '../model/envelope.js'
import { priorityOf } from './priority.js'
import { utf8Length } from './utf8.js'

/**
 * Serialises an event into the queue item that will be stored and later sent: the payload is
 * the JSON text without `sentAt` (added at each send), its UTF-8 size, its drop priority, due now.
 */
export function toQueueItem(event: EcrmEvent, now: number): QueueItem {
  const payload = JSON.stringify(event)
  return {
    id: event.messageId,
    payload,
    bytes: utf8Length(payload),
    priority: priorityOf(event.type, event.type === 'track' ? event.event : undefined),
    createdAt: now,
    attempts: 0,
    availableAt: now,
  }
}

/**
 * Returns the event with `context.consent.categories` set to the current decisions (other
 * consent fields such as `gpc` kept). Unchanged when consent is not in play at all.
 */
export function withConsentContext(
  event: EcrmEvent,
  categories: Record<string, boolean>,
  required: boolean | undefined,
): EcrmEvent {
  if (!required && Object.keys(categories).length === 0) return event
  return { ...event, context: { ...event.context, consent: { ...event.context?.consent, categories } } }
}

/** The ids of queue items, in order. */
export const idsOf = (items: readonly QueueItem[]): string[] => items.map((item) => item.id)

/** Splits items into those that pass `test` and those that do not, each in queue order. */
export function partition(items: readonly QueueItem[], test: (item: QueueItem) => boolean): [QueueItem[], QueueItem[]] {
  const yes: QueueItem[] = []
  const no: QueueItem[] = []
  for (const item of items) (test(item) ? yes : no).push(item)
  return [yes, no]
}
