import { closeSync, fdatasync, fsyncSync, ftruncateSync, openSync, readFileSync, write } from 'node:fs'
import { rename } from 'node:fs/promises'
import { promisify } from 'node:util'
import { replayLog } from './queueLog.js'
import type { StoredItem } from './queueLog.js'

/** File-level steps of the file queue: open with recovery, and the atomic snapshot of compaction. */

const syncData = promisify(fdatasync)
const writeText = promisify(write) as (fd: number, text: string) => Promise<unknown>

/** Replays the log, cuts a torn tail and opens the file for appending. */
export function recover(
  path: string,
  onWarning: ((message: string) => void) | undefined,
): { fd: number; items: Map<string, StoredItem>; logBytes: number } {
  let bytes: Uint8Array
  try {
    bytes = readFileSync(path)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
    bytes = new Uint8Array(0)
  }
  const { items, validBytes, skippedRecords } = replayLog(bytes)
  const fd = openSync(path, 'a+')
  if (validBytes < bytes.length) {
    // A torn append must not run into the next record: cut it off before appending again.
    truncateFd(fd, validBytes)
    onWarning?.(`file queue: dropped a torn last record (${bytes.length - validBytes} bytes) in ${path}`)
  }
  if (skippedRecords > 0) onWarning?.(`file queue: skipped ${skippedRecords} unreadable record(s) in ${path}`)
  return { fd, items, logBytes: validBytes }
}

function truncateFd(fd: number, length: number): void {
  ftruncateSync(fd, length)
  fsyncSync(fd)
}

/**
 * Writes the chunks to a temporary file one by one (so a large queue never becomes one large
 * string), makes it durable, renames it over `path`. Returns an append fd and the bytes written.
 */
export async function writeSnapshot(
  dir: string,
  path: string,
  chunks: Iterable<string>,
  fsync: boolean,
): Promise<{ fd: number; bytes: number }> {
  const temporary = `${path}.compact`
  const tmpFd = openSync(temporary, 'w')
  let bytes = 0
  try {
    for (const chunk of chunks) {
      await writeText(tmpFd, chunk)
      bytes += Buffer.byteLength(chunk)
    }
    if (fsync) await syncData(tmpFd)
  } finally {
    closeSync(tmpFd)
  }
  await rename(temporary, path)
  if (fsync) syncDirectory(dir)
  return { fd: openSync(path, 'a+'), bytes }
}

/** Makes a rename durable on POSIX; some platforms cannot open a directory, which is harmless there. */
function syncDirectory(dir: string): void {
  try {
    const dirFd = openSync(dir, 'r')
    try {
      fsyncSync(dirFd)
    } finally {
      closeSync(dirFd)
    }
  } catch {
    // Windows: directories cannot be fsynced; NTFS journals the rename itself.
  }
}
