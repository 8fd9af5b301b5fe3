import { closeSync, fdatasync, mkdirSync, write } from 'node:fs'
import { promisify } from 'node:util'
import { join } from 'node:path'
import { EcrmError } from '@ecrm/core'
import type { LeaseRequest, MeasuredQueue, QueueItem, QueueUsage } from '@ecrm/core'
import { lockDir } from './dirLock.js'
import { encodeEnqueue, encodeRemove, encodeReschedule } from './queueLog.js'
import type { StoredItem } from './queueLog.js'
import { createGroupCommit } from './groupCommit.js'
import { recover, writeSnapshot } from './logFile.js'

const writeText = promisify(write) as (fd: number, text: string) => Promise<unknown>
const syncData = promisify(fdatasync)

/** Options of {@link createFileQueue}. */
export interface FileQueueOptions {
  /** Directory of the queue (created if missing); one process owns it at a time. */
  readonly dir: string
  /** Compact when the log is larger than its live records × this. @default 2 */
  readonly compactionRatio?: number
  /**
   * Never compact a log smaller than this, in bytes. A compaction rewrites every live item, so a
   * small floor makes a steady queue of a few MB rewrite itself every few MB appended (it doubled
   * the disk writes in bench/node); 32 MiB of log replays in well under a second on open.
   * @default 33_554_432 (32 MiB)
   */
  readonly minCompactionBytes?: number
  /**
   * `fdatasync` after each group of writes. Turn off only where losing the last few
   * milliseconds of events to a power cut is fine (a process crash loses nothing either way).
   * @default true
   */
  readonly fsync?: boolean
  /** Told about recovery (torn tail cut, corrupt records skipped). @default silent */
  readonly onWarning?: (message: string) => void
}

/** A {@link MeasuredQueue} on an append-only file, plus lifecycle methods. */
export interface FileQueue extends MeasuredQueue {
  /** Resolves once every operation so far is on disk. */
  readonly sync: () => Promise<void>
  /** Writes what is pending, closes the log and releases the lock. Later calls reject. Idempotent. */
  readonly close: () => Promise<void>
  /** The log file's path. */
  readonly path: string
  /** Items and their payload bytes now (every payload is held in memory too, not only on disk). */
  readonly usage: () => QueueUsage
}

/**
 * Opens (or creates) a durable queue in `dir`: an append-only log of operations, written in
 * groups (all operations of one event-loop turn share one write and one fsync), compacted when
 * it grows past its live data × `compactionRatio`, and replayed on open, skipping a torn last
 * record. Leases are kept in memory only: they mean "this process is sending it", and a restart
 * ends every send, so after a crash every unacknowledged event is due again (at-least-once).
 *
 * Opening is synchronous (lock, read, replay) so a bad directory fails at start-up.
 * Every returned promise resolves only once its operation is on disk, and `lease` hands out an
 * item only once its enqueue is on disk, so nothing is ever sent that a crash could forget.
 *
 * @example
 * const queue = createFileQueue({ dir: '.ecrm-queue' })
 * await queue.enqueue([item])
 * const due = await queue.lease({ now: Date.now(), limit: 100, leaseMs: 30_000 })
 * await queue.remove(due.map((i) => i.id))
 * await queue.close()
 */
export function createFileQueue({
  dir,
  compactionRatio = 2,
  minCompactionBytes = 33_554_432,
  fsync = true,
  onWarning,
}: FileQueueOptions): FileQueue {
  mkdirSync(dir, { recursive: true })
  const lock = lockDir(dir)
  const path = join(dir, 'queue.log')
  let fd: number
  let items: Map<string, StoredItem>
  let logBytes: number
  try {
    ;({ fd, items, logBytes } = recover(path, onWarning))
  } catch (error) {
    lock.release()
    throw error
  }
  const leases = new Map<string, number>()
  /** Items whose enqueue record is not on disk yet, with the group that will put it there. */
  const unwritten = new Map<string, Promise<void>>()
  let liveChars = 0
  // Summed payload bytes of the live items, for usage().
  let liveBytes = 0
  for (const item of items.values()) {
    liveChars += item.payload.length + 64
    liveBytes += item.bytes
  }
  let isClosed = false

  const commits = createGroupCommit({
    // Runs synchronously at the start of a group, so a snapshot taken here reflects exactly the
    // operations in `lines` and none after.
    write(lines) {
      const pending = lines.join('')
      if (logBytes + pending.length > Math.max(minCompactionBytes, liveChars * compactionRatio)) return compact()
      return append(pending)
    },
  })

  async function append(text: string): Promise<void> {
    await writeText(fd, text)
    logBytes += Buffer.byteLength(text)
    if (fsync) await syncData(fd)
  }

  async function compact(): Promise<void> {
    // The state at this instant, as shallow copies (payloads shared, not re-encoded yet): later
    // releases change the live items, never these. Encoded and written a chunk at a time, so
    // compacting a large queue needs no second copy of it in memory.
    const snapshot = Array.from(items.values(), copy)
    const next = await writeSnapshot(dir, path, encodeChunks(snapshot), fsync)
    closeSync(fd)
    fd = next.fd
    logBytes = next.bytes
  }

  function assertOpen(method: string): void {
    if (isClosed) {
      throw new EcrmError('queue_closed', `FileQueue.${method}() failed: ${dir} (the queue was closed; open a new one)`)
    }
  }

  function copy(item: StoredItem): QueueItem {
    return { ...item }
  }

  function reschedule(kind: 'r' | 'd', ids: readonly string[], availableAt: number): Promise<void> {
    assertOpen(kind === 'r' ? 'release' : 'defer')
    const known: string[] = []
    for (const id of ids) {
      const item = items.get(id)
      if (item === undefined) continue
      leases.delete(id)
      item.availableAt = availableAt
      if (kind === 'r') item.attempts += 1
      known.push(id)
    }
    return known.length === 0 ? Promise.resolve() : commits.add(encodeReschedule(kind, known, availableAt))
  }

  return {
    path,
    enqueue(batch) {
      assertOpen('enqueue')
      let added: Promise<void> | undefined
      const ids: string[] = []
      for (const item of batch) {
        if (items.has(item.id)) continue
        const stored: StoredItem = { ...item }
        items.set(item.id, stored)
        liveChars += item.payload.length + 64
        liveBytes += item.bytes
        added = commits.add(encodeEnqueue(stored))
        ids.push(item.id)
      }
      if (added === undefined) return commits.settled()
      const group = added
      for (const id of ids) unwritten.set(id, group)
      const written = (): void => {
        for (const id of ids) if (unwritten.get(id) === group) unwritten.delete(id)
      }
      group.then(written, written)
      return group
    },
    async lease({ now, limit, leaseMs }: LeaseRequest) {
      assertOpen('lease')
      const taken: QueueItem[] = []
      let pending: Promise<void> | undefined
      for (const item of items.values()) {
        if (taken.length >= limit) break
        if (item.availableAt > now) continue
        const until = leases.get(item.id)
        if (until !== undefined && until > now) continue
        leases.set(item.id, now + leaseMs)
        taken.push(copy(item))
        // Groups are written in order: waiting for the last one a taken item is in is enough.
        pending = unwritten.get(item.id) ?? pending
      }
      // Write-ahead: an item leaves only once its enqueue is durable. Only the groups holding the
      // taken items are waited for, not the writes of this turn (removes, newer enqueues), so a
      // delivery pass running beside a stream of new events does not wait a commit per lease.
      if (pending !== undefined) await pending
      return taken
    },
    remove(ids) {
      assertOpen('remove')
      const known: string[] = []
      for (const id of ids) {
        const item = items.get(id)
        if (item === undefined) continue
        items.delete(id)
        leases.delete(id)
        liveChars -= item.payload.length + 64
        liveBytes -= item.bytes
        known.push(id)
      }
      return known.length === 0 ? Promise.resolve() : commits.add(encodeRemove(known))
    },
    release: (ids, availableAt) => reschedule('r', ids, availableAt),
    defer: (ids, availableAt) => reschedule('d', ids, availableAt),
    async peek() {
      assertOpen('peek')
      return Array.from(items.values(), copy)
    },
    async size() {
      assertOpen('size')
      return items.size
    },
    usage: () => ({ events: items.size, bytes: liveBytes }),
    sync: () => commits.settled(),
    async close() {
      if (isClosed) return
      isClosed = true
      try {
        await commits.settled()
      } finally {
        closeSync(fd)
        lock.release()
      }
    },
  }
}

/** Enqueue records of `items`, about `chunkItems` to a string. */
function* encodeChunks(items: readonly QueueItem[], chunkItems = 1_000): Generator<string> {
  for (let start = 0; start < items.length; start += chunkItems) {
    let text = ''
    for (const item of items.slice(start, start + chunkItems)) text += encodeEnqueue(item)
    yield text
  }
}
