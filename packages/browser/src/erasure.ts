import type { CoreClient, EcrmEvent, Queue } from '@ecrm/core'

/** The ids of visitors erased on this page, so nothing of theirs leaves later (events held for consent). */
export interface ErasedIds {
  readonly add: (ids: readonly string[]) => void
  /** True for an event of an erased visitor, except the erasure request itself. */
  readonly isErased: (event: Pick<EcrmEvent, 'type' | 'anonymousId' | 'userId'> & { readonly event?: string }) => boolean
  /** The queue, minus enqueues of erased visitors' events (core releases held events into it after a grant). */
  readonly guard: (queue: Queue) => Queue
}

const ERASURE_EVENT = 'Data Erasure Requested'

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

/** Whether the event's anonymousId or userId is one of `ids`. */
const namesOneOf = (event: VisitorFields, ids: ReadonlySet<unknown>): boolean => ids.has(event.anonymousId) || ids.has(event.userId)

/**
 * Creates the erased-ids filter behind `forget()`. Core keeps events held for consent where the
 * browser cannot reach them, and releases them into the queue once consent is granted; this
 * filter stops those of an erased visitor at the queue (and before in-page destinations), for
 * the page's life (held events live no longer).
 */
export function createErasedIds(): ErasedIds {
  // Only strings are added; `unknown` lets any field of an event be looked up.
  const erased = new Set<unknown>()
  const isErased = (event: VisitorFields): boolean =>
    !(event.type === 'track' && event.event === ERASURE_EVENT) && namesOneOf(event, erased)
  const isErasedPayload = (payload: string): boolean => {
    // The cheap test first: a payload that names no erased id needs no parse.
    for (const id of erased) if (payload.includes(id as string)) return isErased(readFields(payload))
    return false
  }
  return {
    add: (ids) => {
      for (const id of ids) erased.add(id)
    },
    isErased,
    guard: (queue) => ({
      ...queue,
      enqueue: (items) => queue.enqueue(items.filter((item) => !isErasedPayload(item.payload))),
    }),
  }
}

/** What {@link eraseVisitor} works on. */
export interface ErasureTarget {
  readonly core: CoreClient
  readonly queue: Queue
  /** Deletes what the browser stored beside the queue (session, touches, ids, consent...). */
  readonly forgetLocal: () => void
  /** Told the erased ids first, so events of theirs still held for consent never leave. */
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
  const { core, queue } = target
  const { anonymousId, userId } = core.user()
  const ids = [anonymousId, userId].filter((id) => id !== undefined)
  target.erased?.add(ids)
  const erasure = core.track({ event: ERASURE_EVENT, properties: { anonymousId: anonymousId ?? null, userId: userId ?? null } })
  const keep = erasure.ok ? erasure.messageId : undefined
  const visitor = new Set<unknown>(ids)
  const mine = (await queue.peek()).filter((item) => item.id !== keep && namesOneOf(readFields(item.payload), visitor))
  await queue.remove(mine.map((item) => item.id))
  core.reset()
  target.forgetLocal()
  await core.flush()
}
