import { closeSync, openSync, readFileSync, unlinkSync, writeFileSync, writeSync } from 'node:fs'
import { join } from 'node:path'
import { EcrmError } from '@ecrm/core'

/** A held lock on a directory; `release` removes the lock file. Safe to call twice. */
export interface DirLock {
  readonly path: string
  readonly release: () => void
}

/** What a lock is for, in its errors. */
export interface LockDirOptions {
  /** The error's code. @default 'queue_locked' */
  readonly code?: string
  /** What could not be opened. @default 'Opening the file queue failed' */
  readonly failure?: string
  /** The fix when another process owns the directory. @default 'give each process its own queueDir' */
  readonly fix?: string
}

/**
 * Takes the lock file `<dir>/LOCK` holding this process's pid, so one process at a time owns a
 * directory: a file queue (leases live in memory, so two processes sharing a log would send the
 * same events twice and compact each other's records away), or PGlite's data folder (two
 * databases on one folder overwrite each other's pages). The lock turns that mistake into an error.
 *
 * A lock left by a process that no longer runs (a crash, a SIGKILL) is taken over. Not
 * guaranteed: a recycled pid that happens to be alive keeps the stale lock until it exits, and
 * two processes taking over the same stale lock in the same instant are not told apart.
 */
export function lockDir(dir: string, options: LockDirOptions = {}): DirLock {
  const {
    code = 'queue_locked',
    failure = 'Opening the file queue failed',
    fix = 'give each process its own queueDir',
  } = options
  const path = join(dir, 'LOCK')
  try {
    writeExclusive(path)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
    const owner = readOwner(path)
    if (owner !== undefined && owner !== process.pid && isAlive(owner)) {
      throw new EcrmError(code, `${failure}: ${dir} (process ${owner} owns it; ${fix})`)
    }
    if (owner === process.pid) {
      throw new EcrmError(code, `${failure}: ${dir} (this process has it open already; close() the other one first)`)
    }
    // Stale: the owner is gone. Overwrite in place rather than unlink + create, to keep the window small.
    writeFileSync(path, String(process.pid))
  }
  let held = true
  return {
    path,
    release() {
      if (!held) return
      held = false
      try {
        unlinkSync(path)
      } catch {
        // Already gone: nothing to release.
      }
    },
  }
}

function writeExclusive(path: string): void {
  const fd = openSync(path, 'wx')
  try {
    writeSync(fd, String(process.pid))
  } finally {
    closeSync(fd)
  }
}

function readOwner(path: string): number | undefined {
  try {
    const pid = Number.parseInt(readFileSync(path, 'utf8'), 10)
    return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined
  } catch {
    return undefined
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}
