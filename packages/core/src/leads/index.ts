export { scoreLead, fitFacts } from './scoreLead.js'
export type { ScoreLeadOptions, LeadReason, LeadStage, LeadScore } from './scoreLead.js'
export { defaultLeadModel, freeEmailDomains } from './defaultLeadModel.js'
export {
  parseLeadModel,
  leadModelSchema,
  leadConditionSchema,
  fitRuleSchema,
  engagementRuleSchema,
  conditionOps,
} from './leadModelSchema.js'
export type { LeadModel, LeadCondition, FitRule, EngagementRule } from './leadModelSchema.js'
export { meetsCondition } from './leadConditions.js'
