import { describe, expect, it } from 'vitest'
import { computeCsat, computeNps } from '../../src/kpis/index.js'

describe('computeNps', () => {
  it('subtracts the share of detractors from the share of promoters', () => {
    // 10, 9, 9 promoters (3); 8, 7 passives (2); 6, 0, 3 detractors (3); 8 answers.
    // NPS = 3/8·100 − 3/8·100 = 0
    expect(computeNps([10, 9, 9, 8, 7, 6, 0, 3])).toEqual({
      responses: 8,
      promoters: 3,
      passives: 2,
      detractors: 3,
      ignored: 0,
      nps: 0,
    })
    // 10, 10, 9, 7, 2: 3 promoters, 1 passive, 1 detractor: 60 % − 20 % = 40
    expect(computeNps([10, 10, 9, 7, 2]).nps).toBeCloseTo(40, 12)
  })

  it('spans −100 to 100', () => {
    expect(computeNps([0, 6, 5]).nps).toBe(-100)
    expect(computeNps([9, 10]).nps).toBe(100)
  })

  it('leaves out answers that are not integers 0–10', () => {
    // -1, 11, 7.5 and NaN ignored; 10 and 0 counted: 50 % − 50 % = 0
    expect(computeNps([-1, 11, 7.5, Number.NaN, 10, 0])).toMatchObject({ responses: 2, ignored: 4, nps: 0 })
  })

  it('gives 0, not NaN, for no answers', () => {
    expect(computeNps([])).toEqual({ responses: 0, promoters: 0, passives: 0, detractors: 0, ignored: 0, nps: 0 })
  })
})

describe('computeCsat', () => {
  it('gives the percentage of 4s and 5s and the mean', () => {
    // 5, 4, 4 satisfied of 5 answers: 60 %; mean (5 + 4 + 4 + 2 + 1) / 5 = 3.2
    expect(computeCsat([5, 4, 4, 2, 1])).toEqual({ responses: 5, satisfied: 3, ignored: 0, csat: 60, average: 3.2 })
  })

  it('takes another satisfaction threshold', () => {
    // only 5 counts: 1 of 5 = 20 %
    expect(computeCsat([5, 4, 4, 2, 1], { satisfiedFrom: 5 }).csat).toBe(20)
  })

  it('leaves out answers outside 1–5, and gives zeros for none', () => {
    expect(computeCsat([0, 6, 4.5, 5])).toMatchObject({ responses: 1, ignored: 3, csat: 100, average: 5 })
    expect(computeCsat([])).toEqual({ responses: 0, satisfied: 0, ignored: 0, csat: 0, average: 0 })
  })
})
