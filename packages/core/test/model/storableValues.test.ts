import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { findJsonProblems, validateBatch, validateEvent } from '../../src/model/index.js'

const base = { type: 'track', event: 'Signed Up', messageId: 'm-1', anonymousId: 'a-1' }

/** The issues of an event that must be invalid (fails the test if it is valid). */
function issuesOf(value: unknown): readonly { path: readonly (string | number)[]; code: string; message: string }[] {
  const result = validateEvent(value)
  if (result.ok) throw new Error(`expected invalid, got valid: ${JSON.stringify(value)}`)
  return result.issues
}

describe('validateEvent: values a store cannot keep', () => {
  it.each([
    ['a NUL in a property', { properties: { note: 'a\u0000b' } }, ['properties', 'note'], 'nul_character'],
    ['a NUL in the event name', { event: 'Signed\u0000Up' }, ['event'], 'nul_character'],
    ['a NUL in the userId', { userId: 'u\u0000' }, ['userId'], 'nul_character'],
    ['a NUL in a key', { properties: { 'k\u0000': 1 } }, ['properties', 'k\u0000'], 'nul_character'],
    [
      'a lone high surrogate (half an emoji typed in)',
      { properties: { text: 'hi \ud83d' } },
      ['properties', 'text'],
      'unpaired_surrogate',
    ],
    [
      'a lone low surrogate in the context',
      { context: { page: { title: '\ude00 sale' } } },
      ['context', 'page', 'title'],
      'unpaired_surrogate',
    ],
    [
      'a NUL under an unknown top-level key',
      { extra: { deep: ['x', 'y\u0000'] } },
      ['extra', 'deep', 1],
      'nul_character',
    ],
  ])('refuses %s, at its path', (_name, extra, path, code) => {
    const issues = issuesOf({ ...base, ...extra })
    expect(issues).toContainEqual(expect.objectContaining({ path, code }))
  })

  it('accepts whole emoji and other astral characters', () => {
    expect(validateEvent({ ...base, properties: { text: 'on sale 😀👍🏽 𝄞' } })).toMatchObject({ ok: true })
  })

  it.each([
    ['year 0000', '0000-06-01T00:00:00Z', 'year 0000'],
    ['an offset of +23:59', '2026-01-01T00:00:00+23:59', '+23:59'],
    ['an offset of -16:00', '2026-01-01T00:00:00-16:00', '-16:00'],
  ])('refuses a timestamp in %s, naming it', (_name, timestamp, named) => {
    const issues = issuesOf({ ...base, timestamp })
    expect(issues).toHaveLength(1)
    expect(issues[0]?.path).toEqual(['timestamp'])
    expect(issues[0]?.message).toContain(named)
  })

  it('accepts the extremes PostgreSQL keeps: year 0001, 9999, offsets of ±15:59', () => {
    for (const timestamp of [
      '0001-01-01T00:00:00Z',
      '9999-12-31T23:59:59.999Z',
      '2026-01-01T00:00:00+15:59',
      '2026-01-01T00:00:00-15:59',
    ]) {
      expect(validateEvent({ ...base, timestamp })).toMatchObject({ ok: true })
    }
  })

  it('refuses any string holding a NUL or a lone surrogate, wherever it is', () => {
    const poison = fc.constantFrom('\u0000', '\ud800', '\udbff', '\udc00', '\udfff')
    const text = fc.tuple(fc.string(), poison, fc.string()).map(([before, bad, after]) => before + bad + after)
    fc.assert(
      fc.property(text, fc.constantFrom('properties', 'context', 'traits', 'extra'), (value, section) => {
        const event =
          section === 'traits'
            ? { ...base, type: 'identify', traits: { note: value } }
            : { ...base, [section]: { note: value } }
        expect(issuesOf(event).map((issue) => issue.path)).toContainEqual([section, 'note'])
      }),
    )
  })

  it('lists the poison event of a batch by index and path, and keeps the others', () => {
    const result = validateBatch({ batch: [base, { ...base, messageId: 'm-2', properties: { q: '\ud83d' } }] })
    expect(result.events.map(({ index }) => index)).toEqual([0])
    expect(result.invalid[0]?.issues[0]?.path).toEqual(['batch', 1, 'properties', 'q'])
  })
})

describe('findJsonProblems: text', () => {
  it('finds nothing in strings of whole characters', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (text) => {
        expect(findJsonProblems({ text })).toEqual([])
      }),
    )
  })
})
