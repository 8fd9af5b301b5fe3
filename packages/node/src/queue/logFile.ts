import { closeSync, fdatasync, fsyncSync, ftruncateSync, openSync, readFileSync } from 'node:fs'
import { rename, writeFile } from 'node:fs/promises'
import { promisify } from 'node:util'
import { replayLog } from './queueLog.js'
import type { StoredItem } from './queueLog.js'

/** File-level steps of the file queue: open with recovery, and the atomic snapshot of compaction. */

const syncData = promisify(fdatasync)

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

/** Writes `text` to a temporary file, makes it durable, renames it over `path`, returns an append fd. */
export async function writeSnapshot(dir: string, path: string, text: string, fsync: boolean): Promise<number> {
  const temporary = `${path}.compact`
  await writeFile(temporary, text)
  if (fsync) {
    const tmpFd = openSync(temporary, 'r+')
    try {
      await syncData(tmpFd)
    } finally {
      closeSync(tmpFd)
    }
  }
  await rename(temporary, path)
  if (fsync) syncDirectory(dir)
  return openSync(path, 'a+')
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
