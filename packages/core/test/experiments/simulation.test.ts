import { describe, expect, it } from 'vitest'
import { analyzeExperiment } from '../../src/experiments/analyzeExperiment.js'
import { assignVariant } from '../../src/experiments/assignVariant.js'
import type { ConversionRecord, ExposureRecord } from '../../src/experiments/collectVariantStats.js'
import type { Experiment } from '../../src/experiments/experimentSchema.js'

/** xorshift32 (Marsaglia 2003): a seeded, reproducible uniform generator in [0, 1). */
function createRandom(seed: number): () => number {
  let state = seed >>> 0 || 0x9e3779b9
  return () => {
    state ^= state << 13
    state >>>= 0
    state ^= state >>> 17
    state ^= state << 5
    state >>>= 0
    return state / 4294967296
  }
}

/**
 * One simulated experiment: `visitors` visitors are bucketed by assignVariant (the real hash, so
 * the SRM check also tests the hash's balance) and convert with their arm's true rate.
 */
function simulate(key: string, visitors: number, rates: Readonly<Record<string, number>>, seed: number) {
  const experiment: Experiment = { key, variations: [{ id: 'control' }, { id: 'treatment' }] }
  const random = createRandom(seed)
  const exposures: ExposureRecord[] = []
  const conversions: ConversionRecord[] = []
  for (let index = 0; index < visitors; index++) {
    const visitorId = `${key}-visitor-${index}`
    const { variationId } = assignVariant(experiment, { id: visitorId })
    exposures.push({ visitorId, variationId })
    if (random() < (rates[variationId] ?? 0)) conversions.push({ visitorId, value: 1 })
  }
  return analyzeExperiment(exposures, conversions, { metric: 'conversion', experiment })
}

describe('analyzeExperiment (simulation)', () => {
  // Design. A 10 % relative lift on a 20 % baseline (20 % → 22 %) with 10,000 visitors (5,000 an
  // arm) has only 69 % power: z = 0.02 / √(0.2·0.8/5000 + 0.22·0.78/5000) = 2.456, power =
  // Φ(2.456 − 1.960) = 0.69. At a 40 % baseline (40 % → 44 %, still +10 % relative) the same
  // 10,000 visitors give z = 0.04 / √(0.4·0.6/5000 + 0.44·0.56/5000) = 4.056 and power
  // Φ(4.056 − 1.960) = 0.982, so we simulate that.
  it('finds a true +10 % lift (40 % → 44 %) in 10,000 visitors', () => {
    const report = simulate('lift', 10_000, { control: 0.4, treatment: 0.44 }, 20_261_123)
    const treatment = report.variants[1]
    if (process.env.ECRM_SIM_LOG) console.log('lift run', JSON.stringify(report.variants), report.decision)
    expect(report.sampleRatio.isAlarm).toBe(false)
    expect(report.decision).toMatchObject({ status: 'winner', winnerId: 'treatment' })
    // The 95 % interval of the lift should hold the truth (it does in 95 % of seeds).
    expect(treatment?.lift?.lower).toBeLessThan(0.1)
    expect(treatment?.lift?.upper).toBeGreaterThan(0.1)
    // A significant two-sided z-test at 0.05 implies a posterior chance above ~0.975 under a flat prior.
    expect(treatment?.chanceToBeatControl).toBeGreaterThan(0.97)
  })

  it('has the designed power: finds the lift in at least 36 of 40 independent runs', () => {
    // Expected 0.982 · 40 = 39.3 finds; P(≤ 35 finds | power 0.982) = 0.00075.
    let found = 0
    for (let run = 0; run < 40; run++) {
      const report = simulate(`power-${run}`, 10_000, { control: 0.4, treatment: 0.44 }, 1000 + run)
      if (report.decision.winnerId === 'treatment') found++
    }
    if (process.env.ECRM_SIM_LOG) console.log('power runs found', found)
    expect(found).toBeGreaterThanOrEqual(36)
  })

  it('calls an A/A test a winner no more often than the nominal 5 % over 400 runs', () => {
    // 400 A/A runs of 10,000 visitors at 40 %. Each run has its own experiment key, so its own
    // hash split. Under H0 a two-sided test at 0.05 calls a winner (either arm) in 5 % of runs:
    // Binomial(400, 0.05) has mean 20, sd 4.36; P(≥ 36) = 0.0006 and P(≤ 4) = 0.00001, so a
    // calibrated test lands in [5, 35]. SRM alarms at p < 0.001: mean 0.4, P(≥ 4) = 0.0008.
    let winners = 0
    let alarms = 0
    for (let run = 0; run < 400; run++) {
      const report = simulate(`aa-${run}`, 10_000, { control: 0.4, treatment: 0.4 }, 7_000 + run)
      if (report.decision.status === 'winner') winners++
      if (report.sampleRatio.isAlarm) alarms++
    }
    if (process.env.ECRM_SIM_LOG) console.log('A/A winners', winners, 'SRM alarms', alarms)
    expect(winners).toBeLessThanOrEqual(35)
    expect(winners).toBeGreaterThanOrEqual(5)
    expect(alarms).toBeLessThanOrEqual(3)
    // ~6 s on one core: 4 million hashed assignments and 400 analyses.
  }, 20_000)
})
