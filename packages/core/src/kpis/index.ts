export { toRate } from './types.js'
export type { Order, OrderLine, Touchpoint, Rate } from './types.js'
export { computeConversionRate, computeConversionByChannel } from './conversion.js'
export type { Visit } from './conversion.js'
export { computeFunnel } from './funnel.js'
export type { FunnelEvent, FunnelOptions, FunnelStep } from './funnel.js'
export { computeAov, computeRepeatPurchaseRate, toAov } from './orders.js'
export type { Period, AovResult } from './orders.js'
export { computeChurnRate, toChurnResult } from './churn.js'
export type { ChurnOptions, ChurnResult } from './churn.js'
export { computeRetentionCohorts, toRetentionCohort } from './retention.js'
export type { RetentionOptions, RetentionCohort } from './retention.js'
export { computeNps, computeCsat, computeNpsFromCounts, computeCsatFromCounts } from './surveys.js'
export type { NpsResult, CsatOptions, CsatResult, ScoreCounts } from './surveys.js'
export { attributeConversion, attributeConversions } from './attribution.js'
export type { AttributionModel, AttributionOptions, Conversion } from './attribution.js'
export { computeCoPurchaseRules, recommendCrossSell, basketsFromOrders } from './coPurchase.js'
export type { CoPurchaseRule, CoPurchaseOptions, CrossSellSuggestion, CrossSellOptions } from './coPurchase.js'
export { computeLoyalty } from './loyalty.js'
export type {
  LoyaltyActivity,
  EarnRule,
  LoyaltyTier,
  LoyaltyProgram,
  LoyaltyEntry,
  LoyaltyOptions,
  LoyaltyStatus,
} from './loyalty.js'
