import { describe, expect, it } from 'vitest'
import { analyzeExperiment } from '../../src/experiments/analyzeExperiment.js'
import type { ConversionRecord, ExposureRecord } from '../../src/experiments/collectVariantStats.js'
import { checkSampleRatio } from '../../src/experiments/sampleRatio.js'

/** `users` visitors exposed to `variationId`, the first `converters` of them converting once for `value`. */
function arm(variationId: string, users: number, converters: number, value = 1) {
  const exposures: ExposureRecord[] = []
  const conversions: ConversionRecord[] = []
  for (let index = 0; index < users; index++) {
    const visitorId = `${variationId}-${index}`
    exposures.push({ visitorId, variationId })
    if (index < converters) conversions.push({ visitorId, value })
  }
  return { exposures, conversions }
}

function merge(...arms: ReturnType<typeof arm>[]) {
  return { exposures: arms.flatMap((a) => a.exposures), conversions: arms.flatMap((a) => a.conversions) }
}

const experiment = { variations: [{ id: 'control' }, { id: 'short_form' }] }

describe('analyzeExperiment (conversion)', () => {
  // control 100/1000 = 10 %, treatment 130/1000 = 13 %.
  const { exposures, conversions } = merge(arm('control', 1000, 100), arm('short_form', 1000, 130))
  const report = analyzeExperiment(exposures, conversions, { metric: 'conversion', experiment })
  const treatment = report.variants[1]

  it('counts users, conversions and rates', () => {
    expect(report.controlId).toBe('control')
    expect(report.variants.map((v) => [v.id, v.users, v.conversions, v.rate])).toEqual([
      ['control', 1000, 100, 0.1],
      ['short_form', 1000, 130, 0.13],
    ])
  })

  it('computes the pooled two-proportion z-test by hand', () => {
    // pooled p = 230 / 2000 = 0.115; se = √(0.115 · 0.885 · (1/1000 + 1/1000)) = √(2.03550e−4) = 0.0142671
    // z = (0.13 − 0.10) / 0.0142671 = 2.10274; p = 2 · (1 − Φ(2.10274)) = 0.035488
    expect(treatment?.statistic).toBeCloseTo(2.102740605622114, 10)
    expect(treatment?.pValue).toBeCloseTo(0.03548845046647471, 10)
    expect(treatment?.isSignificant).toBe(true)
  })

  it('gives the relative lift with the log-ratio 95 % interval', () => {
    // ln(0.13 / 0.10) = 0.262364; se = √((1 − 0.13)/(1000 · 0.13) + (1 − 0.10)/(1000 · 0.10))
    //   = √(0.0066923 + 0.0090000) = 0.1252689
    // exp(0.262364 ± 1.959964 · 0.1252689) − 1 = [0.016984, 0.661776]
    expect(treatment?.lift?.relative).toBeCloseTo(0.3, 12)
    expect(treatment?.lift?.lower).toBeCloseTo(0.01698427097104549, 9)
    expect(treatment?.lift?.upper).toBeCloseTo(0.6617759470226023, 9)
  })

  it('gives the Bayesian chance to beat control from Beta(101, 901) and Beta(131, 871)', () => {
    expect(treatment?.chanceToBeatControl).toBeCloseTo(0.9821650661163508, 10) // SciPy quad of f_B · F_A
  })

  it('calls the winner when the split is healthy and the data sufficient', () => {
    expect(report.sampleRatio.isAlarm).toBe(false)
    expect(report.decision).toMatchObject({ status: 'winner', winnerId: 'short_form' })
  })
})

describe('analyzeExperiment (revenue)', () => {
  // Revenue per user, EUR: control [0, 10, 20, 30, 40] (mean 20, s² = 1000/4 = 250),
  // treatment [10, 30, 50, 70, 90] (mean 50, s² = 4000/4 = 1000).
  const exposures: ExposureRecord[] = []
  const conversions: ConversionRecord[] = []
  ;[0, 10, 20, 30, 40].forEach((value, index) => {
    exposures.push({ visitorId: `c${index}`, variationId: 'control' })
    if (value > 0)
      conversions.push({ visitorId: `c${index}`, value: value / 2 }, { visitorId: `c${index}`, value: value / 2 })
  })
  ;[10, 30, 50, 70, 90].forEach((value, index) => {
    exposures.push({ visitorId: `t${index}`, variationId: 'upsell' })
    conversions.push({ visitorId: `t${index}`, value })
  })
  const report = analyzeExperiment(exposures, conversions, { metric: 'revenue', controlId: 'control' })
  const treatment = report.variants[1]

  it('sums revenue per user, counting non-converters as 0', () => {
    expect(
      report.variants.map((v) => [v.id, v.users, v.conversions, v.revenue, v.revenuePerUser, v.revenueVariance]),
    ).toEqual([
      ['control', 5, 4, 100, 20, 250],
      ['upsell', 5, 5, 250, 50, 1000],
    ])
  })

  it("runs Welch's t-test by hand", () => {
    // se² = 250/5 + 1000/5 = 250; t = 30 / √250 = 1.897367
    // df = 250² / (50²/4 + 200²/4) = 62500 / 10625 = 5.882353; two-sided p = 0.107531 (SciPy ttest_ind, equal_var=False)
    expect(treatment?.statistic).toBeCloseTo(1.8973665961010275, 12)
    expect(treatment?.degreesOfFreedom).toBeCloseTo(5.882352941176471, 12)
    expect(treatment?.pValue).toBeCloseTo(0.10753119493062728, 10)
    expect(treatment?.lift?.relative).toBeCloseTo(1.5, 12)
    // ln 2.5 ± 1.959964 · √(1000/(5·50²) + 250/(5·20²)) = 0.916291 ± 1.959964 · 0.4
    expect(treatment?.lift?.lower).toBeCloseTo(0.029300345308951314, 9)
    expect(treatment?.lift?.upper).toBeCloseTo(5.0720857896186, 8)
    expect(treatment?.chanceToBeatControl).toBeCloseTo(0.9711102144382013, 10)
  })

  it('refuses to call a winner on too little data', () => {
    expect(report.decision.status).toBe('insufficient_data')
    expect(report.decision.winnerId).toBeNull()
  })
})

describe('analyzeExperiment (guards)', () => {
  it('refuses to call a winner on a sample ratio mismatch, however strong the effect', () => {
    // 1000 vs 1200 users on a 50/50 split: χ² = 2 · 100² / 1100 = 18.18, p = 2.0e−5 < 0.001.
    const { exposures, conversions } = merge(arm('control', 1000, 100), arm('b', 1200, 300))
    const report = analyzeExperiment(exposures, conversions, { metric: 'conversion', controlId: 'control' })
    expect(report.variants[1]?.isSignificant).toBe(true)
    expect(report.sampleRatio.chiSquare).toBeCloseTo(200 / 11, 10)
    expect(report.decision).toMatchObject({ status: 'sample_ratio_mismatch', winnerId: null })
  })

  it('applies Bonferroni over treatments: p = 0.035 is not enough with three treatments', () => {
    const { exposures, conversions } = merge(
      arm('control', 1000, 100),
      arm('b', 1000, 130),
      arm('c', 1000, 100),
      arm('d', 1000, 100),
    )
    const report = analyzeExperiment(exposures, conversions, { metric: 'conversion', controlId: 'control' })
    expect(report.variants[1]?.pValue).toBeCloseTo(0.0354884, 6)
    expect(report.variants[1]?.isSignificant).toBe(false) // 0.035 > 0.05 / 3
    expect(report.decision.status).toBe('inconclusive')
  })

  it('names the control when every treatment is significantly worse', () => {
    const { exposures, conversions } = merge(arm('control', 1000, 130), arm('b', 1000, 100))
    const report = analyzeExperiment(exposures, conversions, { metric: 'conversion', controlId: 'control' })
    expect(report.decision).toMatchObject({ status: 'winner', winnerId: 'control' })
  })

  it('counts each visitor once, in their first variant, and only conversions after exposure', () => {
    const exposures: ExposureRecord[] = [
      { visitorId: 'v1', variationId: 'control', at: 100 },
      { visitorId: 'v1', variationId: 'control', at: 200 },
      { visitorId: 'v2', variationId: 'b', at: 100 },
      { visitorId: 'v2', variationId: 'control', at: 300 },
      { visitorId: 'v3', variationId: 'b', at: 500 },
    ]
    const conversions: ConversionRecord[] = [
      { visitorId: 'v1', at: 150 },
      { visitorId: 'v3', at: 400 }, // before exposure
      { visitorId: 'stranger', at: 400 },
    ]
    const report = analyzeExperiment(exposures, conversions, { metric: 'conversion', controlId: 'control' })
    expect(report.variants.map((v) => [v.id, v.users, v.conversions])).toEqual([
      ['control', 1, 1],
      ['b', 2, 0],
    ])
    expect(report.multipleExposureUsers).toBe(1)
    expect(report.ignoredConversions).toBe(2)
  })

  it('throws a clear error when it cannot tell the control', () => {
    const { exposures, conversions } = merge(arm('a', 10, 1), arm('b', 10, 1))
    expect(() => analyzeExperiment(exposures, conversions, { metric: 'conversion' })).toThrow(/options\.controlId/)
  })
})

describe('checkSampleRatio', () => {
  it('computes Pearson chi-square with k − 1 degrees of freedom', () => {
    // 5000 vs 5400: χ² = 2 · 200² / 5200 = 15.3846, p = 8.77e−5 (SciPy chisquare) → alarm
    const alarm = checkSampleRatio([5000, 5400])
    expect(alarm.chiSquare).toBeCloseTo(15.384615384615385, 12)
    expect(alarm.pValue).toBeCloseTo(8.769942375590228e-5, 15)
    expect(alarm.isAlarm).toBe(true)
    // 5000 vs 5200: χ² = 2 · 100² / 5100 = 3.92157, p = 0.04767 → no alarm at 0.001
    const fine = checkSampleRatio([5000, 5200])
    expect(fine.pValue).toBeCloseTo(0.0476703806561615, 13)
    expect(fine.isAlarm).toBe(false)
  })

  it('uses configured weights and two degrees of freedom for three arms', () => {
    // expected 2500, 2500, 5000: χ² = 500²/2500 + 500²/2500 + 0 = 200; p = e^(−100) = 3.72e−44
    const check = checkSampleRatio([3000, 2000, 5000], [0.25, 0.25, 0.5])
    expect(check.degreesOfFreedom).toBe(2)
    expect(check.chiSquare).toBeCloseTo(200, 10)
    expect(check.pValue / Math.exp(-100)).toBeCloseTo(1, 9)
  })
})
