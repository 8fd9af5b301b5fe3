import { existsSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { assignVariant } from '../../src/experiments/assignVariant.js'
import type { Experiment } from '../../src/experiments/experimentSchema.js'
import type { JsonValue } from '../../src/model/envelope.js'
import { readQueryOverride } from '../../src/experiments/queryOverride.js'

// GrowthBook's SDK cases (MIT, ../shared/data/README.md). This file sits in test/experiments/, one
// folder deeper than test/*.test.ts, hence five levels up.
const casesPath = fileURLToPath(new URL('../../../../../shared/data/growthbook-cases.json', import.meta.url))
const exists = existsSync(casesPath)
if (!exists && process.env.CI === 'true') {
  throw new Error(`growthbook cases missing: ${casesPath} (CI must provide ../shared/data beside the repo)`)
}
const skipReason = exists ? '' : ` (skipped: ${casesPath} is absent)`

type RunCase = [
  name: string,
  context: { attributes?: Record<string, unknown>; forcedVariations?: Record<string, number>; url?: string } & Record<
    string,
    unknown
  >,
  experiment: { key: string; variations: JsonValue[] } & Record<string, unknown>,
  value: JsonValue,
  inExperiment: boolean,
  hashUsed: boolean,
]
interface Cases {
  run: RunCase[]
  getQueryStringOverride: [name: string, key: string, url: string, count: number, expected: number | null][]
}
const cases: Cases = exists
  ? (JSON.parse(readFileSync(casesPath, 'utf8')) as Cases)
  : { run: [], getQueryStringOverride: [] }

// The `run` cases that use only what assignVariant models. Left out: GrowthBook's Mongo-style
// conditions (ecrm targets with JsonLogic), filters, explicit ranges, groups, url targeting,
// parent conditions, qaMode and the enabled flag.
const experimentFields = new Set([
  'key',
  'variations',
  'weights',
  'coverage',
  'namespace',
  'force',
  'hashAttribute',
  'hashVersion',
  'seed',
  'active',
])
const contextFields = new Set(['attributes', 'forcedVariations', 'url'])
const supported = cases.run.filter(
  ([, context, experiment]) =>
    Object.keys(experiment).every((key) => experimentFields.has(key)) &&
    Object.keys(context).every((key) => contextFields.has(key)),
)

describe('assignVariant (GrowthBook run cases)', () => {
  it.skipIf(!exists)(`agrees on value, inExperiment and hashUsed for every supported case${skipReason}`, () => {
    expect(supported.length).toBeGreaterThanOrEqual(58) // 58 of the 73 run cases at spec 0.8.0
    const mismatches: unknown[] = []
    for (const [name, context, gbExperiment, value, inExperiment, hashUsed] of supported) {
      const experiment = {
        ...gbExperiment,
        variations: gbExperiment.variations.map((variationValue, index) => ({
          id: `v${index}`,
          value: variationValue,
        })),
        // GrowthBook defaults to the legacy hash; ecrm defaults to version 2.
        hashVersion: gbExperiment['hashVersion'] ?? 1,
      } as Experiment
      const result = assignVariant(experiment, context.attributes ?? {}, {
        queryPrefix: '',
        ...(context.url === undefined ? {} : { search: context.url }),
        ...(context.forcedVariations === undefined ? {} : { forcedVariations: context.forcedVariations }),
      })
      const actual = { name, value: result.value, inExperiment: result.inExperiment, hashUsed: result.hashUsed }
      const expected = { name, value, inExperiment, hashUsed }
      if (JSON.stringify(actual) !== JSON.stringify(expected)) mismatches.push({ actual, expected })
    }
    expect(mismatches).toEqual([])
  })
})

describe('readQueryOverride (GrowthBook getQueryStringOverride cases)', () => {
  it.skipIf(!exists)(`parses every published case${skipReason}`, () => {
    expect(cases.getQueryStringOverride.length).toBeGreaterThanOrEqual(16)
    for (const [name, key, url, count, expected] of cases.getQueryStringOverride) {
      expect({ name, index: readQueryOverride(url, key, count) }).toEqual({ name, index: expected })
    }
  })
})
