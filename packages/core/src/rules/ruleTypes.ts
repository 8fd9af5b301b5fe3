import type { LogicEngine } from '../logic/engine.js'
import type { EcrmEvent } from '../model/envelope.js'
import type { Clock, Logger, Scheduler } from '../ports.js'
import type { RuleDefinition } from './ruleSchema.js'
import type { RuleStateStore } from './ruleStateStore.js'

/** The part of an event the rule engine reads (a Segment `track` event fits). */
export interface RuleEvent {
  /** The event name, e.g. `"Product Added"`. */
  readonly event: string
  readonly userId?: string | undefined
  readonly anonymousId?: string | undefined
  readonly properties?: Readonly<Record<string, unknown>> | undefined
  readonly context?: { readonly timezone?: string | undefined } | undefined
}

/** One firing of a rule for a customer: what `onFire` receives. */
export interface RuleFiring {
  /**
   * Unique per firing (the rule id, the firing's count for this customer, its time in base 36,
   * the customer id): the key a handler dedupes by, as delivery may repeat it.
   */
  readonly id: string
  readonly ruleId: string
  /** `userId`, else `anonymousId`, of the customer. */
  readonly customerId: string
  /** Epoch ms of the firing. */
  readonly at: number
  /**
   * The event to track: `then.event` (default `"Rule Fired"`) with `rule_id`, `trigger_event`,
   * `triggered_at` (ISO), `trigger_properties` (for delayed firings) and `then.properties`.
   */
  readonly event: { readonly event: string; readonly properties: Readonly<Record<string, unknown>> }
}

/** Options of {@link createRuleEngine}. */
export interface RuleEngineOptions {
  /** The rules, as defined with `defineRule` (validated where they entered the system). */
  readonly rules: readonly RuleDefinition[]
  readonly clock: Clock
  readonly scheduler: Scheduler
  /** Persists pending timers and firing history, so a reload or restart resumes them. */
  readonly store: RuleStateStore
  /**
   * Called after each firing has been persisted. The client tracks `firing.event` and emits
   * `rule:<id>`. Errors it throws are logged, never rethrown.
   */
  readonly onFire: (firing: RuleFiring) => void | Promise<void>
  /** The engine for conditions (custom operators). @default the shared built-in engine */
  readonly logic?: LogicEngine
  /**
   * The customer's IANA zone for quiet hours and schedules, ahead of the rest of core's
   * `customerTimeZone` precedence.
   * @default profile.timezone, profile.traits.timezone, event.context.timezone, rule.timeZone, "UTC"
   */
  readonly timeZoneOf?: (profile: unknown, event: RuleEvent | null) => string | undefined
  /** Prefix of the store keys. @default "ecrm:rules:" */
  readonly keyPrefix?: string
  /** @default silent */
  readonly logger?: Logger
}

/** A running rule engine. Operations are serialised: one at a time, in call order. */
export interface RuleEngine {
  /** Re-arms the timers persisted by a previous run; those already due fire now, once. */
  readonly start: () => Promise<void>
  /**
   * Runs the event rules on one event of a customer (a Segment event, mapped by `toRuleEvent`:
   * `identify` as `Identify`, `page` as `Page Viewed`..., or a rule event); returns the firings
   * it caused at once.
   */
  readonly process: (event: RuleEvent | EcrmEvent, profile?: unknown) => Promise<RuleFiring[]>
  /**
   * Runs the scheduled rules for one customer at the current time (call it on load and then
   * periodically, e.g. hourly, per customer). Each occurrence fires at most once.
   */
  readonly checkSchedules: (customerId: string, profile: unknown) => Promise<RuleFiring[]>
  /** Fires the timers that are due now (the scheduler does this by itself; for hosts that poll). */
  readonly fireDue: () => Promise<RuleFiring[]>
  /** The armed timers, earliest first. */
  readonly pending: () => Promise<{ ruleId: string; customerId: string; dueAt: number }[]>
  /** Cancels the scheduler callbacks; the persisted state stays for the next `start()`. */
  readonly stop: () => void
}
