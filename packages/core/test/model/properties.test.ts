import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  findJsonProblems,
  knownEventSchemas,
  parseJsonSafely,
  validateBatch,
  validateEvent,
} from '../../src/model/index.js'

const names = Object.keys(knownEventSchemas)

/** Events that look almost right: a real envelope and a known name around arbitrary properties. */
const nearlyValidEvent = fc.record({
  type: fc.constantFrom('track', 'identify', 'page', 'screen', 'group', 'alias', 'other'),
  messageId: fc.string(),
  userId: fc.option(fc.string(), { nil: undefined }),
  event: fc.constantFrom(...names, 'order completed', 'constructor', '__proto__'),
  properties: fc.oneof(
    fc.anything(),
    fc.dictionary(
      fc.constantFrom('order_id', 'price', 'products', 'score', 'type', 'survey_id', 'product_id', 'currency'),
      fc.anything(),
    ),
  ),
  traits: fc.anything(),
})

describe('validateEvent (properties)', () => {
  it('never throws on any value', () => {
    fc.assert(
      fc.property(
        fc.anything({
          withBigInt: true,
          withDate: true,
          withMap: true,
          withSet: true,
          withTypedArray: true,
          withSparseArray: true,
          withNullPrototype: true,
        }),
        (value) => {
          const result = validateEvent(value)
          expect(typeof result.ok).toBe('boolean')
        },
      ),
      { numRuns: 500 },
    )
  })

  it('never throws on any JSON, and reports issues with paths when it refuses', () => {
    fc.assert(
      fc.property(fc.json(), (text) => {
        const result = validateEvent(JSON.parse(text))
        if (!result.ok) expect(result.issues.length).toBeGreaterThan(0)
        if (!result.ok)
          for (const issue of result.issues) expect(Array.isArray(issue.path) && issue.message.length > 0).toBe(true)
      }),
      { numRuns: 500 },
    )
  })

  it('never throws on nearly valid events, and every accepted event is returned unchanged', () => {
    fc.assert(
      fc.property(nearlyValidEvent, (value) => {
        const result = validateEvent(value)
        if (result.ok) expect(result.event).toEqual(value)
      }),
      { numRuns: 1000 },
    )
  })

  it('validateBatch never throws and accounts for every item exactly once', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(nearlyValidEvent, fc.anything()), { minLength: 1, maxLength: 10 }), (batch) => {
        const result = validateBatch({ batch })
        const indexes = [...result.events.map((item) => item.index), ...result.invalid.map((item) => item.index)]
        expect(indexes.sort((a, b) => a - b)).toEqual(batch.map((_, index) => index))
      }),
      { numRuns: 300 },
    )
  })
})

describe('findJsonProblems (properties)', () => {
  it('finds nothing in any JSON value', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(findJsonProblems(value)).toEqual([])
      }),
    )
  })
})

describe('parseJsonSafely (properties)', () => {
  it('matches JSON.parse on any JSON text, less the keys that could reach a prototype', () => {
    // fc.json() does generate "__proto__" and "constructor" keys: those are the documented difference.
    const unsafeKeys = new Set(['__proto__', 'constructor', 'prototype'])
    const withoutUnsafeKeys = (text: string): unknown =>
      JSON.parse(text, (key, value: unknown) => (unsafeKeys.has(key) ? undefined : value))
    fc.assert(
      fc.property(fc.json(), (text) => {
        expect(parseJsonSafely(text)).toEqual({ ok: true, value: withoutUnsafeKeys(text) })
      }),
    )
    expect(parseJsonSafely('{"__proto__":false,"a":1}')).toEqual({ ok: true, value: { a: 1 } })
  })

  it('never throws, fails exactly when JSON.parse does, and points inside the text', () => {
    const corrupted = fc
      .tuple(fc.json(), fc.nat(), fc.constantFrom('{', '}', '[', ']', ',', ':', '"', '\\', 'x', ' ', '-', '0'))
      .map(([text, at, char]) => {
        const index = at % (text.length + 1)
        return text.slice(0, index) + char + text.slice(index)
      })
    fc.assert(
      fc.property(fc.oneof(corrupted, fc.string()), (text) => {
        let valid = true
        try {
          JSON.parse(text)
        } catch {
          valid = false
        }
        const result = parseJsonSafely(text)
        expect(result.ok).toBe(valid)
        if (!result.ok) {
          expect(result.position).toBeGreaterThanOrEqual(0)
          expect(result.position).toBeLessThanOrEqual(text.length)
        }
      }),
      { numRuns: 1000 },
    )
  })

  it('never lets a dangerous key through', () => {
    const dangerous = fc.constantFrom('__proto__', 'constructor', 'prototype')
    const tree = fc.letrec((tie) => ({
      node: fc.oneof(
        { depthSize: 'small' },
        fc.integer(),
        fc.array(tie('node'), { maxLength: 3 }),
        fc.dictionary(fc.oneof(dangerous, fc.string()), tie('node'), { maxKeys: 3 }),
      ),
    })).node
    // The generator does produce texts with those keys (else this test would prove nothing).
    expect(fc.sample(tree, 200).some((value) => /"__proto__":/.test(JSON.stringify(value)))).toBe(true)
    fc.assert(
      fc.property(tree, (value) => {
        const text = JSON.stringify(value)
        const parsed = parseJsonSafely(text)
        expect(parsed.ok).toBe(true)
        expect(JSON.stringify(parsed.ok && parsed.value)).not.toMatch(/"(__proto__|constructor|prototype)":/)
      }),
    )
  })
})
