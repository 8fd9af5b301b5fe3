import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { sanitize } from '../../src/pipeline/sanitize.js'

const codesAt = (issues: readonly { path: readonly (string | number)[]; code: string }[]) =>
  issues.map((issue) => `${issue.path.join('.')}:${issue.code}`)

describe('sanitize', () => {
  it('keeps JSON values unchanged and warns about nothing', () => {
    const value = { a: 1, b: 'x', c: [true, null, { d: -2.5 }], e: {} }
    const result = sanitize(value, ['properties'])
    expect(result.value).toEqual(value)
    expect(result.issues).toEqual([])
  })

  it('drops undefined, functions and symbols in objects, nulls them in arrays', () => {
    const result = sanitize({ u: undefined, f: () => 1, s: Symbol('x'), list: [undefined, () => 1, Symbol('y'), 1] }, [
      'properties',
    ])
    expect(result.value).toEqual({ list: [null, null, null, 1] })
    expect(codesAt(result.issues)).toEqual([
      'properties.u:dropped_undefined',
      'properties.f:dropped_function',
      'properties.s:dropped_symbol',
      'properties.list.0:dropped_undefined',
      'properties.list.1:dropped_function',
      'properties.list.2:dropped_symbol',
    ])
  })

  it('turns BigInt into a string and NaN/±Infinity into null', () => {
    const result = sanitize({ big: 2n ** 70n, nan: NaN, inf: Infinity, ninf: -Infinity }, [])
    expect(result.value).toEqual({ big: '1180591620717411303424', nan: null, inf: null, ninf: null })
    expect(codesAt(result.issues)).toEqual([
      'big:bigint_to_string',
      'nan:non_finite_number',
      'inf:non_finite_number',
      'ninf:non_finite_number',
    ])
  })

  it('replaces cycles by "[Circular]" but copies shared references', () => {
    const shared = { k: 1 }
    const node: Record<string, unknown> = { name: 'root', shared, again: shared }
    node['self'] = node
    node['list'] = [node, { deeper: node }]
    const result = sanitize(node, ['traits'])
    expect(result.value).toEqual({
      name: 'root',
      shared: { k: 1 },
      again: { k: 1 },
      self: '[Circular]',
      list: ['[Circular]', { deeper: '[Circular]' }],
    })
    expect(codesAt(result.issues)).toEqual([
      'traits.self:circular_reference',
      'traits.list.0:circular_reference',
      'traits.list.1.deeper:circular_reference',
    ])
  })

  it('turns Dates into ISO strings and invalid Dates into null', () => {
    const result = sanitize({ at: new Date(Date.UTC(2026, 0, 2, 3, 4, 5, 6)), bad: new Date('nope') }, [])
    expect(result.value).toEqual({ at: '2026-01-02T03:04:05.006Z', bad: null })
    expect(codesAt(result.issues)).toEqual(['at:date_to_string', 'bad:invalid_date'])
  })

  it('turns a Map into an object and a Set into an array', () => {
    const result = sanitize(
      {
        m: new Map<unknown, unknown>([
          ['a', 1],
          [2, new Set(['x'])],
        ]),
        s: new Set([1, 2]),
      },
      [],
    )
    expect(result.value).toEqual({ m: { a: 1, '2': ['x'] }, s: [1, 2] })
    expect(codesAt(result.issues)).toEqual(['m:map_to_object', 'm.2:set_to_array', 's:set_to_array'])
  })

  it('reduces class instances to their own enumerable properties', () => {
    class Money {
      readonly amount = 42
      readonly currency = 'EUR'
      get doubled(): number {
        return this.amount * 2
      }
    }
    const result = sanitize({ price: new Money(), error: new TypeError('bad') }, [])
    expect(result.value).toEqual({
      price: { amount: 42, currency: 'EUR' },
      error: { name: 'TypeError', message: 'bad' },
    })
    expect(codesAt(result.issues)).toEqual(['price:instance_to_object', 'error:error_to_object'])
  })

  it('drops __proto__, constructor and prototype keys', () => {
    const input = JSON.parse(
      '{"__proto__":{"polluted":true},"constructor":{"prototype":{"x":1}},"prototype":1,"ok":1}',
    ) as unknown
    const result = sanitize(input, ['properties'])
    expect(result.value).toEqual({ ok: 1 })
    expect(Object.keys(result.value as object)).toEqual(['ok'])
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined()
    expect(codesAt(result.issues)).toEqual([
      'properties.__proto__:unsafe_key',
      'properties.constructor:unsafe_key',
      'properties.prototype:unsafe_key',
    ])
  })

  it('cuts nesting deeper than maxDepth', () => {
    let deep: unknown = 'bottom'
    for (let level = 0; level < 40; level += 1) deep = { next: deep }
    const result = sanitize(deep, [], { maxDepth: 32 })
    let cursor = result.value as Record<string, unknown>
    let depth = 0
    while (typeof cursor === 'object' && cursor !== null) {
      cursor = cursor['next'] as Record<string, unknown>
      depth += 1
    }
    expect(depth).toBe(32)
    expect(result.issues.map((issue) => issue.code)).toEqual(['too_deep'])
    expect(result.issues[0]?.path).toHaveLength(32)
  })

  it('survives throwing getters and proxies', () => {
    const hostile = {
      get boom(): never {
        throw new Error('no')
      },
    }
    const proxy = new Proxy(
      {},
      {
        ownKeys: () => {
          throw new Error('trap')
        },
      },
    )
    const result = sanitize({ ok: 1, hostile, proxy }, [])
    expect(result.value).toEqual({ ok: 1, hostile: null, proxy: null })
    expect(codesAt(result.issues)).toEqual(['hostile:unreadable_value', 'proxy:unreadable_value'])
  })

  it('caps the warnings of a huge bad array', () => {
    const result = sanitize(
      Array.from({ length: 1_000 }, () => undefined),
      ['p'],
    )
    expect(result.value).toHaveLength(1_000)
    expect(result.issues).toHaveLength(101)
    expect(result.issues.at(-1)).toMatchObject({ code: 'too_many_issues', message: 'and 900 more changes' })
  })

  it('never throws and always returns what JSON can carry (property)', () => {
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
          withBoxedValues: true,
        }),
        (value) => {
          const result = sanitize(value, ['properties'])
          if (result.value === undefined) return
          // A JSON round trip is the identity exactly when the value is plain JSON.
          expect(JSON.parse(JSON.stringify(result.value))).toEqual(result.value)
        },
      ),
      { numRuns: 300 },
    )
  })
})
