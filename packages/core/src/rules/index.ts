/** Public surface of rules and automations. */
export { defineRule } from './defineRule.js'
export { ruleDefinitionSchema } from './ruleSchema.js'
export type {
  RuleDefinition,
  RuleEventMatch,
  RuleSchedule,
  QuietHours,
  RuleAction,
  RuleSendStep,
} from './ruleSchema.js'
export { createRuleEngine } from './ruleEngine.js'
export type { RuleEngine, RuleEngineOptions, RuleEvent, RuleFiring } from './ruleTypes.js'
export { createMemoryRuleStateStore } from './ruleStateStore.js'
export type { RuleStateStore, RuleCustomerState, PendingFiring } from './ruleStateStore.js'
export { decideFiring } from './decideFiring.js'
export type { FiringDecision } from './decideFiring.js'
export { toRuleEvent, RULE_EVENTS } from './ruleEvents.js'
export { customerTimeZone } from './customerTimeZone.js'
export { DEFAULT_INACTIVITY_FIELD } from './localCalendar.js'
