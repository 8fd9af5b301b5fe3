import { describe, expect, it } from 'vitest'
import { isEcrmError } from '../../src/errors.js'
import { assignVariant } from '../../src/experiments/assignVariant.js'
import { chooseVariation, getBucketRanges } from '../../src/experiments/bucketRanges.js'
import type { Experiment } from '../../src/experiments/experimentSchema.js'
import { hashFnv } from '../../src/experiments/hashFnv.js'
import type { JsonValue } from '../../src/model/envelope.js'

/** A Map-backed store: the fake for the sticky KeyValueStore. */
function memoryStore() {
  const map = new Map<string, string>()
  return { map, get: (key: string) => map.get(key), set: (key: string, value: string) => void map.set(key, value) }
}

const experiment: Experiment = {
  key: 'checkout-cta',
  variations: [
    { id: 'control', value: 'Buy' },
    { id: 'urgent', value: 'Buy now' },
  ],
}

/** Expected arm computed from the published primitives rather than from assignVariant itself. */
function expectedIndex(id: string, exp: Experiment): number {
  const n = hashFnv(exp.seed ?? exp.key, id, exp.hashVersion ?? 2) ?? -1
  return chooseVariation(n, getBucketRanges(exp.variations.length, exp.coverage ?? 1, exp.weights))
}

/** A tiny condition evaluator for tests: `{ "==": [{ "var": "country" }, "DE"] }` only. */
const evaluate = (condition: JsonValue, data: Readonly<Record<string, unknown>>): boolean => {
  const [left, right] = (condition as { '==': [{ var: string }, JsonValue] })['==']
  return data[left.var] === right
}

describe('assignVariant', () => {
  it('buckets by hash version 2 of key + id by default, and reports the variation', () => {
    for (const id of ['u1', 'u2', 'u3', 'u4', 'u5', 'u6']) {
      const result = assignVariant(experiment, { id })
      expect(result.variationIndex).toBe(expectedIndex(id, experiment))
      expect(result).toMatchObject({ inExperiment: true, hashUsed: true, reason: 'assigned' })
      expect(result.variationId).toBe(experiment.variations[result.variationIndex]?.id)
      expect(result.value).toBe(experiment.variations[result.variationIndex]?.value)
    }
  })

  it('splits 10,000 visitors close to the weights', () => {
    const weighted: Experiment = { ...experiment, weights: [0.2, 0.8] }
    let urgent = 0
    for (let index = 0; index < 10_000; index++) {
      if (assignVariant(weighted, { id: `visitor-${index}` }).variationId === 'urgent') urgent++
    }
    // Binomial(10000, 0.8): sd = 40; allow 4 sd.
    expect(Math.abs(urgent - 8000)).toBeLessThan(160)
  })

  it('leaves visitors outside the coverage share in the control, not in the experiment', () => {
    const half: Experiment = { ...experiment, coverage: 0.5 }
    let outside = 0
    for (let index = 0; index < 2000; index++) {
      const id = `v${index}`
      const result = assignVariant(half, { id })
      const expected = expectedIndex(id, half)
      if (expected < 0) {
        outside++
        expect(result).toMatchObject({
          inExperiment: false,
          variationIndex: 0,
          variationId: 'control',
          reason: 'not_covered',
        })
      } else expect(result.variationIndex).toBe(expected)
    }
    expect(Math.abs(outside - 1000)).toBeLessThan(100) // Binomial(2000, 0.5): sd 22
  })

  it('keeps mutually exclusive experiments in disjoint namespace slices', () => {
    const left: Experiment = { ...experiment, key: 'left', namespace: ['checkout', 0, 0.5] }
    const right: Experiment = { ...experiment, key: 'right', namespace: ['checkout', 0.5, 1] }
    for (let index = 0; index < 500; index++) {
      const subject = { id: `v${index}` }
      const inLeft = assignVariant(left, subject).inExperiment
      const inRight = assignVariant(right, subject).inExperiment
      expect(inLeft !== inRight).toBe(true)
    }
  })

  it('uses the hash attribute the experiment names', () => {
    const byAnonymous: Experiment = { ...experiment, hashAttribute: 'anonymousId' }
    expect(assignVariant(byAnonymous, { id: 'u1' }).reason).toBe('no_hash_value')
    const result = assignVariant(byAnonymous, { id: 'u1', anonymousId: 'a-7' })
    expect(result.variationIndex).toBe(expectedIndex('a-7', byAnonymous))
  })

  it('targets with the injected condition evaluator', () => {
    const targeted: Experiment = { ...experiment, condition: { '==': [{ var: 'country' }, 'DE'] } }
    expect(assignVariant(targeted, { id: 'u1', country: 'FR' }, { evaluate }).reason).toBe('condition_failed')
    expect(assignVariant(targeted, { id: 'u1', country: 'DE' }, { evaluate }).inExperiment).toBe(true)
  })

  it('throws a clear error for a condition without an evaluator', () => {
    const targeted: Experiment = { ...experiment, condition: true }
    let caught: unknown
    try {
      assignVariant(targeted, { id: 'u1' })
    } catch (error) {
      caught = error
    }
    expect(isEcrmError(caught)).toBe(true)
    expect((caught as Error).message).toMatch(/checkout-cta.*options\.evaluate/)
  })

  it('keeps a sticky assignment when weights, coverage and targeting change, until bucketVersion moves', () => {
    const sticky = memoryStore()
    // Find a visitor the 50/50 split puts in 'urgent'.
    const id = ['a', 'b', 'c', 'd', 'e', 'f', 'g'].find((candidate) => expectedIndex(candidate, experiment) === 1) ?? ''
    expect(assignVariant(experiment, { id }, { sticky }).variationId).toBe('urgent')
    expect([...sticky.map.values()]).toEqual(['urgent'])
    const changed: Experiment = { ...experiment, weights: [1, 0], coverage: 0.01, condition: false }
    expect(assignVariant(changed, { id }, { sticky, evaluate })).toMatchObject({
      variationId: 'urgent',
      reason: 'sticky',
      inExperiment: true,
      hashUsed: false,
    })
    const rebucketed = assignVariant({ ...experiment, weights: [1, 0], bucketVersion: 1 }, { id }, { sticky })
    expect(rebucketed).toMatchObject({ variationId: 'control', reason: 'assigned' })
  })

  it('honours a QA override in the query string, and ignores a bad one', () => {
    const forced = assignVariant(experiment, { id: 'u1' }, { search: '?utm_source=x&ecrm_exp_checkout-cta=1' })
    expect(forced).toMatchObject({
      variationId: 'urgent',
      inExperiment: true,
      hashUsed: false,
      reason: 'query_override',
    })
    const control = assignVariant(experiment, {}, { search: 'https://shop.example/p?ecrm_exp_checkout-cta=0#top' })
    expect(control).toMatchObject({ variationId: 'control', reason: 'query_override' })
    expect(assignVariant(experiment, { id: 'u1' }, { search: '?ecrm_exp_checkout-cta=7' }).reason).toBe('assigned')
    expect(assignVariant(experiment, { id: 'u1' }, { search: '?ecrm_exp_checkout-cta=%E0%A4%A' }).reason).toBe(
      'assigned',
    )
  })

  it('honours forced variations, and shows the control when the experiment is inactive', () => {
    expect(assignVariant(experiment, { id: 'u1' }, { forcedVariations: { 'checkout-cta': 1 } })).toMatchObject({
      variationId: 'urgent',
      reason: 'forced',
    })
    expect(assignVariant({ ...experiment, active: false }, { id: 'u1' })).toMatchObject({
      inExperiment: false,
      variationId: 'control',
      value: 'Buy',
      reason: 'inactive',
    })
  })

  it('is deterministic: the same subject gets the same arm on every call', () => {
    const first = assignVariant(experiment, { id: 'repeat-me' })
    for (let index = 0; index < 5; index++) expect(assignVariant(experiment, { id: 'repeat-me' })).toEqual(first)
  })
})
