import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

// The browser keeps the visitor's profile and scores it, so these entry points must not pull zod
// into the bundle: only `import type` may reach a schema module.
const src = new URL('../../src/', import.meta.url)

/** Every module reachable through value imports (not `import type`) from `entry`. */
function valueImports(entry: string): Set<string> {
  const seen = new Set<string>()
  const visit = (path: string): void => {
    if (seen.has(path)) return
    seen.add(path)
    const text = readFileSync(fileURLToPath(new URL(path, src)), 'utf8')
    for (const match of text.matchAll(/^(?:import|export) (?!type )[^;]*? from '([^']+)'/gms)) {
      const target = match[1] ?? ''
      if (!target.startsWith('.')) {
        seen.add(target)
        continue
      }
      visit(new URL(target.replace(/\.js$/, '.ts'), new URL(path, src)).href.slice(src.href.length))
    }
  }
  visit(entry)
  return seen
}

describe('browser-side intelligence', () => {
  for (const entry of [
    'profile/reduceProfile.ts',
    'profile/mergeProfiles.ts',
    'profile/queryProfile.ts',
    'rfm/index.ts',
    'leads/scoreLead.ts',
  ]) {
    it(`${entry} does not reach zod`, () => {
      const reached = valueImports(entry)
      expect(reached.size).toBeGreaterThan(1)
      expect(
        [...reached].filter(
          (module) => module === 'zod' || module.endsWith('Schema.ts') || module.includes('envelope'),
        ),
      ).toEqual([])
    })
  }

  it('sees zod where it is imported (the check can fail)', () => {
    expect(valueImports('leads/leadModelSchema.ts').has('zod')).toBe(true)
  })
})
