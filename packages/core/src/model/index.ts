export {
  eventSchema,
  trackEventSchema,
  identifyEventSchema,
  pageEventSchema,
  screenEventSchema,
  groupEventSchema,
  aliasEventSchema,
  contextSchema,
  campaignSchema,
  pageContextSchema,
  consentSchema,
  batchSchema,
  jsonObjectSchema,
  isoDateTimeSchema,
} from './envelope.js'
export type {
  JsonValue,
  JsonObject,
  EventContext,
  Campaign,
  TrackEvent,
  IdentifyEvent,
  PageEvent,
  ScreenEvent,
  GroupEvent,
  AliasEvent,
  EcrmEvent,
  EventType,
} from './envelope.js'
export { jsonValueSchema, findJsonProblems } from './jsonValue.js'
export type { JsonProblem } from './jsonValue.js'
export {
  moneySchema,
  currencySchema,
  productSchema,
  productListSchema,
} from './commerce.js'
export type { Product } from './commerce.js'
export {
  productsSearchedSchema,
  productListViewedSchema,
  productListFilteredSchema,
  promotionSchema,
  productEventSchema,
  cartViewedSchema,
  checkoutStartedSchema,
  checkoutStepSchema,
  paymentInfoEnteredSchema,
  orderSchema,
  couponEnteredSchema,
  couponAppliedSchema,
  couponDeniedSchema,
  wishlistProductSchema,
  productSharedSchema,
  cartSharedSchema,
  productReviewedSchema,
  ecommerceEventSchemas,
} from './ecommerceEvents.js'
export type {
  ProductEventProperties,
  OrderProperties,
  CheckoutStartedProperties,
  ProductReviewedProperties,
} from './ecommerceEvents.js'
export {
  leadCapturedSchema,
  emailOpenedSchema,
  emailClickedSchema,
  emailLinkClickedSchema,
  surveyRespondedSchema,
  dataErasureRequestedSchema,
  experimentViewedSchema,
  cartAbandonedSchema,
  ruleFiredSchema,
  crmEventSchemas,
} from './crmEvents.js'
export type { LeadCapturedProperties, SurveyRespondedProperties, ExperimentViewedProperties } from './crmEvents.js'
export { ERASURE_EVENT_NAME } from './erasure.js'
export { traitsSchema, addressSchema, companySchema } from './traits.js'
export type { Traits } from './traits.js'
export { knownEventSchemas, isKnownEventName, suggestEventName } from './knownEvents.js'
export type { KnownEventName, KnownEventProperties } from './knownEvents.js'
export { validateEvent, validateBatch } from './validateEvent.js'
export type { EventValidation, BatchValidation } from './validateEvent.js'
export { parseJsonSafely, findSyntaxErrorPosition } from './parseJsonSafely.js'
export type { JsonParseResult } from './parseJsonSafely.js'
export { toValidationIssues, ecrmErrorMap } from './validationIssues.js'
