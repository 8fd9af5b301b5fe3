/**
 * Runs docs/kpis.md's store example as a user pastes it (written inside the repository so
 * `@ecrm/*` resolve), checking every `console.log(x) // → value` it promises.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { afterAll, expect, it, vi } from 'vitest'
import { promisedOutput, tsBlocks } from '../support/docExamples.js'

const root = join(import.meta.dirname, '..', '..')
const work = mkdtempSync(join(root, 'tests', 'docs', '.run-'))
afterAll(() => rmSync(work, { recursive: true, force: true }))

it('runs the example of "From the store" in docs/kpis.md and prints what it says', async () => {
  const markdown = readFileSync(join(root, 'docs', 'kpis.md'), 'utf8')
  const [block] = tsBlocks(markdown.slice(markdown.indexOf('## From the store')))
  expect(block).toContain('queryKpis')
  const file = join(work, 'kpis-store.ts')
  writeFileSync(file, block ?? '')
  const printed: unknown[] = []
  const log = vi.spyOn(console, 'log').mockImplementation((value: unknown) => void printed.push(value))
  try {
    await import(pathToFileURL(file).href)
  } finally {
    log.mockRestore()
  }
  expect(printed).toEqual(promisedOutput(block ?? ''))
  expect(printed).toHaveLength(3)
})
