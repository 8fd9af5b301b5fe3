import { describe, expect, it } from 'vitest'
import { createBrowserId } from '../src/browserId.js'

describe('createBrowserId', () => {
  it('returns RFC 9562 version-4 UUIDs, a fresh one each call', () => {
    const ids = Array.from({ length: 1_000 }, createBrowserId)
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
    expect(new Set(ids).size).toBe(ids.length)
  })
})
