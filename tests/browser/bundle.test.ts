import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { BUNDLE, ONSITE_BUNDLE, SNIPPET, requireBundles } from './storefront.js'

// Their sizes are budgeted by size-limit (.size-limit.json at the root), run by `npm test`.
describe('the built browser bundles', () => {
  requireBundles()
  const bundles = [BUNDLE, ONSITE_BUNDLE].map((file) => readFileSync(file, 'utf8'))
  const snippet = readFileSync(SNIPPET, 'utf8')

  it('ship no zod', () => {
    for (const bundle of bundles) {
      for (const marker of ['_zod', 'ZodError', '$ZodType', 'zod']) expect(bundle).not.toContain(marker)
    }
  })

  it('run no eval and write no HTML (strict-CSP safe)', () => {
    for (const code of [...bundles, snippet]) {
      expect(code).not.toMatch(/\beval\(/)
      expect(code).not.toMatch(/new Function\(/)
      expect(code).not.toMatch(/\.innerHTML\s*=/)
    }
  })
})
