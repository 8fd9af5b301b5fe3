import { assignVariant, compileLogic, createExposureTracker, isTruthy } from '@ecrm/core'
import type { Assignment, Experiment, ExposureEvent, KeyValueStore } from '@ecrm/core'

/** Options of {@link createOnsiteExperiments}. */
export interface OnsiteExperimentsOptions {
  readonly experiments: readonly Experiment[]
  readonly storage: KeyValueStore
  /** The page's query string, read at each assignment (QA overrides `?ecrm_exp_<key>=<index>`). */
  readonly search: () => string
  /** Sends an exposure (`Experiment Viewed`). */
  readonly track: (event: ExposureEvent) => void
}

/** The visitor's experiments. */
export interface OnsiteExperiments {
  /**
   * The visitor's assignment, or `undefined` for an unknown key. The same object until the
   * visitor, their profile or the URL change it, so it can be a React snapshot. `expose: true`
   * also sends `Experiment Viewed`, once per visitor and variant.
   */
  readonly assign: (key: string, subject: Readonly<Record<string, unknown>>, expose: boolean) => Assignment | undefined
  /** Forgets the cached assignments (the visitor or their profile changed). */
  readonly invalidate: () => void
}

const same = (a: Assignment, b: Assignment): boolean =>
  a.variationId === b.variationId &&
  a.inExperiment === b.inExperiment &&
  a.reason === b.reason &&
  a.hashUsed === b.hashUsed

/**
 * Creates the experiments of the browser client over core's `assignVariant` and
 * `createExposureTracker`: sticky assignments and exposure marks live in the KeyValueStore under
 * `ecrm.` keys (so `forget()` clears them), targeting conditions are JsonLogic over the subject.
 */
export function createOnsiteExperiments(options: OnsiteExperimentsOptions): OnsiteExperiments {
  const byKey = new Map(options.experiments.map((experiment) => [experiment.key, experiment]))
  // assignVariant and the tracker write their own key names; the prefix puts them in ecrm's namespace.
  const prefixed: Pick<KeyValueStore, 'get' | 'set'> = {
    get: (key) => options.storage.get(`ecrm.${key}`),
    set: (key, value) => options.storage.set(`ecrm.${key}`, value),
  }
  const exposures = createExposureTracker({ storage: prefixed, track: options.track })
  const conditions = new Map<unknown, ReturnType<typeof compileLogic>>()
  const evaluate = (condition: unknown, data: Readonly<Record<string, unknown>>): boolean => {
    let compiled = conditions.get(condition)
    if (compiled === undefined) conditions.set(condition, (compiled = compileLogic(condition)))
    return isTruthy(compiled(data))
  }
  let cache = new Map<string, Assignment>()
  let previous = new Map<string, Assignment>()

  return {
    assign(key, subject, expose) {
      const experiment = byKey.get(key)
      if (experiment === undefined) return undefined
      let assignment = cache.get(key)
      if (assignment === undefined) {
        assignment = assignVariant(experiment, subject, { sticky: prefixed, search: options.search(), evaluate })
        // Keep the earlier object when nothing changed, so snapshots keep their identity.
        const before = previous.get(key)
        if (before !== undefined && same(before, assignment)) assignment = before
        cache.set(key, assignment)
      }
      const visitorId = subject[experiment.hashAttribute ?? 'id']
      if (expose && (typeof visitorId === 'string' || typeof visitorId === 'number')) {
        exposures.expose(key, String(visitorId), assignment)
      }
      return assignment
    },
    invalidate() {
      previous = new Map([...previous, ...cache])
      cache = new Map()
    },
  }
}
