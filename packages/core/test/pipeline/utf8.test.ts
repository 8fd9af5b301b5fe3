import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { encodeBase64, utf8Length } from '../../src/pipeline/utf8.js'

describe('encodeBase64', () => {
  it('matches the RFC 4648 §10 test vectors', () => {
    const vectors: [string, string][] = [
      ['', ''],
      ['f', 'Zg=='],
      ['fo', 'Zm8='],
      ['foo', 'Zm9v'],
      ['foob', 'Zm9vYg=='],
      ['fooba', 'Zm9vYmE='],
      ['foobar', 'Zm9vYmFy'],
    ]
    for (const [input, output] of vectors) expect(encodeBase64(input)).toBe(output)
  })

  it('encodes the UTF-8 bytes of any string like Buffer does', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => {
        expect(encodeBase64(text)).toBe(Buffer.from(text, 'utf8').toString('base64'))
      }),
    )
  })
})

describe('utf8Length', () => {
  it('counts 1 to 4 bytes a code point', () => {
    expect(utf8Length('a')).toBe(1)
    expect(utf8Length('é')).toBe(2)
    expect(utf8Length('€')).toBe(3)
    expect(utf8Length('😀')).toBe(4)
  })

  it('agrees with Buffer.byteLength for any string, lone surrogates included', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => {
        expect(utf8Length(text)).toBe(Buffer.byteLength(text, 'utf8'))
      }),
    )
    expect(utf8Length('\ud800x')).toBe(Buffer.byteLength('\ud800x', 'utf8'))
  })
})
