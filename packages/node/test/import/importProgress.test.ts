import { describe, expect, it } from 'vitest'
import { createProgress } from '../../src/cli/importProgress.js'

/** A stream that keeps what is written, as a terminal or as a pipe. */
const sink = (isTTY: boolean) => {
  const written: string[] = []
  return { isTTY, written, write: (text: string) => written.push(text) }
}

describe('ecrm import progress', () => {
  it('redraws one line in place on a terminal, and ends it with a line break', () => {
    const stream = sink(true)
    const progress = createProgress('orders.csv', stream)
    progress.update({ bytesRead: 25, totalBytes: 100, rows: 10 })
    progress.update({ bytesRead: 100, totalBytes: 100, rows: 40 })
    progress.end()
    expect(stream.written).toEqual([
      '\recrm import: orders.csv 25% (10 rows)',
      '\recrm import: orders.csv 100% (40 rows)',
      '\n',
    ])
  })

  it('writes a whole line per tenth of the file elsewhere, none for updates within the same tenth', () => {
    const stream = sink(false)
    const progress = createProgress('orders.csv', stream)
    for (const bytesRead of [1, 5, 12, 19, 35, 100, 100])
      progress.update({ bytesRead, totalBytes: 100, rows: bytesRead })
    progress.end()
    expect(stream.written).toEqual([
      'ecrm import: orders.csv 1% read (1 rows)\n',
      'ecrm import: orders.csv 12% read (12 rows)\n',
      'ecrm import: orders.csv 35% read (35 rows)\n',
      'ecrm import: orders.csv 100% read (100 rows)\n',
    ])
  })
})
