import { existsSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { chooseVariation, getBucketRanges, getEqualWeights, inNamespace } from '../../src/experiments/bucketRanges.js'
import type { BucketRange, Namespace } from '../../src/experiments/bucketRanges.js'
import { hashFnv } from '../../src/experiments/hashFnv.js'

// GrowthBook's cross-language SDK cases (spec 0.8.0, MIT), see ../shared/data/README.md beside the repo.
// Five levels up: this file sits one folder deeper (test/experiments/) than the usual test/*.test.ts.
const casesPath = fileURLToPath(new URL('../../../../../shared/data/growthbook-cases.json', import.meta.url))
const exists = existsSync(casesPath)
if (!exists && process.env.CI === 'true') {
  throw new Error(`growthbook cases missing: ${casesPath} (CI must provide ../shared/data beside the repo)`)
}
const skipReason = exists ? '' : ` (skipped: ${casesPath} is absent)`

interface Cases {
  hash: [seed: string, value: string, version: number, expected: number | null][]
  getBucketRange: [name: string, args: [number, number, number[] | null], expected: BucketRange[]][]
  chooseVariation: [name: string, n: number, ranges: BucketRange[], expected: number][]
  inNamespace: [name: string, id: string, namespace: Namespace, expected: boolean][]
  getEqualWeights: [count: number, expected: number[]][]
}
const cases: Cases = exists
  ? (JSON.parse(readFileSync(casesPath, 'utf8')) as Cases)
  : { hash: [], getBucketRange: [], chooseVariation: [], inNamespace: [], getEqualWeights: [] }

/** The upstream cases round to what they print; compare at that precision. */
const round = (value: number, digits: number): number => Number(value.toFixed(digits))

describe('hashFnv (GrowthBook hash cases)', () => {
  it.skipIf(!exists)(`matches every published hash, versions 1 and 2, and null for others${skipReason}`, () => {
    expect(cases.hash.length).toBeGreaterThanOrEqual(15)
    for (const [seed, value, version, expected] of cases.hash) {
      const actual = hashFnv(seed, value, version)
      expect({ seed, value, version, actual: actual === null ? null : round(actual, 4) }).toEqual({
        seed,
        value,
        version,
        actual: expected,
      })
    }
  })
})

describe('getBucketRanges (GrowthBook getBucketRange cases)', () => {
  it.skipIf(!exists)(`lays out every published range${skipReason}`, () => {
    expect(cases.getBucketRange.length).toBeGreaterThanOrEqual(13)
    for (const [name, [count, coverage, weights], expected] of cases.getBucketRange) {
      const ranges = getBucketRanges(count, coverage, weights).map(([start, end]) => [round(start, 6), round(end, 6)])
      expect({ name, ranges }).toEqual({ name, ranges: expected })
    }
  })
})

describe('chooseVariation (GrowthBook cases)', () => {
  it.skipIf(!exists)(`picks every published variation${skipReason}`, () => {
    expect(cases.chooseVariation.length).toBeGreaterThanOrEqual(13)
    for (const [name, n, ranges, expected] of cases.chooseVariation) {
      expect({ name, index: chooseVariation(n, ranges) }).toEqual({ name, index: expected })
    }
  })
})

describe('inNamespace (GrowthBook cases)', () => {
  it.skipIf(!exists)(`agrees with every published namespace case${skipReason}`, () => {
    expect(cases.inNamespace.length).toBeGreaterThanOrEqual(16)
    for (const [name, id, namespace, expected] of cases.inNamespace) {
      expect({ name, inside: inNamespace(id, namespace) }).toEqual({ name, inside: expected })
    }
  })
})

describe('getEqualWeights (GrowthBook cases)', () => {
  it.skipIf(!exists)(`splits evenly as published${skipReason}`, () => {
    expect(cases.getEqualWeights.length).toBeGreaterThanOrEqual(6)
    for (const [count, expected] of cases.getEqualWeights) {
      const weights = getEqualWeights(count)
      expect(weights).toHaveLength(expected.length)
      for (const [index, weight] of weights.entries()) expect(weight).toBeCloseTo(expected[index] ?? Number.NaN, 8)
    }
  })
})
