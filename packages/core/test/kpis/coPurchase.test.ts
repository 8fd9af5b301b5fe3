import { describe, expect, it } from 'vitest'
import { basketsFromOrders, computeCoPurchaseRules, recommendCrossSell } from '../../src/kpis/index.js'

// Ten baskets. Counts: tent 4, bag 5, stove 3, socks 6.
// Pairs: tent+bag 3, tent+stove 2, bag+stove 2, socks+bag 2, socks+tent 1, socks+stove 0.
const baskets = [
  ['tent', 'bag', 'stove'],
  ['tent', 'bag', 'stove'],
  ['tent', 'bag'],
  ['tent', 'socks'],
  ['bag', 'socks'],
  ['bag', 'socks', 'socks'], // a repeated product counts once
  ['socks'],
  ['socks'],
  ['socks'],
  ['stove'],
]

describe('computeCoPurchaseRules', () => {
  const rules = computeCoPurchaseRules(baskets)
  const rule = (a: string, b: string) => rules.find((r) => r.antecedent === a && r.consequent === b)

  it('computes support, confidence and lift of each direction', () => {
    // tent → bag: support 3/10 = 0.3; confidence 3/4 = 0.75; lift 0.75 / (5/10) = 1.5
    expect(rule('tent', 'bag')).toEqual({
      antecedent: 'tent',
      consequent: 'bag',
      count: 3,
      support: 0.3,
      confidence: 0.75,
      lift: 1.5,
    })
    // bag → tent: confidence 3/5 = 0.6; lift 0.6 / (4/10) = 1.5 (lift is symmetric)
    const reverse = rule('bag', 'tent')
    expect(reverse?.confidence).toBeCloseTo(0.6, 12)
    expect(reverse?.lift).toBeCloseTo(1.5, 12)
    // tent → stove: 2/10 = 0.2; 2/4 = 0.5; 0.5 / (3/10) = 1.666…
    expect(rule('tent', 'stove')?.lift).toBeCloseTo(5 / 3, 12)
    // socks → bag: 2/10; 2/6 = 0.333…; 0.333… / 0.5 = 0.666… (less than chance)
    expect(rule('socks', 'bag')?.lift).toBeCloseTo(2 / 3, 12)
  })

  it('drops pairs below minCount (default 2) and sorts by lift', () => {
    expect(rule('socks', 'tent')).toBeUndefined() // in 1 basket only
    expect(rules.map((r) => r.lift)).toEqual([...rules.map((r) => r.lift)].sort((a, b) => b - a))
    // the highest lift is tent ↔ stove's 5/3 (bag ↔ stove has 4/3)
    expect(rules[0]).toMatchObject({ lift: 5 / 3 })
  })

  it('applies support and confidence thresholds', () => {
    const strict = computeCoPurchaseRules(baskets, { minSupport: 0.25, minConfidence: 0.7 })
    expect(strict.map((r) => `${r.antecedent}→${r.consequent}`)).toEqual(['tent→bag'])
  })

  it('gives [] for no baskets', () => {
    expect(computeCoPurchaseRules([])).toEqual([])
  })
})

describe('recommendCrossSell', () => {
  const rules = computeCoPurchaseRules(baskets)

  it('suggests what rules from the cart point to, not what is in the cart, best lift first', () => {
    // From tent: stove (lift 5/3), bag (1.5). From bag: stove (2/5 ÷ 3/10 = 4/3), tent (1.5).
    expect(recommendCrossSell(rules, ['tent'])).toEqual([
      { productId: 'stove', because: 'tent', lift: 5 / 3, confidence: 0.5 },
      { productId: 'bag', because: 'tent', lift: 1.5, confidence: 0.75 },
    ])
    // With tent and bag in the cart, only stove remains, suggested by its best rule (tent, 5/3).
    expect(recommendCrossSell(rules, ['bag', 'tent'])).toEqual([
      { productId: 'stove', because: 'tent', lift: 5 / 3, confidence: 0.5 },
    ])
  })

  it('leaves out rules no better than chance, and honours the limit', () => {
    expect(recommendCrossSell(rules, ['socks'])).toEqual([]) // socks → bag has lift 2/3
    expect(recommendCrossSell(rules, ['tent'], { limit: 1 }).map((s) => s.productId)).toEqual(['stove'])
    expect(recommendCrossSell(rules, [])).toEqual([])
  })
})

describe('basketsFromOrders', () => {
  it('makes one basket of distinct products per distinct order', () => {
    const line = (productId: string) => ({ productId })
    const orders = [
      { customerId: 'a', orderId: 'o1', at: 1, total: 10, products: [line('tent'), line('bag'), line('tent')] },
      { customerId: 'a', orderId: 'o1', at: 1, total: 10, products: [line('tent')] }, // duplicate delivery
      { customerId: 'b', orderId: 'o2', at: 2, total: 5 },
    ]
    expect(basketsFromOrders(orders)).toEqual([['tent', 'bag'], []])
  })
})
