import { writeFileSync } from 'node:fs'
import { pathToFileURL } from 'node:url'
import { vi } from 'vitest'

/** Reading the runnable examples of a markdown page: its `ts` blocks and what they promise to print. */

/** The `ts` blocks of a markdown file, in order. */
export function tsBlocks(markdown: string): string[] {
  return [...markdown.matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((match) => match[1] ?? '')
}

/** The values a block promises to print, in order (`// → value`, parsed as JSON). */
export function promisedOutput(block: string): unknown[] {
  return [...block.matchAll(/console\.log\(.*\)\s*\/\/ → (.+)$/gm)].map((match) => JSON.parse(match[1] ?? 'null'))
}

/** Writes `block` to `file`, imports it, and returns what it printed with `console.log`, in order. */
export async function runPrinting(file: string, block: string): Promise<unknown[]> {
  writeFileSync(file, block)
  const printed: unknown[] = []
  const log = vi.spyOn(console, 'log').mockImplementation((value: unknown) => void printed.push(value))
  try {
    await import(pathToFileURL(file).href)
  } finally {
    log.mockRestore()
  }
  return printed
}
