import { uniqueOrders } from './types.js'
import type { Order } from './types.js'

/** A rule "customers who bought `antecedent` also bought `consequent`". */
export interface CoPurchaseRule {
  readonly antecedent: string
  readonly consequent: string
  /** Baskets holding both products. */
  readonly count: number
  /** `count ÷ baskets`: how common the pair is, in [0, 1]. */
  readonly support: number
  /** `count ÷ baskets with antecedent`: P(consequent | antecedent), in [0, 1]. */
  readonly confidence: number
  /** `confidence ÷ P(consequent)`: above 1, the pair occurs more often than by chance. */
  readonly lift: number
}

/** Options of {@link computeCoPurchaseRules}. */
export interface CoPurchaseOptions {
  /** Leave out pairs in fewer baskets. @default 2 */
  readonly minCount?: number
  /** Leave out rules with a lower support. @default 0 */
  readonly minSupport?: number
  /** Leave out rules with a lower confidence. @default 0 */
  readonly minConfidence?: number
}

/** One basket per distinct order: the distinct product ids of its lines. */
export function basketsFromOrders(orders: readonly Order[]): string[][] {
  return uniqueOrders(orders).map((order) => [...new Set((order.products ?? []).map((line) => line.productId))])
}

/**
 * Pairwise association rules over baskets (Agrawal, Imieliński & Swami, SIGMOD 1993, for support
 * and confidence; Brin, Motwani, Ullman & Tsur, SIGMOD 1997, for lift), in both directions, sorted
 * by lift, then confidence, then count, then product ids. A product repeated within a basket counts
 * once. No baskets gives `[]`.
 *
 * Cost: O(Σ k²) for baskets of k products; pairs only (no itemsets of three or more).
 *
 * @example
 * const rules = computeCoPurchaseRules(basketsFromOrders(orders), { minCount: 5 })
 * // [{ antecedent: 'tent', consequent: 'sleeping-bag', count: 40, support: 0.02, confidence: 0.5, lift: 6.2 }, ...]
 */
export function computeCoPurchaseRules(
  baskets: readonly (readonly string[])[],
  options: CoPurchaseOptions = {},
): CoPurchaseRule[] {
  const { minCount = 2, minSupport = 0, minConfidence = 0 } = options
  const single = new Map<string, number>()
  const pairs = new Map<string, Map<string, number>>()
  for (const basket of baskets) {
    const items = [...new Set(basket)]
    for (const item of items) single.set(item, (single.get(item) ?? 0) + 1)
    for (const a of items) {
      const row = pairs.get(a) ?? new Map<string, number>()
      for (const b of items) if (a !== b) row.set(b, (row.get(b) ?? 0) + 1)
      pairs.set(a, row)
    }
  }
  const total = baskets.length
  const rules: CoPurchaseRule[] = []
  for (const [antecedent, row] of pairs) {
    const antecedentCount = single.get(antecedent) ?? 0
    for (const [consequent, count] of row) {
      const support = count / total
      const confidence = count / antecedentCount
      const lift = confidence / ((single.get(consequent) ?? 0) / total)
      if (count >= minCount && support >= minSupport && confidence >= minConfidence) {
        rules.push({ antecedent, consequent, count, support, confidence, lift })
      }
    }
  }
  return rules.sort(
    (x, y) =>
      y.lift - x.lift ||
      y.confidence - x.confidence ||
      y.count - x.count ||
      (x.antecedent < y.antecedent ? -1 : x.antecedent > y.antecedent ? 1 : 0) ||
      (x.consequent < y.consequent ? -1 : x.consequent > y.consequent ? 1 : 0),
  )
}

/** One cross-sell suggestion. */
export interface CrossSellSuggestion {
  readonly productId: string
  /** The product in the cart that suggests it (the best rule's antecedent). */
  readonly because: string
  readonly lift: number
  readonly confidence: number
}

/** Options of {@link recommendCrossSell}. */
export interface CrossSellOptions {
  /** At most this many suggestions. @default 5 */
  readonly limit?: number
  /** Only rules with a lift above this (1 = no better than chance). @default 1 */
  readonly minLift?: number
}

/**
 * Products to suggest for a cart: the consequents of rules whose antecedent is in the cart,
 * excluding what the cart holds, each with its best rule (highest lift, then confidence), best
 * first. An empty cart or no matching rule gives `[]`.
 *
 * @example
 * recommendCrossSell(rules, ['tent']) // [{ productId: 'sleeping-bag', because: 'tent', lift: 6.2, confidence: 0.5 }]
 */
export function recommendCrossSell(
  rules: readonly CoPurchaseRule[],
  cart: readonly string[],
  options: CrossSellOptions = {},
): CrossSellSuggestion[] {
  const { limit = 5, minLift = 1 } = options
  const inCart = new Set(cart)
  const best = new Map<string, CrossSellSuggestion>()
  for (const rule of rules) {
    if (!inCart.has(rule.antecedent) || inCart.has(rule.consequent) || !(rule.lift > minLift)) continue
    const current = best.get(rule.consequent)
    if (
      current === undefined ||
      rule.lift > current.lift ||
      (rule.lift === current.lift && rule.confidence > current.confidence)
    ) {
      best.set(rule.consequent, {
        productId: rule.consequent,
        because: rule.antecedent,
        lift: rule.lift,
        confidence: rule.confidence,
      })
    }
  }
  return [...best.values()]
    .sort((x, y) => y.lift - x.lift || y.confidence - x.confidence || (x.productId < y.productId ? -1 : 1))
    .slice(0, limit)
}
