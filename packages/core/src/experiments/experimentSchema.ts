import * as z from 'zod'
import { EcrmValidationError } from '../errors.js'
import type { JsonValue } from '../model/envelope.js'

/*
 * The experiment definition as data. assignVariant() imports only the types from this module, so
 * zod stays off the browser's runtime path; validate definitions where they enter (a config
 * file, an admin API) with parseExperiment().
 */

const jsonValue: z.ZodType<JsonValue> = z.lazy(() =>
  z.union([z.string(), z.number(), z.boolean(), z.null(), z.array(jsonValue), z.record(z.string(), jsonValue)]),
)

const share = z.number().min(0).max(1)

/** One arm of an experiment. */
export const variationSchema = z.strictObject({
  /** Stable id reported in exposures and analysis, e.g. `control`, `short_form`. */
  id: z.string().min(1),
  /** What the arm renders (a label, a config object). @default null */
  value: jsonValue.optional(),
})

/** An experiment definition, GrowthBook-compatible in its bucketing fields. */
export const experimentSchema = z
  .strictObject({
    /** Unique key; also the hash seed unless `seed` is set. */
    key: z.string().min(1).max(200),
    /** Two or more arms; the first is the control and what visitors outside the experiment see. */
    variations: z.array(variationSchema).min(2),
    /** Traffic share of each arm, summing to 1. @default equal weights */
    weights: z.array(share).optional(),
    /** Share of eligible visitors included, 0–1. @default 1 */
    coverage: share.optional(),
    /** `[id, start, end)`: a slice of a namespace, for mutually exclusive experiments. */
    namespace: z.tuple([z.string().min(1), share, share]).optional(),
    /** JsonLogic rule over the subject (the profile); only matching visitors are included. */
    condition: jsonValue.optional(),
    /** Subject attribute whose value is hashed. @default 'id' */
    hashAttribute: z.string().min(1).optional(),
    /** 1 (GrowthBook legacy) or 2. @default 2 */
    hashVersion: z.union([z.literal(1), z.literal(2)]).optional(),
    /** Hash seed. @default the key */
    seed: z.string().optional(),
    /** A stopped experiment shows the control to everyone. @default true */
    active: z.boolean().optional(),
    /** Index of an arm shown to every included visitor (a rolled-out winner). */
    force: z.number().int().min(0).optional(),
    /** Bump to discard sticky assignments and re-bucket everyone. @default 0 */
    bucketVersion: z.number().int().min(0).optional(),
  })
  .superRefine((experiment, context) => {
    const count = experiment.variations.length
    const seen = new Set<string>()
    experiment.variations.forEach((variation, index) => {
      if (seen.has(variation.id)) {
        context.addIssue({
          code: 'custom',
          path: ['variations', index, 'id'],
          message: `duplicate variation id "${variation.id}"`,
        })
      }
      seen.add(variation.id)
    })
    if (experiment.weights) {
      if (experiment.weights.length !== count) {
        context.addIssue({ code: 'custom', path: ['weights'], message: `expected ${count} weights, one per variation` })
      }
      const total = experiment.weights.reduce((sum, weight) => sum + weight, 0)
      if (Math.abs(total - 1) > 0.01) {
        context.addIssue({ code: 'custom', path: ['weights'], message: `weights sum to ${total}, expected 1` })
      }
    }
    if (experiment.namespace && experiment.namespace[1] >= experiment.namespace[2]) {
      context.addIssue({ code: 'custom', path: ['namespace', 2], message: 'the namespace end must be above its start' })
    }
    if (experiment.force !== undefined && experiment.force >= count) {
      context.addIssue({ code: 'custom', path: ['force'], message: `no variation at index ${experiment.force}` })
    }
  })

/** One arm of an {@link Experiment}. */
export type Variation = z.infer<typeof variationSchema>

/** An experiment definition (see {@link experimentSchema} for every field). */
export type Experiment = z.infer<typeof experimentSchema>

/**
 * Validates an experiment definition and returns it typed.
 *
 * @throws EcrmValidationError listing every problem with its path, e.g. `weights (weights sum to 0.9, expected 1)`.
 * @example
 * const experiment = parseExperiment(JSON.parse(configText))
 */
export function parseExperiment(input: unknown): Experiment {
  const result = experimentSchema.safeParse(input)
  if (result.success) return result.data
  const issues = result.error.issues.map((issue) => ({
    path: issue.path.map((part) => (typeof part === 'number' ? part : String(part))),
    message: issue.message,
    code: issue.code,
  }))
  throw new EcrmValidationError('parseExperiment() was given an invalid experiment', issues, { cause: result.error })
}
