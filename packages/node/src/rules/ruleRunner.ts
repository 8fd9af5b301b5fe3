import { createRuleEngine } from '@ecrm/core'
import type { Cancel, Clock, EcrmEvent, Logger, LogicEngine, RuleDefinition, RuleEvent, RuleFiring, Scheduler } from '@ecrm/core'
import { systemClock, unrefScheduler } from '../nodePorts.js'
import type { Store } from '../store/storeTypes.js'
import { firingEvent } from './firingEvent.js'
import { createSqlRuleStateStore } from './sqlRuleStateStore.js'

/** Options of {@link createRuleRunner}. */
export interface RuleRunnerOptions {
  /** The SQL store: rule state lives in its `ecrm_rule_state`, profiles come from it, firings go to it. */
  readonly store: Pick<Store, 'query' | 'insertEvents' | 'getProfile' | 'listProfiles'>
  /** The rules, validated with `defineRule` (or {@link loadRules}). */
  readonly rules: readonly RuleDefinition[]
  /** @default the system clock */
  readonly clock?: Clock
  /** Arms the rules' timers. @default `setTimeout`, unref'd */
  readonly scheduler?: Scheduler
  /** Called once per firing, after it is recorded (and tracked, with `trackFirings`). Errors are logged. */
  readonly onFire?: (firing: RuleFiring) => void | Promise<void>
  /**
   * Store each firing as a `track` event of the customer (`then.event`, e.g. `Cart Abandoned`,
   * with `rule_id`...), so it lands in the profile and in SQL, and destinations can act on it.
   * @default true
   */
  readonly trackFirings?: boolean
  /**
   * How often to reload the pending timers of every process and fire those due, in ms: a timer
   * armed by a runner that stopped fires within this delay of its due time. 0 turns polling off.
   * @default 30_000
   */
  readonly pollIntervalMs?: number
  /** How often to run the scheduled rules over every profile, in ms (0: only when called). @default 3_600_000 with scheduled rules, else 0 */
  readonly scheduleIntervalMs?: number
  /** The engine's key prefix. @default "ecrm:rules:" */
  readonly keyPrefix?: string
  /** Custom JsonLogic operators. @default the built-in engine */
  readonly logic?: LogicEngine
  /** @default silent */
  readonly logger?: Logger
}

/** A rule runner over the SQL store. */
export interface RuleRunner {
  /** Reloads and re-arms every pending timer (firing those already due, once), then starts polling. */
  readonly start: () => Promise<void>
  /**
   * Runs the event rules on events (the ingest handler's `onEvents`, or events your backend
   * tracks): `track` events only, each with its customer's stored profile. Returns the firings
   * that happened at once (delayed ones fire on their timers).
   */
  readonly processEvents: (events: readonly (EcrmEvent | RuleEvent)[]) => Promise<RuleFiring[]>
  /** Fires the due timers of every process now (what polling does); returns the firings. */
  readonly fireDue: () => Promise<RuleFiring[]>
  /** Runs the scheduled rules (birthday, inactivity, daily) over every stored profile. */
  readonly checkSchedules: () => Promise<RuleFiring[]>
  /** The pending timers this runner knows, earliest first. */
  readonly pending: () => Promise<{ ruleId: string; customerId: string; dueAt: number }[]>
  /** Resolves when the operations queued so far (timer firings included) are done. */
  readonly idle: () => Promise<void>
  /** Stops timers and polling; the state stays in the store for the next `start()`. */
  readonly stop: () => void
}

const PROFILE_PAGE = 500

/**
 * Creates the server-side rule runner: core's rule engine with its state in the SQL store
 * ({@link createSqlRuleStateStore}), so pending timers survive a restart and several runners
 * (processes, or a restarted one) over one database fire each timer exactly once, as far as the
 * state goes: a firing is recorded before it is tracked and handed to `onFire`, so a crash
 * between the two loses that one firing rather than doubling it.
 *
 * @example
 * const store = await createPgliteStore('.ecrm-data')
 * const runner = createRuleRunner({ store, rules: [cartAbandoned], onFire: (f) => mailer.send(f) })
 * await runner.start()
 * const ingest = createIngestHandler({ store, writeKeys: ['WRITE_KEY'], onEvents: runner.processEvents })
 */
export function createRuleRunner(options: RuleRunnerOptions): RuleRunner {
  const { store, rules, clock = systemClock, scheduler = unrefScheduler, trackFirings = true, logger } = options
  const pollIntervalMs = options.pollIntervalMs ?? 30_000
  const hasSchedules = rules.some((rule) => rule.schedule !== undefined)
  const scheduleIntervalMs = options.scheduleIntervalMs ?? (hasSchedules ? 3_600_000 : 0)
  const state = createSqlRuleStateStore({ store, ...(options.keyPrefix === undefined ? {} : { keyPrefix: options.keyPrefix }) })
  const delivered = new WeakSet<RuleFiring>()
  const watched = new Set(rules.flatMap((rule) => [rule.when, rule.unless].map(eventNameOf)).filter((name) => name !== null))

  async function deliver(firing: RuleFiring): Promise<void> {
    // Another runner changed this state first (it fired or cleared the timer): not ours to fire.
    if (state.takeLost(state.stateKey(firing.ruleId, firing.customerId))) return
    delivered.add(firing)
    if (trackFirings) {
      try {
        await store.insertEvents([await firingEvent(store, firing)])
      } catch (error) {
        logger?.error(`Rule firing not tracked: storing the "${firing.event.event}" event of rule "${firing.ruleId}" failed (onFire still runs)`, error)
      }
    }
    await options.onFire?.(firing)
  }

  const engine = createRuleEngine({
    rules,
    clock,
    scheduler,
    store: state,
    onFire: deliver,
    ...(options.keyPrefix === undefined ? {} : { keyPrefix: options.keyPrefix }),
    ...(options.logic === undefined ? {} : { logic: options.logic }),
    ...(logger === undefined ? {} : { logger }),
  })
  const ours = (firings: RuleFiring[]): RuleFiring[] => firings.filter((firing) => delivered.has(firing))
  const timers = new Map<string, Cancel>()
  let running = false

  async function fireDue(): Promise<RuleFiring[]> {
    await state.refresh()
    return ours(await engine.fireDue())
  }

  async function checkSchedules(): Promise<RuleFiring[]> {
    if (!hasSchedules) return []
    const firings: RuleFiring[] = []
    for (let offset = 0; ; offset += PROFILE_PAGE) {
      const page = await store.listProfiles({ limit: PROFILE_PAGE, offset })
      for (const profile of page) {
        const customerId = profile.identities.userIds[0] ?? profile.identities.anonymousIds[0]
        if (customerId !== undefined) firings.push(...ours(await engine.checkSchedules(customerId, profile)))
      }
      if (page.length < PROFILE_PAGE) return firings
    }
  }

  /** Runs `task` every `everyMs` until stopped; failures are logged, never thrown. */
  function every(everyMs: number, name: string, task: () => Promise<unknown>): void {
    if (everyMs <= 0) return
    const tick = (): void => {
      void task()
        .catch((error: unknown) => logger?.error(`Rule runner failed: ${name} (it runs again in ${everyMs} ms)`, error))
        .finally(() => {
          if (running) timers.set(name, scheduler.schedule(tick, everyMs))
        })
    }
    timers.set(name, scheduler.schedule(tick, everyMs))
  }

  return {
    async start() {
      await state.refresh()
      await engine.start()
      if (running) return
      running = true
      every(pollIntervalMs, 'polling due timers', fireDue)
      every(scheduleIntervalMs, 'checking scheduled rules', checkSchedules)
    },
    async processEvents(events) {
      const firings: RuleFiring[] = []
      const profiles = new Map<string, unknown>()
      for (const event of events) {
        if (('type' in event && event.type !== 'track') || !('event' in event) || !watched.has(event.event)) continue
        const id = event.userId ?? event.anonymousId
        if (id === undefined) continue
        if (!profiles.has(id)) profiles.set(id, (await store.getProfile(id)) ?? null)
        firings.push(...ours(await engine.process(event, profiles.get(id))))
      }
      return firings
    },
    fireDue,
    checkSchedules,
    pending: () => engine.pending(),
    idle: async () => {
      await engine.pending()
    },
    stop() {
      running = false
      for (const cancel of timers.values()) cancel()
      timers.clear()
      engine.stop()
    },
  }
}

function eventNameOf(match: RuleDefinition['when']): string | null {
  if (match === undefined) return null
  return typeof match === 'string' ? match : match.event
}
