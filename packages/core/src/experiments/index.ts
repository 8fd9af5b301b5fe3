/*
 * Public surface of experiments (A/B tests). The lead re-exports these from the package index.
 * zod is reachable only through experimentSchema / parseExperiment; every other export is
 * zod-free at runtime, so a browser bundle that skips parseExperiment ships no zod.
 */
export { hashFnv, fnv1a32 } from './hashFnv.js'
export type { HashVersion } from './hashFnv.js'
export { getEqualWeights, getBucketRanges, chooseVariation, inNamespace } from './bucketRanges.js'
export type { BucketRange, Namespace } from './bucketRanges.js'
export { experimentSchema, variationSchema, parseExperiment } from './experimentSchema.js'
export type { Experiment, Variation } from './experimentSchema.js'
export { readQueryOverride } from './queryOverride.js'
export { assignVariant } from './assignVariant.js'
export type { Assignment, AssignmentReason, AssignVariantOptions } from './assignVariant.js'
export { createExposureTracker } from './exposureTracker.js'
export type { ExposureEvent, ExposureTracker, ExposureTrackerOptions } from './exposureTracker.js'
export { analyzeExperiment, analyzeCollectedStats } from './analyzeExperiment.js'
export type {
  AnalyzeExperimentOptions,
  ExperimentAnalysis,
  ExperimentDecision,
  Lift,
  VariantAnalysis,
} from './analyzeExperiment.js'
export { collectVariantStats, toVariantTotals } from './collectVariantStats.js'
export type {
  CollectedStats,
  ConversionRecord,
  ExposureRecord,
  VariantSums,
  VariantTotals,
} from './collectVariantStats.js'
export { checkSampleRatio } from './sampleRatio.js'
export type { SampleRatioCheck } from './sampleRatio.js'
export { betaChanceToBeat, normalChanceToBeat } from './chanceToBeat.js'
export type { BetaPosterior } from './chanceToBeat.js'
export {
  normalCdf,
  normalQuantile,
  normalTwoSidedP,
  studentTCdf,
  studentTTwoSidedP,
  chiSquareCdf,
  chiSquareSurvival,
} from './distributions.js'
