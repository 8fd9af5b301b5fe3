/**
 * Rules on the server: the durable, multi-process rule runner over the SQL store, its rule state
 * store, and loading rule files.
 */
export { createRuleRunner } from './ruleRunner.js'
export type { CustomerKey, RuleRunner, RuleRunnerOptions } from './ruleRunner.js'
export { createSqlRuleStateStore } from './sqlRuleStateStore.js'
export type { SqlRuleStateStore, SqlRuleStateStoreOptions, PendingEntry } from './sqlRuleStateStore.js'
export { listFirings } from './firings.js'
export type { ListFiringsOptions, StoredFiring } from './firings.js'
export { loadRules, parseRules } from './loadRules.js'
