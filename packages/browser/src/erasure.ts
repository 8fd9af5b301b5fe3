import type { CoreClient, Queue } from '@ecrm/core'

/** What {@link eraseVisitor} works on. */
export interface ErasureTarget {
  readonly core: CoreClient
  readonly queue: Queue
  /** Deletes what the browser stored beside the queue (session, touches, ids, consent...). */
  readonly forgetLocal: () => void
}

const belongsTo = (payload: string, ids: readonly string[]): boolean => {
  try {
    const event = JSON.parse(payload) as { anonymousId?: unknown; userId?: unknown }
    return ids.some((id) => id === event.anonymousId || id === event.userId)
  } catch {
    return false
  }
}

/**
 * The erasure behind `forget()`: queues one `Data Erasure Requested` event naming the visitor's
 * ids (so the backend erases what it stored), removes the visitor's other queued events, resets
 * the identity, deletes the local state, then flushes. Events another visitor of this device left
 * in the queue are kept.
 */
export async function eraseVisitor(target: ErasureTarget): Promise<void> {
  const { core, queue } = target
  const { anonymousId, userId } = core.user()
  const erasure = core.track({ event: 'Data Erasure Requested', properties: { anonymousId: anonymousId ?? null, userId: userId ?? null } })
  const keep = erasure.ok ? erasure.messageId : undefined
  const ids = [anonymousId, userId].filter((id): id is string => id !== undefined)
  const mine = (await queue.peek()).filter((item) => item.id !== keep && belongsTo(item.payload, ids))
  await queue.remove(mine.map((item) => item.id))
  core.reset()
  target.forgetLocal()
  await core.flush()
}
