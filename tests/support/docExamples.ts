/** Reading the runnable examples of a markdown page: its `ts` blocks and what they promise to print. */

/** The `ts` blocks of a markdown file, in order. */
export function tsBlocks(markdown: string): string[] {
  return [...markdown.matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((match) => match[1] ?? '')
}

/** The values a block promises to print, in order (`// → value`, parsed as JSON). */
export function promisedOutput(block: string): unknown[] {
  return [...block.matchAll(/console\.log\(.*\)\s*\/\/ → (.+)$/gm)].map((match) => JSON.parse(match[1] ?? 'null'))
}
