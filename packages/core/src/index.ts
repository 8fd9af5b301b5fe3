/**
 * @ecrm/core — the event model, the delivery pipeline and the customer intelligence of ecrm.
 * Pure and runtime-agnostic: the environment comes in through the ports.
 */
export type {
  Cancel,
  Clock,
  Scheduler,
  QueueItem,
  LeaseRequest,
  Queue,
  KeyValueStore,
  TransportRequest,
  TransportOutcome,
  Transport,
  Connectivity,
  Logger,
  Ports,
} from './ports.js'
export { EcrmError, EcrmValidationError, isEcrmError, formatPath } from './errors.js'
export type { ValidationIssue } from './errors.js'

// model
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
} from './model/envelope.js'
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
} from './model/envelope.js'
export { jsonValueSchema, findJsonProblems } from './model/jsonValue.js'
export type { JsonProblem } from './model/jsonValue.js'
export {
  moneySchema,
  currencySchema,
  productSchema,
  productListSchema,
} from './model/commerce.js'
export type { Product } from './model/commerce.js'
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
} from './model/ecommerceEvents.js'
export type {
  ProductEventProperties,
  OrderProperties,
  CheckoutStartedProperties,
  ProductReviewedProperties,
} from './model/ecommerceEvents.js'
export {
  leadCapturedSchema,
  emailOpenedSchema,
  emailClickedSchema,
  surveyRespondedSchema,
  dataErasureRequestedSchema,
  experimentViewedSchema,
  cartAbandonedSchema,
  ruleFiredSchema,
  crmEventSchemas,
} from './model/crmEvents.js'
export type { LeadCapturedProperties, SurveyRespondedProperties, ExperimentViewedProperties } from './model/crmEvents.js'
export { traitsSchema, addressSchema, companySchema } from './model/traits.js'
export type { Traits } from './model/traits.js'
export { knownEventSchemas, isKnownEventName, suggestEventName } from './model/knownEvents.js'
export type { KnownEventName, KnownEventProperties } from './model/knownEvents.js'
export { validateEvent, validateBatch } from './model/validateEvent.js'
export type { EventValidation, BatchValidation } from './model/validateEvent.js'
export { parseJsonSafely, findSyntaxErrorPosition } from './model/parseJsonSafely.js'
export type { JsonParseResult } from './model/parseJsonSafely.js'
export { toValidationIssues, ecrmErrorMap } from './model/validationIssues.js'

// pipeline
export { createCoreClient } from './pipeline/createCoreClient.js'
export { createMemoryQueue } from './pipeline/memoryQueue.js'
export { sanitize, MAX_SANITIZE_ISSUES } from './pipeline/sanitize.js'
export { classifyOutcome, parseRetryAfter, backoffDelay } from './pipeline/retryPolicy.js'
export { buildBatchRequest } from './pipeline/buildRequest.js'
export { chooseDrops, planBatches } from './pipeline/boundQueue.js'
export { priorityOf, PRIORITY, CONVERSION_EVENTS } from './pipeline/priority.js'
export { encodeBase64, utf8Length } from './pipeline/utf8.js'
export { createUuidV4 } from './pipeline/defaults.js'
export { KEEPALIVE_MAX_BYTES } from './pipeline/deliver.js'
export type { Path, SanitizeResult, SanitizeOptions } from './pipeline/sanitize.js'
export type { Verdict, BackoffOptions } from './pipeline/retryPolicy.js'
export type { BatchRequestInput } from './pipeline/buildRequest.js'
export type { QueueBounds } from './pipeline/boundQueue.js'
export type {
  CoreClient,
  CoreClientOptions,
  BatchOptions,
  RetryOptions,
  LimitOptions,
  ConsentOptions,
  ConsentControl,
  Plugin,
  ClientDestination,
  EventInput,
  TrackInput,
  IdentifyInput,
  PageInput,
  ScreenInput,
  GroupInput,
  AliasInput,
  EnqueueResult,
  FlushOptions,
  FlushResult,
  Stats,
  UserSnapshot,
  ClientState,
} from './pipeline/clientTypes.js'

// kpis
export { toRate } from './kpis/types.js'
export type { Order, OrderLine, Touchpoint, Rate } from './kpis/types.js'
export { computeConversionRate, computeConversionByChannel } from './kpis/conversion.js'
export type { Visit } from './kpis/conversion.js'
export { computeFunnel } from './kpis/funnel.js'
export type { FunnelEvent, FunnelOptions, FunnelStep } from './kpis/funnel.js'
export { computeAov, computeRepeatPurchaseRate } from './kpis/orders.js'
export type { Period, AovResult } from './kpis/orders.js'
export { computeChurnRate } from './kpis/churn.js'
export type { ChurnOptions, ChurnResult } from './kpis/churn.js'
export { computeRetentionCohorts } from './kpis/retention.js'
export type { RetentionOptions, RetentionCohort } from './kpis/retention.js'
export { computeNps, computeCsat } from './kpis/surveys.js'
export type { NpsResult, CsatOptions, CsatResult } from './kpis/surveys.js'
export { attributeConversion, attributeConversions } from './kpis/attribution.js'
export type { AttributionModel, AttributionOptions, Conversion } from './kpis/attribution.js'
export { computeCoPurchaseRules, recommendCrossSell, basketsFromOrders } from './kpis/coPurchase.js'
export type { CoPurchaseRule, CoPurchaseOptions, CrossSellSuggestion, CrossSellOptions } from './kpis/coPurchase.js'
export { computeLoyalty } from './kpis/loyalty.js'
export type {
  LoyaltyActivity,
  EarnRule,
  LoyaltyTier,
  LoyaltyProgram,
  LoyaltyEntry,
  LoyaltyOptions,
  LoyaltyStatus,
} from './kpis/loyalty.js'

// experiments
export { hashFnv, fnv1a32 } from './experiments/hashFnv.js'
export type { HashVersion } from './experiments/hashFnv.js'
export { getEqualWeights, getBucketRanges, chooseVariation, inNamespace } from './experiments/bucketRanges.js'
export type { BucketRange, Namespace } from './experiments/bucketRanges.js'
export { experimentSchema, variationSchema, parseExperiment } from './experiments/experimentSchema.js'
export type { Experiment, Variation } from './experiments/experimentSchema.js'
export { readQueryOverride } from './experiments/queryOverride.js'
export { assignVariant } from './experiments/assignVariant.js'
export type { Assignment, AssignmentReason, AssignVariantOptions } from './experiments/assignVariant.js'
export { createExposureTracker } from './experiments/exposureTracker.js'
export type { ExposureEvent, ExposureTracker, ExposureTrackerOptions } from './experiments/exposureTracker.js'
export { analyzeExperiment } from './experiments/analyzeExperiment.js'
export type {
  AnalyzeExperimentOptions,
  ExperimentAnalysis,
  ExperimentDecision,
  Lift,
  VariantAnalysis,
} from './experiments/analyzeExperiment.js'
export { collectVariantStats } from './experiments/collectVariantStats.js'
export type { CollectedStats, ConversionRecord, ExposureRecord, VariantTotals } from './experiments/collectVariantStats.js'
export { checkSampleRatio } from './experiments/sampleRatio.js'
export type { SampleRatioCheck } from './experiments/sampleRatio.js'
export { betaChanceToBeat, normalChanceToBeat } from './experiments/chanceToBeat.js'
export type { BetaPosterior } from './experiments/chanceToBeat.js'
export {
  normalCdf,
  normalQuantile,
  normalTwoSidedP,
  studentTCdf,
  studentTTwoSidedP,
  chiSquareCdf,
  chiSquareSurvival,
} from './experiments/distributions.js'

// profile
export { customerProfileSchema } from './profile/profileSchema.js'
export type {
  CustomerProfile,
  SessionSpan,
  OrderRecord,
  CurrencyTotals,
  Touch,
  SurveyAnswer,
  DayBucket,
  ActivityEntry,
} from './profile/profileSchema.js'
export { emptyProfile, profileLimits, SESSION_GAP_MS } from './profile/emptyProfile.js'
export { reduceProfile, eventTimeMs } from './profile/reduceProfile.js'
export type { ReduceProfileOptions } from './profile/reduceProfile.js'
export { mergeProfiles } from './profile/mergeProfiles.js'
export { countEvents, sumProperty } from './profile/queryProfile.js'
export type { EventWindow } from './profile/queryProfile.js'
export { orderAmount, UNKNOWN_CURRENCY } from './profile/profileOrders.js'

// rfm
export { scoreRfm, scoreRfmOne, rfmInputFromProfile } from './rfm/scoreRfm.js'
export type { RfmOptions, RfmOneOptions, RfmScore } from './rfm/scoreRfm.js'
export { rfmCutPoints, recencyDaysOf } from './rfm/rfmCutPoints.js'
export type { RfmCustomer, RfmCutPointOptions, RfmCutPoints } from './rfm/rfmCutPoints.js'
export { defaultRfmSegments, validateSegmentMap } from './rfm/rfmSegments.js'
export type { RfmSegment, RfmSegmentTable } from './rfm/rfmSegments.js'

// leads
export { scoreLead, fitFacts } from './leads/scoreLead.js'
export type { ScoreLeadOptions, LeadReason, LeadStage, LeadScore } from './leads/scoreLead.js'
export { defaultLeadModel, freeEmailDomains } from './leads/defaultLeadModel.js'
export {
  parseLeadModel,
  leadModelSchema,
  leadConditionSchema,
  fitRuleSchema,
  engagementRuleSchema,
  conditionOps,
} from './leads/leadModelSchema.js'
export type { LeadModel, LeadCondition, FitRule, EngagementRule } from './leads/leadModelSchema.js'
export { meetsCondition } from './leads/leadConditions.js'

// clv
export { summarizeTransactions, summarizeDailySpend } from './clv/summarizeTransactions.js'
export type { SummarizeOptions, DailySpend } from './clv/summarizeTransactions.js'
export { DAYS_PER_UNIT, DAYS_PER_YEAR } from './clv/types.js'
export type { TimeUnit, Transaction, PurchaseHistory, CustomerSummary } from './clv/types.js'
export { fitBgNbd, bgNbdLogLikelihood, createBgNbdLikelihood } from './clv/bgNbd.js'
export type { BgNbdParams, BgNbdFit } from './clv/bgNbd.js'
export {
  bgNbdProbabilityAlive,
  bgNbdExpectedPurchases,
  bgNbdUnconditionalExpectedPurchases,
  bgNbdProbabilityOfNPurchases,
} from './clv/bgNbdPredict.js'
export {
  fitGammaGamma,
  gammaGammaLogLikelihood,
  gammaGammaExpectedSpend,
  createGammaGammaLikelihood,
} from './clv/gammaGamma.js'
export type { GammaGammaParams, GammaGammaFit, SpendHistory } from './clv/gammaGamma.js'
export {
  fitParetoNbd,
  paretoNbdLogLikelihood,
  paretoNbdProbabilityAlive,
  paretoNbdExpectedPurchases,
} from './clv/paretoNbd.js'
export type { ParetoNbdParams, ParetoNbdFit } from './clv/paretoNbd.js'
export { customerLifetimeValue, scoreClv, historicClv } from './clv/lifetimeValue.js'
export type { LifetimeValueOptions, CustomerValue, HistoricClvOptions } from './clv/lifetimeValue.js'
export type { FitOptions } from './clv/fitting.js'
export type { MinimizeOptions } from './clv/minimize.js'
export type { ValueAndGradient } from './clv/bfgs.js'

// logic
export { applyLogic, compileLogic, createLogicEngine } from './logic/engine.js'
export type { LogicEngine, LogicEngineOptions } from './logic/engine.js'
export type {
  CompiledLogic,
  LogicContext,
  LogicOperation,
  LogicOperationDefinition,
  LogicRule,
  LogicScope,
} from './logic/types.js'
export type { RuleProfile } from './logic/crmOperations.js'
export { isTruthy } from './logic/semantics.js'
export { parseDuration, toEpochMs } from './logic/duration.js'
export { toLocalTime, fromLocalTime, isValidTimeZone } from './logic/timeZone.js'
export type { LocalTime } from './logic/timeZone.js'

// rules
export { defineRule } from './rules/defineRule.js'
export { ruleDefinitionSchema } from './rules/ruleSchema.js'
export type { RuleDefinition, RuleEventMatch, RuleSchedule, QuietHours, RuleAction } from './rules/ruleSchema.js'
export { createRuleEngine } from './rules/ruleEngine.js'
export type { RuleEngine, RuleEngineOptions, RuleEvent, RuleFiring } from './rules/ruleTypes.js'
export { createMemoryRuleStateStore } from './rules/ruleStateStore.js'
export type { RuleStateStore, RuleCustomerState, PendingFiring } from './rules/ruleStateStore.js'
export { decideFiring } from './rules/decideFiring.js'
export type { FiringDecision } from './rules/decideFiring.js'

// sql
export { compileLogicToSql } from './sql/compileLogicToSql.js'
export type { SqlCondition } from './sql/compileLogicToSql.js'
export { quoteIdentifier } from './sql/sqlColumns.js'
export type { SqlColumnMap, SqlPlainColumn, SqlJsonbColumn, SqlValueType } from './sql/sqlColumns.js'

// destinations
export { createDestinationDispatcher } from './destinations/dispatcher.js'
export type { DestinationDispatcher, DestinationDispatcherOptions, DispatchResult } from './destinations/dispatcher.js'
export { createTokenSource, encodeForm, parseOAuthToken, resolveUrl } from './destinations/tokenSource.js'
export type { TokenSource, TokenSourceOptions, TokenResult } from './destinations/tokenSource.js'
export {
  ERASURE_EVENT_NAME,
  crmActionOf,
  emailOf,
  traitsOf,
  leadTraitsOf,
  propertiesOf,
  isConsentDenied,
  applyTraitsMap,
  mergeTraitsMap,
} from './destinations/eventFields.js'
export type { CrmAction, TraitsMap } from './destinations/eventFields.js'
export { hubspotDestination, interpretHubspot, HUBSPOT_TRAITS_MAP } from './destinations/hubspot.js'
export type { HubspotDestinationOptions } from './destinations/hubspot.js'
export { salesforceDestination, interpretSalesforce, SALESFORCE_TRAITS_MAP, SALESFORCE_API_VERSION } from './destinations/salesforce.js'
export type { SalesforceDestinationOptions, SalesforceCredentials } from './destinations/salesforce.js'
export { zohoDestination, interpretZoho, ZOHO_TRAITS_MAP } from './destinations/zoho.js'
export type { ZohoDestinationOptions } from './destinations/zoho.js'
export { dynamicsDestination, interpretDynamics, DYNAMICS_TRAITS_MAP } from './destinations/dynamics.js'
export type { DynamicsDestinationOptions } from './destinations/dynamics.js'
export { createWebhookDestination, webhookSignatureHeader, webhookSignedText, WEBHOOK_SIGNATURE_HEADER } from './destinations/webhook.js'
export type { WebhookDestinationCoreOptions } from './destinations/webhook.js'
export type {
  Destination,
  DestinationAuth,
  DestinationRequest,
  DestinationResponse,
  DestinationOutcome,
  DestinationSender,
  DestinationStats,
  SendableRequest,
  AccessToken,
  Interpretation,
  MapContext,
  HttpMethod,
} from './destinations/destinationTypes.js'
