import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import { BUNDLE, SNIPPET, requireBundles } from './storefront.js'

interface Budget {
  readonly path: string
  readonly gzip: boolean
  /** size-limit notation, e.g. "18 kB" (1 kB = 1000 bytes) or "470 B". */
  readonly limit: string
}

const budgets = JSON.parse(
  readFileSync(fileURLToPath(new URL('../../packages/browser/.size-limit.json', import.meta.url)), 'utf8'),
) as Budget[]

const toBytes = (limit: string): number => {
  const [, value, unit] = /^([\d.]+)\s*(B|kB)$/.exec(limit) ?? []
  if (value === undefined) throw new Error(`Unreadable size-limit budget: ${limit}`)
  return Number(value) * (unit === 'kB' ? 1000 : 1)
}

describe('the built browser bundles', () => {
  requireBundles()
  const bundle = readFileSync(BUNDLE, 'utf8')
  const snippet = readFileSync(SNIPPET, 'utf8')

  it('stay within the size budgets of packages/browser/.size-limit.json', () => {
    for (const budget of budgets) {
      const text = readFileSync(fileURLToPath(new URL(`../../packages/browser/${budget.path}`, import.meta.url)))
      const size = budget.gzip ? gzipSync(text, { level: 9 }).length : text.length
      console.info(`[size] ${budget.path}${budget.gzip ? ' gzip' : ''}: ${size} B (budget ${budget.limit})`)
      expect(size, `${budget.path} grew past its budget`).toBeLessThanOrEqual(toBytes(budget.limit))
    }
    expect(snippet.length).toBeLessThanOrEqual(1024)
  })

  it('ship no zod and no eval (strict-CSP safe)', () => {
    for (const marker of ['_zod', 'ZodError', '$ZodType', 'zod']) expect(bundle).not.toContain(marker)
    for (const code of [bundle, snippet]) {
      expect(code).not.toMatch(/\beval\(/)
      expect(code).not.toMatch(/new Function\(/)
      expect(code).not.toMatch(/\.innerHTML\s*=/)
    }
  })
})
