import type { QueueItem } from '@ecrm/core'

/**
 * The file queue's on-disk format: one JSON array per line, appended, never rewritten in place
 * (compaction writes a new file and renames it over the old one).
 *
 * - `["e", id, payload, bytes, priority, createdAt, attempts, availableAt]` enqueue
 * - `["x", [ids]]` remove
 * - `["r", [ids], availableAt]` release (one more attempt)
 * - `["d", [ids], availableAt]` defer (attempts unchanged)
 *
 * A record is complete only with its trailing newline. A crash mid-append leaves a torn last line,
 * which recovery drops: the operation it held was never acknowledged (its fsync had not returned).
 */

/** A queue item as the queue keeps it; fields change on release and defer. */
export interface StoredItem {
  id: string
  payload: string
  bytes: number
  priority: number
  createdAt: number
  attempts: number
  availableAt: number
}

/** Encodes an enqueue record, newline included. */
export function encodeEnqueue(item: QueueItem | StoredItem): string {
  return (
    JSON.stringify([
      'e',
      item.id,
      item.payload,
      item.bytes,
      item.priority,
      item.createdAt,
      item.attempts,
      item.availableAt,
    ]) + '\n'
  )
}

/** Encodes a remove record, newline included. */
export function encodeRemove(ids: readonly string[]): string {
  return JSON.stringify(['x', ids]) + '\n'
}

/** Encodes a release (`r`) or defer (`d`) record, newline included. */
export function encodeReschedule(kind: 'r' | 'd', ids: readonly string[], availableAt: number): string {
  return JSON.stringify([kind, ids, availableAt]) + '\n'
}

/** What replaying a log found. */
export interface ReplayResult {
  /** Live items, in enqueue order. */
  readonly items: Map<string, StoredItem>
  /** Bytes of complete records; anything after is a torn tail to cut off. */
  readonly validBytes: number
  /** Complete lines that did not parse as a record (corruption), skipped. */
  readonly skippedRecords: number
  /** Complete records read. */
  readonly records: number
}

const NEWLINE = 0x0a

/** Rebuilds the queue from a log file's bytes, dropping a torn last record. */
export function replayLog(bytes: Uint8Array): ReplayResult {
  const items = new Map<string, StoredItem>()
  const validBytes = bytes.lastIndexOf(NEWLINE) + 1
  // UTF-8 never uses 0x0A inside a multi-byte character, so cutting at a newline byte is safe.
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, validBytes).toString('utf8')
  let skippedRecords = 0
  let records = 0
  let start = 0
  while (start < text.length) {
    const end = text.indexOf('\n', start)
    const line = text.slice(start, end)
    start = end + 1
    if (line.length === 0) continue
    records += 1
    if (!applyRecord(items, line)) skippedRecords += 1
  }
  return { items, validBytes, skippedRecords, records }
}

function applyRecord(items: Map<string, StoredItem>, line: string): boolean {
  let record: unknown
  try {
    record = JSON.parse(line)
  } catch {
    return false
  }
  if (!Array.isArray(record)) return false
  const [kind] = record as unknown[]
  if (kind === 'e') return applyEnqueue(items, record as unknown[])
  if (kind === 'x' && Array.isArray(record[1])) {
    for (const id of record[1] as unknown[]) if (typeof id === 'string') items.delete(id)
    return true
  }
  if ((kind === 'r' || kind === 'd') && Array.isArray(record[1]) && typeof record[2] === 'number') {
    for (const id of record[1] as unknown[]) {
      const item = typeof id === 'string' ? items.get(id) : undefined
      if (item === undefined) continue
      item.availableAt = record[2]
      if (kind === 'r') item.attempts += 1
    }
    return true
  }
  return false
}

function applyEnqueue(items: Map<string, StoredItem>, record: unknown[]): boolean {
  const [, id, payload, bytes, priority, createdAt, attempts, availableAt] = record
  if (
    typeof id !== 'string' ||
    typeof payload !== 'string' ||
    typeof bytes !== 'number' ||
    typeof priority !== 'number' ||
    typeof createdAt !== 'number' ||
    typeof attempts !== 'number' ||
    typeof availableAt !== 'number'
  ) {
    return false
  }
  if (!items.has(id)) items.set(id, { id, payload, bytes, priority, createdAt, attempts, availableAt })
  return true
}
