import { afterEach, describe, expect, it } from 'vitest'
import { findSyntaxErrorPosition, parseJsonSafely, validateBatch } from '../../src/model/index.js'

afterEach(() => {
  // If a test ever polluted the prototype, clean up so other tests are not affected.
  delete (Object.prototype as Record<string, unknown>)['polluted']
})

/** A naive deep merge, as found in many codebases: the gadget prototype pollution needs. */
function naiveMerge(target: Record<string, any>, source: Record<string, any>): Record<string, any> {
  for (const key of Object.keys(source)) {
    if (typeof source[key] === 'object' && source[key] !== null) {
      target[key] ??= {}
      naiveMerge(target[key], source[key])
    } else {
      target[key] = source[key]
    }
  }
  return target
}

describe('parseJsonSafely', () => {
  it('parses valid JSON like JSON.parse', () => {
    const text = '{"batch":[{"type":"track","n":1.5e3,"s":"\\u00e9\\n","a":[true,false,null]}]}'
    expect(parseJsonSafely(text)).toEqual({ ok: true, value: JSON.parse(text) })
  })

  it('drops __proto__, constructor and prototype keys at every depth', () => {
    const text =
      '{"__proto__":{"polluted":1},"a":{"constructor":{"prototype":{"polluted":1}},"b":2},"list":[{"__proto__":{"polluted":1},"c":3}]}'
    const parsed = parseJsonSafely(text)
    expect(parsed).toEqual({ ok: true, value: { a: { b: 2 }, list: [{ c: 3 }] } })
    // The gadget: a naive merge of the raw JSON.parse output pollutes Object.prototype...
    naiveMerge({}, JSON.parse('{"__proto__":{"polluted":"yes"}}'))
    expect(({} as Record<string, unknown>)['polluted']).toBe('yes')
    delete (Object.prototype as Record<string, unknown>)['polluted']
    // ...the same merge of the safe parse does not.
    if (parsed.ok) naiveMerge({}, parsed.value as Record<string, unknown>)
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined()
  })

  it('yields a batch whose events validate without prototype keys', () => {
    const parsed = parseJsonSafely(
      '{"batch":[{"type":"track","messageId":"m","userId":"u","event":"X","properties":{"__proto__":{"isAdmin":true}}}]}',
    )
    expect(parsed.ok).toBe(true)
    const result = validateBatch(parsed.ok ? parsed.value : null)
    const event = result.events[0]?.event
    expect(event?.type === 'track' && event.properties).toEqual({})
    expect(({} as Record<string, unknown>)['isAdmin']).toBeUndefined()
  })

  // Positions counted by hand: 0-based offset of the first character that cannot continue the text.
  it.each([
    ['{"a":}', 5, 1, 6, 'unexpected "}"'], // the value after ':' is missing
    ['{"a":1', 6, 1, 7, 'unexpected end of input'], // the object is never closed
    ['{"a":1,\n"b": tru}', 13, 2, 6, 'unexpected "t"'], // "tru" is no literal; line 2 starts at 8
    ['', 0, 1, 1, 'unexpected end of input'],
    ['[1,2]x', 5, 1, 6, 'unexpected "x"'], // trailing garbage after a complete value
    ['[1,]', 3, 1, 4, 'unexpected "]"'], // trailing comma
    ["{'a':1}", 1, 1, 2, `unexpected "'"`], // single quotes
    ['{"a":"x\\q"}', 8, 1, 9, 'unexpected "q"'], // bad escape: points at the escape letter
    ['["line\nbreak"]', 6, 1, 7, 'unexpected "\\n"'], // raw control character inside a string
    ['{"a" 1}', 5, 1, 6, 'unexpected "1"'], // missing colon
    ['01', 1, 1, 2, 'unexpected "1"'], // leading zero
  ])('reports %j at position %i (line %i, column %i)', (text, position, line, column, found) => {
    const result = parseJsonSafely(text)
    expect(result).toEqual({
      ok: false,
      position,
      line,
      column,
      message: `invalid JSON at line ${line}, column ${column} (position ${position}): ${found}`,
    })
  })

  it('agrees with V8 where V8 states a position', () => {
    let compared = 0
    for (const text of ['{"a":1', '[1,2]x', '{"a":1 "b":2}', '[1 2]', '{"a":1,}']) {
      let v8Position: number | undefined
      try {
        JSON.parse(text)
      } catch (error) {
        const found = /at position (\d+)/.exec((error as Error).message)
        v8Position = found ? Number(found[1]) : undefined
      }
      if (v8Position === undefined) continue
      expect(findSyntaxErrorPosition(text)).toBe(v8Position)
      compared += 1
    }
    // Node 20+ states positions for these; an engine that states none makes this check vacuous.
    expect(compared).toBeGreaterThan(0)
  })

  it('handles deep nesting without overflowing the stack', () => {
    const depth = 200_000
    const result = parseJsonSafely('['.repeat(depth) + ']'.repeat(depth - 1) + '}')
    expect(result).toMatchObject({ ok: false, position: 2 * depth - 1 })
  })
})
