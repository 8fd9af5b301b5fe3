import { describe, expect, it } from 'vitest'
import { backoffDelay, classifyOutcome, parseRetryAfter } from '../../src/pipeline/retryPolicy.js'

const NOW = Date.parse('2026-01-01T00:00:00.000Z')
const response = (status: number, retryAfter: string | null = null) =>
  ({ type: 'response', status, retryAfter }) as const

describe('classifyOutcome', () => {
  it('delivers on any 2xx', () => {
    for (const status of [200, 201, 202, 204, 299])
      expect(classifyOutcome(response(status), NOW)).toEqual({ kind: 'delivered' })
  })

  it('retries 408, 429 and 5xx, network errors and timeouts', () => {
    for (const status of [408, 429, 500, 502, 503, 504, 599])
      expect(classifyOutcome(response(status), NOW)).toEqual({ kind: 'retry' })
    expect(classifyOutcome({ type: 'network-error', cause: new Error('ECONNRESET') }, NOW)).toEqual({ kind: 'retry' })
    expect(classifyOutcome({ type: 'timeout' }, NOW)).toEqual({ kind: 'retry' })
  })

  it('honours Retry-After on a retryable status', () => {
    expect(classifyOutcome(response(429, '30'), NOW)).toEqual({ kind: 'retry', retryAfterMs: 30_000 })
    expect(classifyOutcome(response(503, 'Thu, 01 Jan 2026 00:02:00 GMT'), NOW)).toEqual({
      kind: 'retry',
      retryAfterMs: 120_000,
    })
  })

  it('splits on 413', () => {
    expect(classifyOutcome(response(413), NOW)).toEqual({ kind: 'split' })
  })

  it('dead-letters 400, 401, 403, 404, 422 and other 4xx, naming the status', () => {
    for (const status of [400, 401, 403, 404, 409, 422]) {
      const verdict = classifyOutcome(response(status, '30'), NOW)
      expect(verdict.kind).toBe('dead_letter')
      expect(verdict.kind === 'dead_letter' && verdict.reason).toContain(String(status))
    }
  })
})

describe('parseRetryAfter', () => {
  it('reads delay-seconds', () => {
    expect(parseRetryAfter('0', NOW)).toBe(0)
    expect(parseRetryAfter('30', NOW)).toBe(30_000)
    expect(parseRetryAfter(' 120 ', NOW)).toBe(120_000)
  })

  it('reads the three HTTP-date forms of RFC 9110 §5.6.7', () => {
    // RFC 9110's own example date, Sunday 6 November 1994 08:49:37 GMT, in its three forms.
    const at = Date.UTC(1994, 10, 6, 8, 49, 37)
    for (const form of [
      'Sun, 06 Nov 1994 08:49:37 GMT',
      'Sunday, 06-Nov-94 08:49:37 GMT',
      'Sun Nov  6 08:49:37 1994',
    ]) {
      expect(parseRetryAfter(form, at - 5_000)).toBe(5_000)
    }
  })

  it('gives 0 for a date in the past and undefined for nothing or nonsense', () => {
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:28:00 GMT', NOW)).toBe(0)
    expect(parseRetryAfter(null, NOW)).toBeUndefined()
    expect(parseRetryAfter('', NOW)).toBeUndefined()
    expect(parseRetryAfter('-5', NOW)).toBeUndefined()
    expect(parseRetryAfter('1.5', NOW)).toBeUndefined()
    expect(parseRetryAfter('soon', NOW)).toBeUndefined()
  })
})

describe('backoffDelay', () => {
  const options = { baseDelayMs: 1_000, maxDelayMs: 300_000 }

  it('draws uniformly below base · 2^(attempt−1) (full jitter)', () => {
    expect(backoffDelay(1, options, () => 0.5)).toBe(500)
    expect(backoffDelay(3, options, () => 0.5)).toBe(2_000)
    expect(backoffDelay(5, options, () => 0.999)).toBe(15_984)
    expect(backoffDelay(4, options, () => 0)).toBe(0)
  })

  it('never exceeds maxDelayMs, even for huge attempt counts', () => {
    expect(backoffDelay(20, options, () => 0.5)).toBe(150_000)
    expect(backoffDelay(10_000, options, () => 0.999_999)).toBeLessThan(300_000)
  })
})
