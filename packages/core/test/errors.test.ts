import { describe, expect, it } from 'vitest'
import { EcrmError, EcrmValidationError, formatPath, isEcrmError } from '../src/errors.js'

describe('EcrmValidationError', () => {
  it('names each path and message in its message', () => {
    const error = new EcrmValidationError('track() was given a bad event', [
      { path: ['properties', 'price'], message: 'expected a number', code: 'invalid_type' },
      { path: [], message: 'too large', code: 'too_big' },
    ])
    expect(error.message).toBe(
      'track() was given a bad event: properties.price (expected a number); (root) (too large)',
    )
    expect(error.code).toBe('validation_failed')
    expect(isEcrmError(error)).toBe(true)
  })
})

describe('isEcrmError', () => {
  it('recognises ecrm errors and nothing else', () => {
    expect(isEcrmError(new EcrmError('x', 'y'))).toBe(true)
    expect(isEcrmError(new Error('y'))).toBe(false)
    expect(isEcrmError(null)).toBe(false)
  })
})

describe('formatPath', () => {
  it('renders indexes in brackets', () => {
    expect(formatPath(['batch', 3, 'properties', 'price'])).toBe('batch[3].properties.price')
  })
})
