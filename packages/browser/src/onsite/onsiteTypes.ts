import type {
  Assignment,
  Cancel,
  Clock,
  CustomerProfile,
  EcrmError,
  EcrmEvent,
  Experiment,
  KeyValueStore,
  LeadModel,
  LeadScore,
  RuleDefinition,
  Scheduler,
} from '@ecrm/core'

/** What the on-site intelligence is configured with (the browser client's options). */
export interface OnsiteSettings {
  /**
   * Keep the visitor's profile on the device (`ecrm.profile()`). With `false` nothing of it is
   * stored; rules and the lead score then see a profile of the current page's events only.
   * @default true
   */
  readonly profile?: boolean
  /**
   * Rules run on the local profile (validated where they were authored, e.g. with core's
   * `defineRule`; here only their conditions are compiled, so zod stays out of the bundle). A
   * malformed rule is reported on `onError` and left out; the others run.
   * @default [] (none)
   */
  readonly rules?: readonly RuleDefinition[]
  /** Experiments the visitor can be assigned to (`ecrm.experiment(key)`). @default [] (none) */
  readonly experiments?: readonly Experiment[]
  /** The lead model of `ecrm.leadScore()`; `false` turns lead scoring off. @default core's defaultLeadModel */
  readonly leadModel?: LeadModel | false
}

/** What the on-site intelligence needs from its host (the browser client). */
export interface OnsiteHost {
  readonly clock: Clock
  readonly scheduler: Scheduler
  readonly storage: KeyValueStore
  /** The visitor being profiled (the anonymousId): profile id and experiment hash. */
  readonly visitorId: () => string
  /** The page's query string, for experiment QA overrides. */
  readonly search: () => string
  /** Tracks an event through the pipeline (rule firings, exposures), under `messageId` when given. */
  readonly track: (event: string, properties: Record<string, unknown>, messageId?: string) => void
  /** A fresh unique id (the messageId of a firing's tracked event). */
  readonly createId: () => string
  /** Emits a client event (`rule:<id>`) to handlers registered with `on`. */
  readonly emit: (name: string, payload: unknown) => void
  /** Reports an error on the client's channels (`onError`, `stats().lastError`, the `'error'` event); never throws. */
  readonly report: (error: EcrmError) => void
}

/** The running on-site intelligence: a local profile, rules, experiments and a lead score. */
export interface Onsite {
  /** Folds an accepted event into the profile and runs the rules on it. */
  readonly observe: (event: EcrmEvent) => void
  /** Observes an event that stays on the device (an engagement signal that is not sent). */
  readonly signal: (event: string, properties: Record<string, unknown>) => void
  /** Re-arms persisted rule timers (those already due fire now, once) and runs the schedules. */
  readonly start: () => void
  /** Cancels timers; what is persisted stays. */
  readonly stop: () => void
  /** Forgets the visitor: profile, rule state, assignments (on `reset()` and `forget()`). */
  readonly clear: () => void
  /** Picks up what another tab stored. */
  readonly refresh: () => void
  /** The visitor's local profile; `undefined` with `profile: false`. */
  readonly profile: () => CustomerProfile | undefined
  /** Whether rule `id`'s condition holds for the visitor now; `undefined` for an unknown rule. */
  readonly rule: (id: string) => boolean | undefined
  /** The lead score of the local profile; `undefined` when lead scoring is off. */
  readonly leadScore: () => LeadScore | undefined
  /** The visitor's sticky variation of experiment `key`, tracking one exposure per variant when `expose`; `undefined` for an unknown key. */
  readonly experiment: (key: string, expose: boolean) => Assignment | undefined
  /** Calls `listener` after any of the values above changed. */
  readonly subscribe: (listener: () => void) => Cancel
}
