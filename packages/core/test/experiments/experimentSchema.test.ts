import { describe, expect, it } from 'vitest'
import { EcrmValidationError } from '../../src/errors.js'
import { parseExperiment } from '../../src/experiments/experimentSchema.js'

describe('parseExperiment', () => {
  it('accepts a full definition unchanged', () => {
    const input = {
      key: 'form-length',
      variations: [{ id: 'long' }, { id: 'short', value: { fields: 3 } }],
      weights: [0.5, 0.5],
      coverage: 0.8,
      namespace: ['forms', 0, 0.5],
      condition: { '==': [{ var: 'country' }, 'DE'] },
      hashVersion: 2,
      bucketVersion: 1,
    }
    expect(parseExperiment(input)).toEqual(input)
  })

  it('lists every problem with its path', () => {
    let caught: unknown
    try {
      parseExperiment({
        key: '',
        variations: [{ id: 'a' }, { id: 'a' }],
        weights: [0.5, 0.4],
        namespace: ['ns', 0.6, 0.2],
        hashVersion: 3,
        force: 4,
      })
    } catch (error) {
      caught = error
    }
    expect(caught).toBeInstanceOf(EcrmValidationError)
    const issues = (caught as EcrmValidationError).issues
    const paths = issues.map((issue) => issue.path.join('.'))
    expect(paths).toEqual(expect.arrayContaining(['key', 'hashVersion']))
    // zod skips refinements when the shape already failed; check them on a well-shaped input.
    expect((caught as Error).message).toMatch(/^parseExperiment\(\) was given an invalid experiment: /)
    try {
      parseExperiment({
        key: 'k',
        variations: [{ id: 'a' }, { id: 'a' }],
        weights: [0.5, 0.4],
        namespace: ['ns', 0.6, 0.2],
        force: 4,
      })
    } catch (error) {
      caught = error
    }
    const refined = (caught as EcrmValidationError).issues.map((issue) => [issue.path.join('.'), issue.message])
    expect(refined).toEqual([
      ['variations.1.id', 'duplicate variation id "a"'],
      ['weights', 'weights sum to 0.9, expected 1'],
      ['namespace.2', 'the namespace end must be above its start'],
      ['force', 'no variation at index 4'],
    ])
  })

  it('rejects unknown fields and a single variation', () => {
    expect(() => parseExperiment({ key: 'k', variations: [{ id: 'a' }], colour: 'red' })).toThrow(
      /variations.*colour|colour.*variations/s,
    )
  })
})
