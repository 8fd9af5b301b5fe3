import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const dist = fileURLToPath(new URL('../../packages/react/dist/', import.meta.url))

describe('the built @ecrm/react', () => {
  it("keeps 'use client' on every module, so the Next.js App Router treats the hooks as client code", () => {
    if (!existsSync(dist)) throw new Error(`Missing ${dist}: run \`npm run build\` before the e2e tests`)
    const modules = readdirSync(dist).filter((name) => name.endsWith('.js'))
    expect(modules.length).toBeGreaterThan(0)
    for (const name of modules) {
      expect(readFileSync(dist + name, 'utf8').startsWith("'use client'"), name).toBe(true)
    }
  })
})
