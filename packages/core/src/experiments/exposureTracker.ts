import type { KeyValueStore } from '../ports.js'
import type { Assignment } from './assignVariant.js'

/** The `Experiment Viewed` event handed to `track` (Segment's A/B testing spec names). */
export interface ExposureEvent {
  readonly event: 'Experiment Viewed'
  /** The visitor the exposure belongs to (the hashed id), so a server-side tracker can set `userId`/`anonymousId`. */
  readonly visitorId: string
  readonly properties: {
    readonly experiment_id: string
    readonly variation_id: string
  }
}

/** Options of {@link createExposureTracker}. */
export interface ExposureTrackerOptions {
  /** Remembers which exposures were sent, across reloads (browser: localStorage; node: a shared store). */
  readonly storage: Pick<KeyValueStore, 'get' | 'set'>
  /** Sends the event, e.g. `(e) => client.track(e.event, e.properties)`. */
  readonly track: (event: ExposureEvent) => void
}

/** Records exposures once per visitor and variant. */
export interface ExposureTracker {
  /**
   * Sends `Experiment Viewed` the first time this visitor sees this variant; returns whether it
   * sent. Visitors outside the experiment or placed by a QA override or a forced variation are
   * not exposures (they would bias the analysis) and return `false`.
   */
  readonly expose: (experimentId: string, visitorId: string, assignment: Assignment) => boolean
}

/**
 * Creates an exposure tracker: one `Experiment Viewed` (experiment_id, variation_id) per visitor
 * and variant, deduplicated across reloads through `storage`.
 *
 * The event is sent before the mark is stored, so a crash in between repeats an exposure rather
 * than losing it (at-least-once, like the rest of the pipeline); analysis counts each visitor once.
 * Not guaranteed: two tabs calling at the same instant may both send.
 *
 * @example
 * const exposures = createExposureTracker({ storage, track: (e) => client.track(e.event, e.properties) })
 * exposures.expose(experiment.key, visitorId, assignVariant(experiment, { id: visitorId }))
 */
export function createExposureTracker({ storage, track }: ExposureTrackerOptions): ExposureTracker {
  // Saves a storage read on repeated renders of the same component.
  const sent = new Set<string>()
  return {
    expose(experimentId, visitorId, assignment) {
      if (!assignment.inExperiment) return false
      if (assignment.reason !== 'assigned' && assignment.reason !== 'sticky') return false
      const key = `ecrm_exposed:${experimentId}:${assignment.variationId}:${visitorId}`
      if (sent.has(key) || storage.get(key) !== undefined) {
        sent.add(key)
        return false
      }
      track({
        event: 'Experiment Viewed',
        visitorId,
        properties: { experiment_id: experimentId, variation_id: assignment.variationId },
      })
      sent.add(key)
      storage.set(key, '1')
      return true
    },
  }
}
