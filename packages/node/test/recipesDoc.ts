import { readFileSync } from 'node:fs'
import type { RuleDefinition } from '@ecrm/core'

/** One recipe of docs/recipes.md: its heading, where it runs, and its rule JSON as written. */
export interface DocRecipe {
  readonly title: string
  /** From the section's `**Runs on:** server, browser.` line. */
  readonly runsOn: readonly ('server' | 'browser')[]
  readonly rule: RuleDefinition
}

/** The path of docs/recipes.md, from this file. */
export const RECIPES_DOC = new URL('../../../docs/recipes.md', import.meta.url)

/**
 * Parses docs/recipes.md: each `## ` section holding a JSON code block is a recipe, and must say
 * where it runs. The doc is the test input, so a recipe edited there is what the tests run.
 * Throws, naming the section, for a section whose JSON does not parse or that lacks `Runs on`.
 */
export function readRecipes(text = readFileSync(RECIPES_DOC, 'utf8')): DocRecipe[] {
  const recipes: DocRecipe[] = []
  for (const section of text.split(/^## /m).slice(1)) {
    const title = section.slice(0, section.indexOf('\n')).trim()
    const block = /```json\n([\s\S]*?)\n```/.exec(section)
    if (block === null) continue
    let rule: RuleDefinition
    try {
      rule = JSON.parse(block[1] as string) as RuleDefinition
    } catch (error) {
      throw new Error(`docs/recipes.md: the JSON of "${title}" does not parse (${String(error)})`)
    }
    const runs = /\*\*Runs on:\*\* ([a-z, ]+)\./.exec(section)
    if (runs === null)
      throw new Error(`docs/recipes.md: "${title}" does not say where it runs (a "**Runs on:** server, browser." line)`)
    const runsOn = (runs[1] as string).split(',').map((place) => place.trim())
    for (const place of runsOn)
      if (place !== 'server' && place !== 'browser')
        throw new Error(`docs/recipes.md: "${title}" runs on "${place}" (expected server or browser)`)
    recipes.push({ title, runsOn: runsOn as DocRecipe['runsOn'], rule })
  }
  return recipes
}
