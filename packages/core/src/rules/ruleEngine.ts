import { EcrmError } from '../errors.js'
import { isTruthy } from '../logic/semantics.js'
import type { EcrmEvent } from '../model/envelope.js'
import type { Cancel } from '../ports.js'
import { withLongDelays } from '../time/longDelays.js'
import { compileRule } from './compileRule.js'
import type { CompiledMatch, CompiledRule } from './compileRule.js'
import { customerTimeZone } from './customerTimeZone.js'
import { decideFiring } from './decideFiring.js'
import { dueOccurrence } from './localCalendar.js'
import { toRuleEvent } from './ruleEvents.js'
import { emptyRuleState } from './ruleStateStore.js'
import type { PendingFiring, RuleCustomerState } from './ruleStateStore.js'
import type { RuleEngine, RuleEngineOptions, RuleEvent, RuleFiring } from './ruleTypes.js'

type PendingIndex = Record<string, { ruleId: string; customerId: string; dueAt: number }>

/**
 * Creates the rule engine: event rules (`when`, `unless` + `within`), scheduled rules, cooldowns,
 * caps and quiet hours, with timers on the scheduler port and their state in a
 * {@link RuleStateStore}. Pure logic: time comes from the clock, never a global.
 *
 * Delivery: a firing is persisted as fired *before* `onFire` runs, so a timer never fires twice,
 * even across a restart (at-most-once for the handler; if the process dies between the two, that
 * firing is lost). Make `onFire` enqueue into the durable queue for the rest of the way.
 *
 * @example
 * const engine = createRuleEngine({ rules: [cartAbandoned], clock, scheduler, store, onFire: (f) => client.track(f.event) })
 * await engine.start()
 * await engine.process({ event: 'Product Added', userId: 'u-1' }, profile)
 */
export function createRuleEngine(options: RuleEngineOptions): RuleEngine {
  const { clock, store, onFire, logger } = options
  // Timers of any length, in every runtime: a 60-day win-back must not fire after 1 ms.
  const scheduler = withLongDelays(options.scheduler, clock)
  const prefix = options.keyPrefix ?? 'ecrm:rules:'
  const indexKey = `${prefix}pending`
  const rules = new Map<string, CompiledRule>()
  for (const definition of options.rules) {
    if (rules.has(definition.id)) {
      throw new EcrmError(
        'duplicate_rule',
        `createRuleEngine failed: rules (the id "${definition.id}" is used twice; give each rule its own id)`,
      )
    }
    rules.set(definition.id, compileRule(definition, options.logic))
  }
  const timers = new Map<string, Cancel>()
  let sequence = 0
  let queue: Promise<unknown> = Promise.resolve()

  /** Runs operations one after another, so state reads and writes never interleave. */
  function exclusive<T>(run: () => Promise<T>): Promise<T> {
    const result = queue.then(run)
    queue = result.catch(() => undefined)
    return result
  }

  const stateKey = (ruleId: string, customerId: string): string => `${prefix}state:${ruleId}:${customerId}`

  async function load(key: string): Promise<RuleCustomerState> {
    const value = await store.get(key)
    return typeof value === 'object' && value !== null
      ? { ...emptyRuleState, ...(value as RuleCustomerState) }
      : emptyRuleState
  }

  /** Persists a state, then the index of pending timers, then (re)arms or clears the timer. */
  async function save(key: string, ruleId: string, customerId: string, state: RuleCustomerState): Promise<void> {
    await store.set(key, state)
    const index = ((await store.get(indexKey)) ?? {}) as PendingIndex
    if (state.pending === null) delete index[key]
    else index[key] = { ruleId, customerId, dueAt: state.pending.dueAt }
    await store.set(indexKey, index)
    if (state.pending === null) disarm(key)
    else arm(key, state.pending)
  }

  function arm(key: string, pending: PendingFiring): void {
    disarm(key)
    const delayMs = Math.max(0, pending.dueAt - clock.now())
    timers.set(
      key,
      scheduler.schedule(() => void exclusive(() => fireTimer(key, pending.id)), delayMs),
    )
  }

  function disarm(key: string): void {
    timers.get(key)?.()
    timers.delete(key)
  }

  const timeZoneFor = (rule: CompiledRule, profile: unknown, event: RuleEvent | null): string =>
    customerTimeZone(profile, event, rule.timeZone, options.timeZoneOf?.(profile, event))

  function matches(
    match: CompiledMatch | null,
    event: RuleEvent,
    data: unknown,
    now: number,
    timeZone: string,
  ): boolean {
    if (match === null || match.event !== event.event) return false
    for (const key in match.where) if (event.properties?.[key] !== match.where[key]) return false
    return match.condition === null || isTruthy(match.condition(data, { now, timeZone }))
  }

  /** Fires now, defers past quiet hours, or skips (caps, cooldown); persists before `onFire`. */
  async function attempt(
    rule: CompiledRule,
    customerId: string,
    state: RuleCustomerState,
    trigger: Omit<PendingFiring, 'id' | 'dueAt' | 'reason'>,
    occurrence: string | null,
    ignoreQuietHours: boolean,
  ): Promise<RuleFiring | null> {
    const now = clock.now()
    const key = stateKey(rule.id, customerId)
    const decision = decideFiring(rule, state, now, trigger.timeZone, ignoreQuietHours)
    const lastOccurrence = occurrence ?? state.lastOccurrence
    if (decision.kind === 'skip') {
      if (state.pending !== null || lastOccurrence !== state.lastOccurrence) {
        await save(key, rule.id, customerId, { ...state, pending: null, lastOccurrence })
      }
      return null
    }
    if (decision.kind === 'defer') {
      const pending: PendingFiring = { ...trigger, id: nextId(now), dueAt: decision.dueAt, reason: 'quiet' }
      await save(key, rule.id, customerId, { ...state, pending, lastOccurrence })
      return null
    }
    const firings = state.firings + 1
    await save(key, rule.id, customerId, { firings, lastFiredAt: now, lastOccurrence, pending: null })
    const firing: RuleFiring = {
      // Unique: one state write (a compare-and-set on the server) claims each count of a rule and customer.
      id: `${rule.id}:${firings}:${now.toString(36)}:${customerId}`,
      ruleId: rule.id,
      customerId,
      at: now,
      event: {
        event: rule.action.event,
        properties: {
          ...rule.action.properties,
          rule_id: rule.id,
          ...(trigger.trigger === null
            ? {}
            : { trigger_event: trigger.trigger.event, trigger_properties: trigger.trigger.properties }),
          triggered_at: new Date(trigger.triggeredAt).toISOString(),
        },
      },
    }
    try {
      await onFire(firing)
    } catch (error) {
      logger?.error(
        `Rule handler failed: onFire for rule "${rule.id}" (the firing is recorded; fix the handler)`,
        error,
      )
    }
    return firing
  }

  function nextId(now: number): string {
    sequence += 1
    return `${now.toString(36)}-${sequence.toString(36)}`
  }

  async function fireTimer(key: string, id: string): Promise<RuleFiring | null> {
    const index = ((await store.get(indexKey)) ?? {}) as PendingIndex
    const entry = index[key]
    const state = await load(key)
    const pending = state.pending
    if (entry === undefined || pending === null || pending.id !== id) return null // cancelled, replaced or fired
    if (pending.dueAt > clock.now()) {
      arm(key, pending) // woken early: wait again
      return null
    }
    const rule = rules.get(entry.ruleId)
    if (rule === undefined) {
      await save(key, entry.ruleId, entry.customerId, { ...state, pending: null }) // the rule was removed
      return null
    }
    return attempt(rule, entry.customerId, state, pending, null, pending.reason === 'quiet')
  }

  async function processEvent(input: RuleEvent | EcrmEvent, profile: unknown): Promise<RuleFiring[]> {
    const event = toRuleEvent(input)
    if (event === null) return []
    const customerId = event.userId ?? event.anonymousId
    if (customerId === undefined || customerId === '') return []
    const now = clock.now()
    const data = { event, profile: profile ?? null }
    const firings: RuleFiring[] = []
    for (const rule of rules.values()) {
      const timeZone = timeZoneFor(rule, profile, event)
      const key = stateKey(rule.id, customerId)
      let state: RuleCustomerState | null = null
      if (matches(rule.unless, event, data, now, timeZone)) {
        state = await load(key)
        // The awaited event came: the pending reminder (or its quiet-hours deferral) is void.
        if (state.pending !== null) await save(key, rule.id, customerId, (state = { ...state, pending: null }))
      }
      if (!matches(rule.when, event, data, now, timeZone)) continue
      if (rule.condition !== null && !isTruthy(rule.condition(data, { now, timeZone }))) continue
      state ??= await load(key)
      const trigger = {
        triggeredAt: now,
        timeZone,
        trigger: { event: event.event, properties: event.properties ?? {} },
      }
      if (rule.withinMs !== null) {
        // A new trigger restarts the window: "no order within 1 h of the *last* cart addition".
        const pending: PendingFiring = {
          ...trigger,
          id: nextId(now),
          dueAt: now + rule.withinMs,
          reason: rule.unless === null ? 'delay' : 'absence',
        }
        await save(key, rule.id, customerId, { ...state, pending })
        continue
      }
      const firing = await attempt(rule, customerId, state, trigger, null, false)
      if (firing !== null) firings.push(firing)
    }
    return firings
  }

  async function runSchedules(customerId: string, profile: unknown): Promise<RuleFiring[]> {
    const now = clock.now()
    const firings: RuleFiring[] = []
    for (const rule of rules.values()) {
      if (rule.schedule === null) continue
      const timeZone = timeZoneFor(rule, profile, null)
      const occurrence = dueOccurrence(rule.schedule, now, timeZone, profile)
      if (occurrence === null) continue
      const key = stateKey(rule.id, customerId)
      const state = await load(key)
      if (state.lastOccurrence === occurrence) continue
      if (rule.condition !== null && !isTruthy(rule.condition({ profile }, { now, timeZone }))) continue
      const firing = await attempt(
        rule,
        customerId,
        state,
        { triggeredAt: now, timeZone, trigger: null },
        occurrence,
        false,
      )
      if (firing !== null) firings.push(firing)
    }
    return firings
  }

  async function resume(): Promise<void> {
    const index = ((await store.get(indexKey)) ?? {}) as PendingIndex
    for (const [key, entry] of Object.entries(index)) {
      const state = await load(key)
      if (state.pending === null) await save(key, entry.ruleId, entry.customerId, state)
      else arm(key, state.pending)
    }
  }

  async function fireAllDue(): Promise<RuleFiring[]> {
    const index = ((await store.get(indexKey)) ?? {}) as PendingIndex
    const firings: RuleFiring[] = []
    for (const [key, entry] of Object.entries(index)) {
      if (entry.dueAt > clock.now()) continue
      const state = await load(key)
      if (state.pending === null) continue
      const firing = await fireTimer(key, state.pending.id)
      if (firing !== null) firings.push(firing)
    }
    return firings
  }

  return {
    start: () => exclusive(resume),
    process: (event, profile) => exclusive(() => processEvent(event, profile)),
    checkSchedules: (customerId, profile) => exclusive(() => runSchedules(customerId, profile)),
    fireDue: () => exclusive(fireAllDue),
    pending: () =>
      exclusive(async () =>
        Object.values(((await store.get(indexKey)) ?? {}) as PendingIndex).sort((a, b) => a.dueAt - b.dueAt),
      ),
    stop: () => {
      for (const key of [...timers.keys()]) disarm(key)
    },
  }
}
