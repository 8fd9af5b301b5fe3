import type { CompiledRule } from './compileRule.js'
import { isInQuietHours, nextLocalTime } from './localCalendar.js'
import type { RuleCustomerState } from './ruleStateStore.js'

/** What happens to a rule that wants to fire now. */
export type FiringDecision =
  | { readonly kind: 'fire' }
  | { readonly kind: 'skip'; readonly reason: 'max_firings' | 'cooldown' }
  | { readonly kind: 'defer'; readonly dueAt: number }

/**
 * Decides, purely, whether a rule fires for a customer at `now`: per-customer caps first, then
 * the cooldown since the last firing, then quiet hours in the customer's zone (deferred to their
 * end, not dropped). `ignoreQuietHours` is set when a deferred firing comes due.
 */
export function decideFiring(
  rule: CompiledRule,
  state: RuleCustomerState,
  now: number,
  timeZone: string,
  ignoreQuietHours = false,
): FiringDecision {
  if (rule.maxFirings !== null && state.firings >= rule.maxFirings) return { kind: 'skip', reason: 'max_firings' }
  if (rule.cooldownMs !== null && state.lastFiredAt !== null && now - state.lastFiredAt < rule.cooldownMs) {
    return { kind: 'skip', reason: 'cooldown' }
  }
  if (!ignoreQuietHours && rule.quietHours !== null && isInQuietHours(now, rule.quietHours, timeZone)) {
    return { kind: 'defer', dueAt: nextLocalTime(now, rule.quietHours.end, timeZone) }
  }
  return { kind: 'fire' }
}
