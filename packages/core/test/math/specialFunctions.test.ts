import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { minimizeBfgs } from '../../src/math/bfgs.js'
import { minimizeNelderMead } from '../../src/math/nelderMead.js'
import { digamma, hypergeometric2F1, logAddExp, logBeta, logGamma, logSubExp } from '../../src/math/specialFunctions.js'

const EULER_GAMMA = 0.5772156649015329

describe('logGamma', () => {
  it('matches closed forms: Γ(1/2) = √π, Γ(3/2) = √π/2, Γ(n) = (n − 1)!', () => {
    expect(logGamma(0.5)).toBeCloseTo(0.5 * Math.log(Math.PI), 14)
    expect(logGamma(1.5)).toBeCloseTo(Math.log(Math.sqrt(Math.PI) / 2), 14)
    expect(logGamma(1)).toBeCloseTo(0, 14)
    expect(logGamma(2)).toBeCloseTo(0, 14)
    let logFactorial = 0
    for (let n = 2; n <= 170; n += 1) {
      expect(Math.abs(logGamma(n) - logFactorial)).toBeLessThan(1e-13 * Math.max(1, logFactorial))
      logFactorial += Math.log(n)
    }
  })

  it('follows −ln ε − γε near zero', () => {
    expect(logGamma(1e-8)).toBeCloseTo(-Math.log(1e-8) - EULER_GAMMA * 1e-8, 12)
  })

  it('satisfies the recurrence and the reflection formula for any positive argument', () => {
    fc.assert(
      fc.property(fc.double({ min: 1e-3, max: 1e3, noNaN: true }), (x) => {
        expect(logGamma(x + 1) - logGamma(x)).toBeCloseTo(Math.log(x), 10)
      }),
    )
    fc.assert(
      fc.property(fc.double({ min: 0.01, max: 0.99, noNaN: true }), (x) => {
        expect(logGamma(x) + logGamma(1 - x)).toBeCloseTo(Math.log(Math.PI / Math.sin(Math.PI * x)), 12)
      }),
    )
  })

  it('returns NaN outside its domain', () => {
    expect(logGamma(0)).toBeNaN()
    expect(logGamma(-1.5)).toBeNaN()
    expect(logGamma(Number.POSITIVE_INFINITY)).toBeNaN()
  })
})

describe('digamma', () => {
  it('matches ψ(1) = −γ, ψ(1/2) = −γ − 2 ln 2 and the recurrence ψ(x + 1) = ψ(x) + 1/x', () => {
    expect(digamma(1)).toBeCloseTo(-EULER_GAMMA, 13)
    expect(digamma(0.5)).toBeCloseTo(-EULER_GAMMA - 2 * Math.log(2), 13)
    fc.assert(
      fc.property(fc.double({ min: 1e-3, max: 1e3, noNaN: true }), (x) => {
        expect(digamma(x + 1) - digamma(x)).toBeCloseTo(1 / x, 9)
      }),
    )
  })

  it('is the slope of logGamma', () => {
    for (const x of [0.3, 2.5, 17, 240]) {
      const h = 1e-5 * x
      expect(digamma(x)).toBeCloseTo((logGamma(x + h) - logGamma(x - h)) / (2 * h), 6)
    }
  })
})

describe('logBeta', () => {
  it('gives ln B(2, 3) = ln(1/12)', () => {
    expect(logBeta(2, 3)).toBeCloseTo(Math.log(1 / 12), 14)
  })
})

describe('logAddExp / logSubExp', () => {
  it('adds and subtracts in log space without overflow', () => {
    expect(logAddExp(Math.log(2), Math.log(3))).toBeCloseTo(Math.log(5), 15)
    expect(logAddExp(1000, 1000)).toBeCloseTo(1000 + Math.log(2), 12)
    expect(logAddExp(Number.NEGATIVE_INFINITY, 3)).toBe(3)
    expect(logSubExp(Math.log(5), Math.log(3))).toBeCloseTo(Math.log(2), 15)
    expect(logSubExp(-1000, -1000)).toBe(Number.NEGATIVE_INFINITY)
    expect(logSubExp(1, 2)).toBeNaN()
  })
})

describe('hypergeometric2F1', () => {
  it('matches elementary closed forms (A&S 15.1.3–15.1.7)', () => {
    for (const z of [-0.9, -0.3, 0.1, 0.5, 0.9, 0.999]) {
      expect(hypergeometric2F1(1, 1, 2, z)).toBeCloseTo(-Math.log(1 - z) / z, 11)
      expect(hypergeometric2F1(2.7, 1.3, 1.3, z) / (1 - z) ** -2.7).toBeCloseTo(1, 12)
    }
    for (const w of [0.2, 0.6, 0.95]) {
      expect(hypergeometric2F1(0.5, 0.5, 1.5, w * w)).toBeCloseTo(Math.asin(w) / w, 12)
      expect(hypergeometric2F1(0.5, 1, 1.5, -w * w)).toBeCloseTo(Math.atan(w) / w, 12)
    }
  })

  it('ends a terminating series at its last term', () => {
    const [b, c, z] = [1.7, 2.2, 0.6]
    const polynomial = 1 - (2 * b * z) / c + (b * (b + 1) * z * z) / (c * (c + 1))
    expect(hypergeometric2F1(-2, b, c, z)).toBeCloseTo(polynomial, 15)
  })

  it('returns NaN outside the unit disc instead of a wrong number', () => {
    expect(hypergeometric2F1(1, 1, 2, 1)).toBeNaN()
    expect(hypergeometric2F1(1, 1, 2, -1.5)).toBeNaN()
  })
})

describe('minimizeNelderMead', () => {
  it('finds the minimum of the Rosenbrock valley at (1, 1)', () => {
    const rosenbrock = ([x = 0, y = 0]: readonly number[]) => 100 * (y - x * x) ** 2 + (1 - x) ** 2
    const result = minimizeNelderMead(rosenbrock, [-1.2, 1])
    expect(result.converged).toBe(true)
    expect(result.point[0]).toBeCloseTo(1, 6)
    expect(result.point[1]).toBeCloseTo(1, 6)
  })

  it('handles badly scaled axes and a NaN region', () => {
    const target = [3, -2, 0.5, 10]
    const scales = [1, 100, 0.01, 5]
    const objective = (point: readonly number[]) =>
      (point[0] ?? 0) < -50
        ? Number.NaN
        : point.reduce((sum, value, i) => sum + (scales[i] ?? 1) * (value - (target[i] ?? 0)) ** 2, 0)
    const { point } = minimizeNelderMead(objective, [0, 0, 0, 0])
    for (const [i, value] of point.entries()) expect(value).toBeCloseTo(target[i] ?? 0, 4)
  })
})

describe('minimizeBfgs', () => {
  it('finds the Rosenbrock minimum with the analytic gradient', () => {
    const result = minimizeBfgs(
      ([x = 0, y = 0]) => ({
        value: 100 * (y - x * x) ** 2 + (1 - x) ** 2,
        gradient: [-400 * x * (y - x * x) - 2 * (1 - x), 200 * (y - x * x)],
      }),
      [-1.2, 1],
    )
    expect(result.converged).toBe(true)
    expect(result.point[0]).toBeCloseTo(1, 7)
    expect(result.point[1]).toBeCloseTo(1, 7)
  })
})
