import { EcrmError } from '../errors.js'
import type { JsonValue } from '../model/envelope.js'
import type { KeyValueStore } from '../ports.js'
import { chooseVariation, getBucketRanges, inNamespace } from './bucketRanges.js'
import type { Experiment } from './experimentSchema.js'
import { hashFnv } from './hashFnv.js'
import { readQueryOverride } from './queryOverride.js'

/** Why a visitor got the variation they got. */
export type AssignmentReason =
  | 'assigned' // bucketed by the hash just now
  | 'sticky' // a stored earlier assignment
  | 'query_override' // `?ecrm_exp_<key>=<index>` (QA)
  | 'forced' // options.forcedVariations
  | 'experiment_forced' // experiment.force (a rolled-out arm)
  | 'inactive'
  | 'no_hash_value' // the subject lacks the hash attribute
  | 'not_in_namespace'
  | 'condition_failed'
  | 'not_covered' // hashed outside the coverage share
  | 'unknown_hash_version'
  | 'invalid_variation' // a forced or override index with no such variation
  | 'too_few_variations' // an unvalidated definition with fewer than two arms

/** What {@link assignVariant} decided. */
export interface Assignment {
  /** True when the visitor sees a variation chosen for this experiment (by hash, sticky or force). */
  readonly inExperiment: boolean
  /** Index into `experiment.variations`; 0 (control) when not in the experiment. */
  readonly variationIndex: number
  /** The variation's `id`; the control's when not in the experiment. */
  readonly variationId: string
  /** The variation's `value`, or `null` when it has none. */
  readonly value: JsonValue
  /** True only when the hash chose the variation just now; only these (and sticky) visitors belong in an analysis. */
  readonly hashUsed: boolean
  readonly reason: AssignmentReason
}

/** Options of {@link assignVariant}. Everything the environment would supply comes in here. */
export interface AssignVariantOptions {
  /**
   * Evaluates `experiment.condition` against the subject. Required when an experiment has a
   * condition, e.g. `(rule, data) => Boolean(compileLogic(rule)(data))`.
   */
  readonly evaluate?: (condition: JsonValue, data: Readonly<Record<string, unknown>>) => boolean
  /** Persists assignments so a visitor keeps their variation when weights, coverage or targeting change. */
  readonly sticky?: Pick<KeyValueStore, 'get' | 'set'>
  /** The page's query string or URL, for QA overrides. Never read from a global. */
  readonly search?: string
  /** Query parameter prefix of QA overrides. @default 'ecrm_exp_' */
  readonly queryPrefix?: string
  /** Experiment key → variation index to show regardless of bucketing (QA, tests). */
  readonly forcedVariations?: Readonly<Record<string, number>>
}

/**
 * Assigns a subject (a visitor or customer's attributes) to an experiment's variation.
 *
 * Deterministic: the same subject and definition give the same variation in every runtime, and
 * GrowthBook's SDKs agree on the bucketing. Order: QA override, forced variation, active flag,
 * hash attribute, sticky assignment (which skips namespace, targeting and coverage, so a visitor
 * keeps their arm when those change), namespace, condition, hash and coverage, experiment force.
 *
 * @throws EcrmError `missing_evaluator` when the experiment has a condition and no `evaluate`.
 * @example
 * const result = assignVariant(experiment, { id: visitorId, ...profile }, { search: location.search, sticky: storage })
 * if (result.variationId === 'short_form') showShortForm()
 */
export function assignVariant(
  experiment: Experiment,
  subject: Readonly<Record<string, unknown>>,
  options: AssignVariantOptions = {},
): Assignment {
  const { variations } = experiment
  const result = (index: number, inExperiment: boolean, hashUsed: boolean, reason: AssignmentReason): Assignment => {
    const valid = Number.isInteger(index) && index >= 0 && index < variations.length
    const variationIndex = valid ? index : 0
    const variation = variations[variationIndex]
    return {
      inExperiment: valid && inExperiment,
      variationIndex,
      variationId: variation?.id ?? '',
      value: variation?.value ?? null,
      hashUsed: valid && hashUsed,
      reason: valid ? reason : 'invalid_variation',
    }
  }
  const out = (reason: AssignmentReason): Assignment => result(0, false, false, reason)

  if (variations.length < 2) return out('too_few_variations')
  if (options.search !== undefined) {
    const name = `${options.queryPrefix ?? 'ecrm_exp_'}${experiment.key}`
    const override = readQueryOverride(options.search, name, variations.length)
    if (override !== null) return result(override, true, false, 'query_override')
  }
  const forced = options.forcedVariations?.[experiment.key]
  if (forced !== undefined) return result(forced, true, false, 'forced')
  if (experiment.active === false) return out('inactive')

  const raw = subject[experiment.hashAttribute ?? 'id']
  const hashValue = typeof raw === 'string' || typeof raw === 'number' ? String(raw) : ''
  if (hashValue === '') return out('no_hash_value')

  const stickyKey = `ecrm_exp:${experiment.key}:${experiment.bucketVersion ?? 0}:${hashValue}`
  const storedId = options.sticky?.get(stickyKey)
  const storedIndex = storedId === undefined ? -1 : variations.findIndex((variation) => variation.id === storedId)
  if (storedIndex >= 0) return result(storedIndex, true, false, 'sticky')

  if (experiment.namespace && !inNamespace(hashValue, experiment.namespace)) return out('not_in_namespace')
  if (experiment.condition !== undefined) {
    if (!options.evaluate) {
      throw new EcrmError(
        'missing_evaluator',
        `assignVariant() cannot check a targeting condition: experiment "${experiment.key}" (pass options.evaluate, e.g. (rule, data) => Boolean(compileLogic(rule)(data)))`,
      )
    }
    if (!options.evaluate(experiment.condition, subject)) return out('condition_failed')
  }

  const n = hashFnv(experiment.seed ?? experiment.key, hashValue, experiment.hashVersion ?? 2)
  if (n === null) return out('unknown_hash_version')
  const ranges = getBucketRanges(variations.length, experiment.coverage ?? 1, experiment.weights)
  const index = chooseVariation(n, ranges)
  if (index < 0) return out('not_covered')
  if (experiment.force !== undefined) return result(experiment.force, true, false, 'experiment_forced')

  const assigned = result(index, true, true, 'assigned')
  options.sticky?.set(stickyKey, assigned.variationId)
  return assigned
}
