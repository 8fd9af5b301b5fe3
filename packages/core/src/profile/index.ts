export { customerProfileSchema } from './profileSchema.js'
export type {
  CustomerProfile,
  SessionSpan,
  OrderRecord,
  CurrencyTotals,
  Touch,
  SurveyAnswer,
  DayBucket,
  ActivityEntry,
  ProfileRfm,
  ProfileLead,
  ProfileClv,
  ProfileLoyalty,
  MessageCounts,
} from './profileSchema.js'
export { emptyProfile, profileLimits, SESSION_GAP_MS } from './emptyProfile.js'
export { reduceProfile, eventTimeMs } from './reduceProfile.js'
export type { ReduceProfileOptions } from './reduceProfile.js'
export { mergeProfiles } from './mergeProfiles.js'
export { countEvents, sumProperty } from './queryProfile.js'
export type { EventWindow } from './queryProfile.js'
export { orderAmount, UNKNOWN_CURRENCY } from './profileOrders.js'
