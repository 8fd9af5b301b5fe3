/** Where progress goes: stderr, or any stream with the same two members. */
export interface ProgressStream {
  readonly isTTY?: boolean
  write(text: string): unknown
}

/** A file's import progress on stderr. */
export interface Progress {
  readonly update: (progress: { bytesRead: number; totalBytes: number; rows: number }) => void
  /** Ends the line a terminal's progress was redrawing. */
  readonly end: () => void
}

/** Rows between two progress lines of a source without a size (a query), off a terminal. */
const ROWS_PER_LINE = 10_000

/**
 * Import progress: on a terminal one line redrawn in place (`\r`), elsewhere (CI logs, pipes) one
 * line each time another tenth of the file is read (for a query, another 10,000 rows), so a log
 * shows that a long import moves without filling up with redraws.
 */
export function createProgress(file: string, stream: ProgressStream): Progress {
  let lastTenth = -1
  let drawn = false
  return {
    update: ({ bytesRead, totalBytes, rows }) => {
      const percent = Math.floor((100 * bytesRead) / Math.max(totalBytes, 1))
      if (stream.isTTY === true) {
        stream.write(`\recrm import: ${file} ${totalBytes === 0 ? '' : `${percent}% `}(${rows} rows)`)
        drawn = true
        return
      }
      if (totalBytes === 0) {
        const step = Math.floor(rows / ROWS_PER_LINE)
        if (step > lastTenth && step > 0) stream.write(`ecrm import: ${file} ${rows} rows\n`)
        lastTenth = Math.max(lastTenth, step)
        return
      }
      const tenth = Math.floor(percent / 10)
      if (tenth <= lastTenth) return
      lastTenth = tenth
      stream.write(`ecrm import: ${file} ${percent}% read (${rows} rows)\n`)
    },
    end: () => {
      if (drawn) stream.write('\n')
      drawn = false
    },
  }
}
