import { HOUR_MS, createRuleEngine, toRuleEvent } from '@ecrm/core'
import type {
  Cancel,
  Clock,
  CustomerProfile,
  EcrmEvent,
  Logger,
  LogicEngine,
  RuleDefinition,
  RuleEngine,
  RuleEvent,
  RuleFiring,
  Scheduler,
  SegmentChangeEvent,
} from '@ecrm/core'
import { systemClock, unrefScheduler } from '../nodePorts.js'
import type { Store } from '../store/storeTypes.js'
import { composeMessages } from '../messages/composeMessages.js'
import type { MessageComposer } from '../messages/composeMessages.js'
import { leaseUndeliveredFirings, markFiringDelivered, recordFiring } from './firings.js'
import { createSqlRuleStateStore } from './sqlRuleStateStore.js'
import type { SqlRuleStateStore } from './sqlRuleStateStore.js'

/**
 * Which id a rule follows a customer by (the engine's `customerId`):
 * - `userId`: the user id, else the anonymous id (the engine's own choice);
 * - `anonymousId`: the anonymous id, else the user id: one browser, whoever signs in on it (a
 *   cart kept in the browser: an order placed after signing in at checkout cancels the reminder);
 * - `profile`: the store's customer id (`profile.id`), one customer across all the ids the
 *   store has linked (identify, alias).
 */
export type CustomerKey = 'userId' | 'anonymousId' | 'profile'

/** Options of {@link createRuleRunner}. */
export interface RuleRunnerOptions {
  /** The SQL store: rule state lives in its `ecrm_rule_state`, firings in `ecrm_firings`, profiles come from it. */
  readonly store: Pick<Store, 'query' | 'getProfile' | 'listProfiles'>
  /** The rules, validated with `defineRule` (or {@link loadRules}). */
  readonly rules: readonly RuleDefinition[]
  /** @default the system clock */
  readonly clock?: Clock
  /** Arms the rules' timers. @default `setTimeout`, unref'd */
  readonly scheduler?: Scheduler
  /**
   * Called for each firing after it is recorded in `ecrm_firings`; at least once: a handler that
   * throws (or a process that dies before it returns) gets the firing again, with the same
   * `firing.id`, after `redeliverAfterMs`. Dedupe by `firing.id`. Errors are logged.
   */
  readonly onFire?: (firing: RuleFiring) => void | Promise<void>
  /**
   * Channels and rendering for the rules' `then.send` steps: each firing's messages are rendered
   * and written to the message outbox (`ecrm_messages`) in the statement that records the firing.
   * @default none (`then.send` steps are not sent)
   */
  readonly messages?: MessageComposer
  /**
   * How long a firing whose `onFire` did not complete waits before it is handed out again (by
   * the polling of whichever runner is up), in ms.
   * @default 300_000
   */
  readonly redeliverAfterMs?: number
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
  /**
   * Which id each rule keys customers by: one {@link CustomerKey} for every rule, or one per rule
   * id (rules not named use `userId`). Each key gets its own engine and state rows.
   * @default 'userId'
   */
  readonly customerKey?: CustomerKey | Readonly<Record<string, CustomerKey>>
}

/** A rule runner over the SQL store. */
export interface RuleRunner {
  /** Reloads and re-arms every pending timer (firing those already due, once), then starts polling. */
  readonly start: () => Promise<void>
  /**
   * Runs the event rules on events (the ingest handler's `onEvents`, or events your backend
   * tracks), mapped as core's `toRuleEvent` does in every runtime (`identify` as `Identify`,
   * `page` as `Page Viewed`...), each with its customer's stored profile. Returns the firings
   * that happened at once (delayed ones fire on their timers).
   */
  readonly processEvents: (events: readonly (EcrmEvent | RuleEvent)[]) => Promise<RuleFiring[]>
  /**
   * Runs the event rules on the store's segment changes (`Segment Entered` / `Segment Exited`,
   * by the store's customer id), which are not customer events: they are never stored as events.
   */
  readonly processSegmentChanges: (changes: readonly SegmentChangeEvent[]) => Promise<RuleFiring[]>
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
 * state goes. Each firing is then recorded in `ecrm_firings` (never as an event of the customer:
 * it moves no `lastSeenAt` and no inactivity schedule) and handed to `onFire`, at least once.
 *
 * @example
 * const store = await createPgliteStore('.ecrm-data')
 * const runner = createRuleRunner({ store, rules: [cartAbandoned], onFire: (f) => mailer.send(f) })
 * await runner.start()
 * const ingest = createIngestHandler({ store, writeKeys: ['WRITE_KEY'], onEvents: runner.processEvents })
 */
export function createRuleRunner(options: RuleRunnerOptions): RuleRunner {
  const { store, rules, clock = systemClock, scheduler = unrefScheduler, logger } = options
  const redeliverAfterMs = options.redeliverAfterMs ?? 300_000
  const keyPrefix = options.keyPrefix ?? 'ecrm:rules:'
  const pollIntervalMs = options.pollIntervalMs ?? 30_000
  const hasSchedules = rules.some((rule) => rule.schedule !== undefined)
  const scheduleIntervalMs = options.scheduleIntervalMs ?? (hasSchedules ? HOUR_MS : 0)
  const delivered = new WeakSet<RuleFiring>()
  const ruleById = new Map(rules.map((rule) => [rule.id, rule]))
  const watched = new Set(
    rules.flatMap((rule) => [rule.when, rule.unless].map(eventNameOf)).filter((name) => name !== null),
  )
  const keyOf = (rule: RuleDefinition): CustomerKey => {
    const setting = options.customerKey ?? 'userId'
    return typeof setting === 'string' ? setting : (setting[rule.id] ?? 'userId')
  }

  /** One engine per customer key; `userId` keeps the plain prefix, so its state rows stay where they were. */
  const lanes = (['userId', 'anonymousId', 'profile'] as const).flatMap((key) => {
    const laneRules = rules.filter((rule) => keyOf(rule) === key)
    if (laneRules.length === 0) return []
    const prefix = key === 'userId' ? keyPrefix : `${keyPrefix}${key}:`
    const state = createSqlRuleStateStore({ store, keyPrefix: prefix })
    const engine = createRuleEngine({
      rules: laneRules,
      clock,
      scheduler,
      store: state,
      onFire: (firing) => deliver(state, firing),
      keyPrefix: prefix,
      ...(options.logic === undefined ? {} : { logic: options.logic }),
      ...(logger === undefined ? {} : { logger }),
    })
    return [{ key, state, engine, hasSchedules: laneRules.some((rule) => rule.schedule !== undefined) }]
  })

  async function deliver(state: SqlRuleStateStore, firing: RuleFiring): Promise<void> {
    // Another runner changed this state first (it fired or cleared the timer): not ours to fire.
    if (state.takeLost(state.stateKey(firing.ruleId, firing.customerId))) return
    delivered.add(firing)
    try {
      const rule = ruleById.get(firing.ruleId)
      const messages =
        options.messages === undefined || rule === undefined
          ? []
          : await composeMessages(options.messages, rule, firing, await store.getProfile(firing.customerId))
      await recordFiring(store, firing, clock.now() + redeliverAfterMs, messages)
    } catch (error) {
      logger?.error(
        `Rule firing not recorded: writing firing "${firing.id}" of rule "${firing.ruleId}" to ecrm_firings failed (onFire still runs)`,
        error,
      )
    }
    await hand(firing)
  }

  /** Runs `onFire`, then marks the firing delivered; a throw leaves it for redelivery (and is logged by the engine or the poll). */
  async function hand(firing: RuleFiring): Promise<void> {
    await options.onFire?.(firing)
    await markFiringDelivered(store, firing, clock.now())
  }

  async function redeliver(): Promise<RuleFiring[]> {
    const firings = await leaseUndeliveredFirings(store, clock.now(), redeliverAfterMs)
    for (const firing of firings) {
      try {
        await hand(firing)
      } catch (error) {
        logger?.error(
          `Rule handler failed: onFire for firing "${firing.id}" of rule "${firing.ruleId}" (attempt ${firing.attempts}; it is handed out again in ${redeliverAfterMs} ms)`,
          error,
        )
      }
    }
    return firings
  }

  const ours = (firings: RuleFiring[]): RuleFiring[] => firings.filter((firing) => delivered.has(firing))
  const timers = new Map<string, Cancel>()
  let running = false

  async function fireDue(): Promise<RuleFiring[]> {
    const firings: RuleFiring[] = []
    for (const lane of lanes) {
      await lane.state.refresh()
      firings.push(...ours(await lane.engine.fireDue()))
    }
    await redeliver()
    return firings
  }

  async function checkSchedules(): Promise<RuleFiring[]> {
    if (!hasSchedules) return []
    const firings: RuleFiring[] = []
    for (let offset = 0; ; offset += PROFILE_PAGE) {
      const page = await store.listProfiles({ limit: PROFILE_PAGE, offset })
      for (const profile of page) {
        for (const lane of lanes) {
          if (!lane.hasSchedules) continue
          const customerId = customerIdOf(lane.key, profile)
          if (customerId !== undefined) firings.push(...ours(await lane.engine.checkSchedules(customerId, profile)))
        }
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
      for (const lane of lanes) {
        await lane.state.refresh()
        await lane.engine.start()
      }
      await redeliver()
      if (running) return
      running = true
      every(pollIntervalMs, 'polling due timers', fireDue)
      every(scheduleIntervalMs, 'checking scheduled rules', checkSchedules)
    },
    async processEvents(events) {
      const firings: RuleFiring[] = []
      const profiles = new Map<string, CustomerProfile | null>()
      for (const input of events) {
        const event = toRuleEvent(input)
        if (event === null || !watched.has(event.event)) continue
        const id = event.userId ?? event.anonymousId
        if (id === undefined) continue
        if (!profiles.has(id)) profiles.set(id, (await store.getProfile(id)) ?? null)
        const profile = profiles.get(id) ?? null
        for (const lane of lanes) {
          const customerId =
            lane.key === 'profile' ? profile?.id : lane.key === 'anonymousId' ? (event.anonymousId ?? event.userId) : id
          // No stored profile (erased meanwhile): a profile-keyed rule has nobody to follow.
          if (customerId === undefined) continue
          firings.push(
            ...ours(await lane.engine.process({ ...event, userId: customerId, anonymousId: undefined }, profile)),
          )
        }
      }
      return firings
    },
    async processSegmentChanges(changes) {
      const firings: RuleFiring[] = []
      for (const change of changes) {
        if (!watched.has(change.event)) continue
        const profile = await store.getProfile(change.customerId)
        if (profile === undefined) continue // erased meanwhile
        for (const lane of lanes) {
          const customerId = customerIdOf(lane.key, profile)
          if (customerId === undefined) continue
          firings.push(
            ...ours(
              await lane.engine.process(
                { event: change.event, userId: customerId, properties: change.properties },
                profile,
              ),
            ),
          )
        }
      }
      return firings
    },
    fireDue,
    checkSchedules,
    pending: () => pendingOf(lanes.map((lane) => lane.engine)),
    idle: async () => {
      await pendingOf(lanes.map((lane) => lane.engine))
    },
    stop() {
      running = false
      for (const cancel of timers.values()) cancel()
      timers.clear()
      for (const lane of lanes) lane.engine.stop()
    },
  }
}

function eventNameOf(match: RuleDefinition['when']): string | null {
  if (match === undefined) return null
  return typeof match === 'string' ? match : match.event
}

function customerIdOf(key: CustomerKey, profile: CustomerProfile): string | undefined {
  const { userIds, anonymousIds } = profile.identities
  if (key === 'profile') return profile.id
  return key === 'anonymousId' ? (anonymousIds[0] ?? userIds[0]) : (userIds[0] ?? anonymousIds[0])
}

/** The pending timers of every engine, earliest first. */
async function pendingOf(
  engines: readonly RuleEngine[],
): Promise<{ ruleId: string; customerId: string; dueAt: number }[]> {
  const all = []
  for (const engine of engines) all.push(...(await engine.pending()))
  return all.sort((a, b) => a.dueAt - b.dueAt)
}
