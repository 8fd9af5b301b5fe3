export { segmentChangeEvent } from './segmentChanges.js'
export type { SegmentChange, SegmentChangeEvent } from './segmentChanges.js'
export { createProfileDeriver, DERIVED_PROFILE_FIELDS } from './deriveProfile.js'
export type { ProfileDeriver, DeriveResult } from './deriveProfile.js'
export { createModelFitter } from './fitModel.js'
export type { ModelFitter, ModelFitterOptions, FitProfile } from './fitModel.js'
export type { DerivedModel } from './derivedModel.js'
export {
  deriveConfigSchema,
  namedSegmentSchema,
  rfmConfigSchema,
  clvConfigSchema,
  loyaltyConfigSchema,
} from './deriveConfig.js'
export type { DeriveConfig, NamedSegment, LoyaltyConfig, ClvConfig } from './deriveConfig.js'
export { purchaseHistoryOf, loyaltyActivitiesOf } from './profileHistories.js'
