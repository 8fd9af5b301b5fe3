import { describe, expect, it } from 'vitest'
import { betaChanceToBeat, normalChanceToBeat } from '../../src/experiments/chanceToBeat.js'
import {
  chiSquareCdf,
  chiSquareSurvival,
  normalCdf,
  normalQuantile,
  normalTwoSidedP,
  studentTCdf,
  studentTTwoSidedP,
} from '../../src/experiments/distributions.js'
import { regularizedBeta, regularizedGammaQ } from '../../src/math/incompleteGammaBeta.js'
import { logGamma } from '../../src/math/specialFunctions.js'

// Reference values: printed statistical tables, closed forms, and SciPy 1.17 (an independent
// implementation, Cephes/Boost) where marked.

describe('normalCdf', () => {
  it('matches the published normal table', () => {
    expect(normalCdf(0)).toBe(0.5)
    expect(normalCdf(1.96)).toBeCloseTo(0.9750021048517795, 14) // Φ(1.96), SciPy
    expect(normalCdf(-1)).toBeCloseTo(0.15865525393145707, 14) // Φ(−1) = erfc(1/√2)/2
    expect(normalCdf(-3)).toBeCloseTo(0.0013498980316301, 15)
  })
  it('keeps its relative precision far into the tail', () => {
    // Φ(−10) = 7.61985302416047e−24 (SciPy); 1 − Φ(10) computed naively would be 0.
    expect(normalCdf(-10) / 7.61985302416047e-24).toBeCloseTo(1, 10)
  })
  it('gives the textbook two-sided p = 0.05 at z = 1.96', () => {
    expect(normalTwoSidedP(1.96)).toBeCloseTo(0.04999579029644087, 14)
    expect(normalTwoSidedP(-1.96)).toBeCloseTo(0.04999579029644087, 14)
  })
})

describe('normalQuantile', () => {
  it('inverts the CDF: z(0.975) = 1.959963984540054', () => {
    expect(normalQuantile(0.975)).toBeCloseTo(1.959963984540054, 12)
    expect(normalQuantile(0.5)).toBeCloseTo(0, 14)
    expect(normalQuantile(0.001)).toBeCloseTo(-3.090232306167813, 11)
  })
})

describe('studentTCdf', () => {
  it('equals the Cauchy CDF 1/2 + atan(t)/π at one degree of freedom', () => {
    for (const t of [-20, -1.5, -0.3, 0, 0.7, 3, 50]) {
      expect(studentTCdf(t, 1)).toBeCloseTo(0.5 + Math.atan(t) / Math.PI, 13)
    }
  })
  it('equals the closed form 1/2 + t / (2√(2 + t²)) at two degrees of freedom', () => {
    for (const t of [-8, -0.8, 0.1, 2.5]) {
      expect(studentTCdf(t, 2)).toBeCloseTo(0.5 + t / (2 * Math.sqrt(2 + t * t)), 13)
    }
  })
  it('reproduces the t table: t(0.975; 10) = 2.228, t(0.975; 1) = 12.706', () => {
    expect(studentTTwoSidedP(2.228, 10)).toBeCloseTo(0.05, 4)
    expect(studentTTwoSidedP(12.706, 1)).toBeCloseTo(0.05, 4)
    expect(studentTTwoSidedP(2.228, 10)).toBeCloseTo(0.05001177181711132, 12) // SciPy
  })
  it('handles the fractional and large df Welch produces', () => {
    expect(studentTTwoSidedP(3, 3.7)).toBeCloseTo(0.04412588561151867, 12) // SciPy
    expect(studentTTwoSidedP(2.5, 9876.5)).toBeCloseTo(0.012435418281276341, 12) // SciPy
    expect(studentTTwoSidedP(4, 100_000) / 6.338799755719541e-5).toBeCloseTo(1, 8) // SciPy
  })
})

describe('chiSquareSurvival', () => {
  it('reproduces the chi-square table at 5 % and 0.1 %', () => {
    expect(chiSquareSurvival(3.841, 1)).toBeCloseTo(0.05, 4)
    expect(chiSquareSurvival(5.991, 2)).toBeCloseTo(0.05, 4)
    expect(chiSquareSurvival(10.828, 1)).toBeCloseTo(0.001, 6)
  })
  it('matches SciPy, including the far tail', () => {
    expect(chiSquareCdf(7, 4)).toBeCloseTo(0.8641117745995668, 13)
    expect(chiSquareSurvival(40, 3) / 1.065509033425585e-8).toBeCloseTo(1, 9)
  })
})

describe('special functions', () => {
  it('matches known values of log Γ and the incomplete gamma and beta functions', () => {
    expect(logGamma(0.5)).toBeCloseTo(Math.log(Math.sqrt(Math.PI)), 14)
    expect(logGamma(0.1)).toBeCloseTo(2.252712651734206, 13) // SciPy
    expect(logGamma(100)).toBeCloseTo(359.1342053695754, 11) // ln 99!
    expect(regularizedGammaQ(2.5, 10)).toBeCloseTo(0.0012497305630313773, 15) // SciPy
    expect(regularizedBeta(0.3, 2.5, 7.25)).toBeCloseTo(0.6604822735819071, 13) // SciPy
    expect(regularizedBeta(0.42, 200, 300)).toBeCloseTo(0.8196010664172663, 12) // SciPy
    expect(regularizedBeta(0.01, 0.5, 0.5)).toBeCloseTo((2 / Math.PI) * Math.asin(Math.sqrt(0.01)), 14) // arcsine law
  })
})

describe('betaChanceToBeat', () => {
  it('gives 2/3 for Beta(2, 1) against a uniform: ∫ 2x · x dx', () => {
    expect(betaChanceToBeat({ alpha: 1, beta: 1 }, { alpha: 2, beta: 1 })).toBeCloseTo(2 / 3, 14)
  })
  it('gives 1/2 for identical posteriors', () => {
    expect(betaChanceToBeat({ alpha: 51, beta: 451 }, { alpha: 51, beta: 451 })).toBeCloseTo(0.5, 12)
  })
  it('agrees with numeric integration of f_B · F_A (SciPy quad)', () => {
    // Beta(101, 901) vs Beta(131, 871): 100/1000 vs 130/1000 conversions with a uniform prior.
    expect(betaChanceToBeat({ alpha: 101, beta: 901 }, { alpha: 131, beta: 871 })).toBeCloseTo(0.9821650661163508, 11)
    expect(betaChanceToBeat({ alpha: 401, beta: 4601 }, { alpha: 381, beta: 4621 })).toBeCloseTo(0.2280399143196668, 11)
    expect(betaChanceToBeat({ alpha: 6, beta: 4 }, { alpha: 3, beta: 10 })).toBeCloseTo(0.029411764705882342, 12)
  })
  it('is complementary when the arms swap', () => {
    const a = { alpha: 37, beta: 980 }
    const b = { alpha: 52, beta: 961 }
    expect(betaChanceToBeat(a, b) + betaChanceToBeat(b, a)).toBeCloseTo(1, 12)
  })
})

describe('normalChanceToBeat', () => {
  it('is Φ(difference / combined standard error)', () => {
    // (50 − 20) / √(5² + 15²) = 30 / 15.811 = 1.897 → Φ = 0.97111
    const chance = normalChanceToBeat({ mean: 20, standardError: 5 }, { mean: 50, standardError: 15 })
    expect(chance).toBeCloseTo(normalCdf(30 / Math.sqrt(250)), 14)
    expect(chance).toBeCloseTo(0.9711102144382013, 10) // SciPy norm.cdf
  })
})
