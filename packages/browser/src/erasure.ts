import type { CoreClient, EcrmEvent, Queue, QueueItem } from '@ecrm/core'
import { ERASURE_EVENT_NAME } from '@ecrm/core'
import { isErasureRequest } from './consent.js'

/** The ids of visitors erased on this page, so nothing of theirs leaves later (events held for consent). */
export interface ErasedIds {
  /** Marks ids (anonymousId, userId) as erased, for the page's life. */
  readonly add: (ids: readonly string[]) => void
  /** True for an event of an erased visitor, except the erasure request itself. */
  readonly isErased: (
    event: Pick<EcrmEvent, 'type' | 'anonymousId' | 'userId'> & { readonly event?: string },
  ) => boolean
  /**
   * {@link ErasedIds.isErased} for a queued item, read from its payload: what `watchPageOutbox`
   * takes as `isDropped`, and what `eraseVisitor` removes from the queue.
   */
  readonly isErasedItem: (item: Pick<QueueItem, 'payload'>) => boolean
}

/** The fields of an event that erasure looks at; a payload may lack any of them. */
interface VisitorFields {
  readonly type?: unknown
  readonly event?: unknown
  readonly anonymousId?: unknown
  readonly userId?: unknown
}

/** The fields of a queued payload; none when it is not a JSON object. */
const readFields = (payload: string): VisitorFields => {
  try {
    return (JSON.parse(payload) as VisitorFields | null) ?? {}
  } catch {
    return {}
  }
}

/**
 * Creates the erased-ids filter behind `forget()`, the one test of "an erased visitor's event" for
 * the queue, the in-page destinations and the erasure itself. Core keeps events held for consent
 * where the browser cannot reach them, and releases them into the queue once consent is granted;
 * this filter stops those of an erased visitor at the queue (and before in-page destinations), for
 * the page's life (held events live no longer).
 */
export function createErasedIds(): ErasedIds {
  // Only strings are added; `unknown` lets any field of an event be looked up.
  const erased = new Set<unknown>()
  const isErased = (event: VisitorFields): boolean =>
    // The one test of the erasure request (consent's); it compares `type` and `event` only, so any fields will do.
    (erased.has(event.anonymousId) || erased.has(event.userId)) && !isErasureRequest(event as EcrmEvent)
  return {
    add: (ids) => {
      for (const id of ids) erased.add(id)
    },
    isErased,
    // Nothing erased yet (the usual page): no payload needs parsing.
    isErasedItem: (item) => erased.size > 0 && isErased(readFields(item.payload)),
  }
}

/** What {@link eraseVisitor} works on. */
export interface ErasureTarget {
  readonly core: CoreClient
  readonly queue: Queue
  /** Deletes what the browser stored beside the queue (session, touches, ids, consent...). */
  readonly forgetLocal: () => void
  /**
   * Told the erased ids first. Pass the one whose `isErasedItem` guards the queue
   * (`watchPageOutbox`), so events of theirs still held for consent, or still on their way into the
   * queue, never leave. @default a new one, for this call only
   */
  readonly erased?: ErasedIds
}

/**
 * The erasure behind `forget()`: queues one `Data Erasure Requested` event naming the visitor's
 * ids (so the backend erases what it stored), removes the visitor's other queued events, resets
 * the identity, deletes the local state, then flushes. Events another visitor of this device left
 * in the queue are kept. Events of the visitor still held in memory for consent are stopped by
 * `erased` when a later grant releases them (core offers no way to drop them before).
 */
export async function eraseVisitor(target: ErasureTarget): Promise<void> {
  const { core, queue, erased = createErasedIds() } = target
  const { anonymousId, userId } = core.user()
  erased.add([anonymousId, userId].filter((id) => id !== undefined))
  core.track({ event: ERASURE_EVENT_NAME, properties: { anonymousId: anonymousId ?? null, userId: userId ?? null } })
  // Every queued event of the visitor but the erasure request just queued.
  await queue.remove((await queue.peek()).filter(erased.isErasedItem).map((item) => item.id))
  core.reset()
  target.forgetLocal()
  await core.flush()
}
