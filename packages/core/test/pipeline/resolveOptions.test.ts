import { describe, expect, it } from 'vitest'
import { checkModes, resolveOptions } from '../../src/pipeline/resolveOptions.js'
import type { CoreClientOptions } from '../../src/pipeline/clientTypes.js'

const base = { writeKey: 'wk', endpoint: 'https://collect.shop.example' }
const resolve = (extra: object): ReturnType<typeof resolveOptions> =>
  resolveOptions({ ...base, ...extra } as CoreClientOptions)

describe('resolveOptions', () => {
  it('fills every default', () => {
    expect(resolveOptions(base)).toEqual({
      ...base,
      batch: { maxEvents: 100, maxBytes: 500_000, flushIntervalMs: 5_000 },
      retry: { maxAttempts: 10, baseDelayMs: 1_000, maxDelayMs: 300_000, maxAgeMs: 604_800_000 },
      limits: { maxEvents: 10_000, maxBytes: 5_000_000, maxEventBytes: 32_768, maxHeldEvents: 1_000 },
      requestTimeoutMs: 10_000,
      leaseMs: 30_000,
    })
  })

  it('floors counts, allows 0 for waits only, and keeps other numbers as given', () => {
    const resolved = resolve({
      batch: { maxEvents: 2.7, flushIntervalMs: 0 },
      retry: { baseDelayMs: 0, maxDelayMs: 0 },
      limits: { maxBytes: 1.5 },
      leaseMs: 2.5,
    })
    expect(resolved.batch).toEqual({ maxEvents: 2, maxBytes: 500_000, flushIntervalMs: 0 })
    expect(resolved.retry).toMatchObject({ baseDelayMs: 0, maxDelayMs: 0 })
    expect(resolved.limits.maxBytes).toBe(1.5)
    expect(resolved.leaseMs).toBe(2.5)
  })

  it('names the option and what it expected for a bad number, null included', () => {
    expect(() => resolve({ limits: { maxBytes: 0 } })).toThrow(
      'Invalid option: limits.maxBytes (expected a number above 0, got 0)',
    )
    expect(() => resolve({ retry: { baseDelayMs: -1 } })).toThrow(
      'retry.baseDelayMs (expected a number of at least 0, got -1)',
    )
    expect(() => resolve({ requestTimeoutMs: null })).toThrow('requestTimeoutMs (expected a number above 0, got null)')
    expect(() => resolve({ batch: { maxBytes: NaN } })).toThrow(/batch\.maxBytes/)
    expect(() => resolve({ batch: { maxBytes: '5' } })).toThrow(/batch\.maxBytes/)
  })

  it('refuses a count below 1, which would floor to 0', () => {
    expect(() => resolve({ batch: { maxEvents: 0.5 } })).toThrow(
      'Invalid option: batch.maxEvents (expected a number of at least 1, got 0.5)',
    )
    expect(() => resolve({ retry: { maxAttempts: 0 } })).toThrow(
      /retry\.maxAttempts \(expected a number of at least 1, got 0\)/,
    )
    expect(() => resolve({ limits: { maxHeldEvents: 0.99 } })).toThrow(/limits\.maxHeldEvents/)
    expect(resolve({ batch: { maxEvents: 1 }, limits: { maxEvents: 1.5 } })).toMatchObject({
      batch: { maxEvents: 1 },
      limits: { maxEvents: 1 },
    })
  })

  it('names no factory, so browser and node users read the same message', () => {
    expect(() => resolve({ writeKey: '' })).toThrow(/^Invalid option: writeKey \(pass your source's write key\)$/)
  })

  it('refuses a missing write key, a non-http endpoint and unknown modes', () => {
    expect(() => resolveOptions(null as never)).toThrow(/options \(pass an object/)
    expect(() => resolve({ writeKey: ' ' })).toThrow(/writeKey/)
    expect(() => resolve({ endpoint: 'ftp://x' })).toThrow(/endpoint \(expected an http\(s\) URL/)
  })
})

describe('checkModes', () => {
  const check = (extra: object): void => checkModes({ ...base, ...extra } as CoreClientOptions)

  it('accepts the modes, and their absence', () => {
    for (const extra of [
      {},
      { headers: 'simple' },
      { headers: 'full' },
      { identity: 'persisted' },
      { identity: 'none' },
    ])
      expect(() => check(extra)).not.toThrow()
  })

  it('refuses unknown modes, naming the option and the values it takes', () => {
    expect(() => check({ headers: 'none' })).toThrow("Invalid option: headers (expected 'simple' or 'full')")
    expect(() => check({ identity: null })).toThrow("Invalid option: identity (expected 'persisted' or 'none')")
  })
})
