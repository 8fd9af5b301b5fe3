/**
 * Runs the packages' README examples as a user pastes them: each `ts` block is written to a file
 * inside the repository (so `@ecrm/*` resolve to the built packages) and imported; every
 * `console.log(x) // → value` line must print that value.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { afterAll, describe, expect, it, vi } from 'vitest'

const root = join(import.meta.dirname, '..', '..')
const work = mkdtempSync(join(root, 'tests', 'docs', '.run-'))
afterAll(() => rmSync(work, { recursive: true, force: true }))

/** The `ts` blocks of a markdown file, in order. */
function tsBlocks(markdown: string): string[] {
  return [...markdown.matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((match) => match[1] ?? '')
}

/** The values a block promises to print, in order (`// → value`, parsed as JSON). */
function promisedOutput(block: string): unknown[] {
  return [...block.matchAll(/console\.log\(.*\)\s*\/\/ → (.+)$/gm)].map((match) => JSON.parse(match[1] ?? 'null'))
}

describe.each(['core'])('packages/%s/README.md', (pkg) => {
  const blocks = tsBlocks(readFileSync(join(root, 'packages', pkg, 'README.md'), 'utf8'))

  it('has examples', () => {
    expect(blocks.length).toBeGreaterThan(0)
  })

  it.each(blocks.map((block, index) => [index + 1, block] as const))('example %i runs and prints what it says', async (index, block) => {
    const file = join(work, `${pkg}-${index}.ts`)
    writeFileSync(file, block)
    const printed: unknown[] = []
    const log = vi.spyOn(console, 'log').mockImplementation((value: unknown) => void printed.push(value))
    try {
      await import(pathToFileURL(file).href)
    } finally {
      log.mockRestore()
    }
    const promised = promisedOutput(block)
    expect(promised.length).toBeGreaterThan(0)
    expect(printed).toEqual(promised)
  })
})
