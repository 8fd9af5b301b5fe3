/** Collects log lines and writes them in groups: one write (and one fsync) per group. */
export interface GroupCommit {
  /** Adds a line to the group being collected; resolves once that group is written. */
  readonly add: (line: string) => Promise<void>
  /** Resolves once everything added so far is written (rejects if that group failed). */
  readonly settled: () => Promise<void>
}

/** Options of {@link createGroupCommit}. */
export interface GroupCommitOptions {
  /**
   * Writes one group. Called with no other group in flight; its synchronous part runs in the same
   * turn the group is closed, so it sees exactly the state those lines describe.
   */
  readonly write: (lines: string[]) => Promise<void>
}

/**
 * Group commit: every line added during one event-loop turn, and while the previous group is
 * still being written, goes out in a single write. Under load, groups grow, so the cost of an
 * fsync is shared by more operations instead of throttling each one.
 */
export function createGroupCommit({ write }: GroupCommitOptions): GroupCommit {
  let lines: string[] = []
  let collecting: Promise<void> | undefined
  let tail: Promise<void> = Promise.resolve()
  let last: Promise<void> = Promise.resolve()

  function startGroup(): Promise<void> {
    let resolve!: () => void
    let reject!: (error: unknown) => void
    const group = new Promise<void>((res, rej) => {
      resolve = res
      reject = rej
    })
    // Callers await it; this only stops a group nobody awaited from crashing the process.
    group.catch(() => undefined)
    tail = tail
      .then(nextTurn)
      .then(() => {
        collecting = undefined
        const batch = lines
        lines = []
        return write(batch)
      })
      .then(resolve, reject)
    collecting = group
    last = group
    return group
  }

  return {
    add(line) {
      lines.push(line)
      return collecting ?? startGroup()
    },
    settled: () => collecting ?? last,
  }
}

function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve))
}
