/**
 * Runs docs/kpis.md's store example as a user pastes it (written inside the repository so
 * `@ecrm/*` resolve), checking every `console.log(x) // → value` it promises.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, expect, it } from 'vitest'
import { promisedOutput, runPrinting, tsBlocks } from '../support/docExamples.js'

const root = join(import.meta.dirname, '..', '..')
const work = mkdtempSync(join(root, 'tests', 'docs', '.run-'))
afterAll(() => rmSync(work, { recursive: true, force: true }))

it('runs the example of "From the store" in docs/kpis.md and prints what it says', async () => {
  const markdown = readFileSync(join(root, 'docs', 'kpis.md'), 'utf8')
  const [block] = tsBlocks(markdown.slice(markdown.indexOf('## From the store')))
  expect(block).toContain('queryKpis')
  const file = join(work, 'kpis-store.ts')
  const printed = await runPrinting(file, block ?? '')
  expect(printed).toEqual(promisedOutput(block ?? ''))
  expect(printed).toHaveLength(3)
})
