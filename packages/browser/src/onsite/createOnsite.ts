import {
  EcrmError,
  compileLogic,
  createRuleEngine,
  customerTimeZone,
  defaultLeadModel,
  isTruthy,
  scoreLead,
  toRuleEvent,
} from '@ecrm/core'
import type {
  Cancel,
  CompiledLogic,
  EcrmEvent,
  LeadScore,
  RuleDefinition,
  RuleEngine,
  RuleStateStore,
} from '@ecrm/core'
import { createKeyValueRuleStateStore } from './keyValueRuleStore.js'
import { createLocalProfile } from './localProfile.js'
import { createOnsiteExperiments } from './onsiteExperiments.js'
import type { Onsite, OnsiteHost, OnsiteSettings } from './onsiteTypes.js'

/** The rule engine's customer id on a device: one visitor, whatever ids they log in with. */
const VISITOR = 'visitor'
/** How often scheduled rules (birthday, daily, inactivity) are checked while the page is open. */
const SCHEDULE_CHECK_MS = 3_600_000

const memoryStorage = (): OnsiteHost['storage'] => {
  const map = new Map<string, string>()
  return {
    get: (key) => map.get(key),
    set: (key, value) => void map.set(key, value),
    remove: (key) => void map.delete(key),
  }
}

/** Keeps the rules that compile, reporting the others (and repeated ids) instead of failing the page. */
function usableRules(rules: readonly RuleDefinition[], host: OnsiteHost, store: RuleStateStore): RuleDefinition[] {
  const seen = new Set<string>()
  return rules.filter((rule) => {
    const id = String((rule as { id?: unknown } | null)?.id)
    try {
      if (seen.has(id)) throw new EcrmError('duplicate_rule', `the id "${id}" is used twice; give each rule its own id`)
      // Compiling a one-rule engine checks the conditions and durations without zod; it arms nothing.
      createRuleEngine({ rules: [rule], clock: host.clock, scheduler: host.scheduler, store, onFire: () => undefined })
      seen.add(id)
      return true
    } catch (error) {
      host.report(
        new EcrmError(
          'invalid_rule',
          `Invalid rule: rules["${id}"] (${error instanceof Error ? error.message : String(error)}; the rule was left out)`,
          { cause: error },
        ),
      )
      return false
    }
  })
}

/**
 * Creates the on-site intelligence of one visitor: the local profile (folded from each accepted
 * event, persisted), the rule engine over it (state in the KeyValueStore, so a pending timer
 * survives a reload), sticky experiments with one exposure per variant, and a lead score.
 *
 * Every read is memoised until the next change, so `profile()`, `rule(id)`, `leadScore()` and
 * `experiment(key)` return the same value (same identity) between two `subscribe` notifications:
 * React's `useSyncExternalStore` reads them without tearing. Time-dependent values (a rule using
 * `days_since`, the decayed lead score) are computed at the first read after a change, not ticked.
 */
export function createOnsite(settings: OnsiteSettings, host: OnsiteHost): Onsite {
  const keepProfile = settings.profile !== false
  const profile = createLocalProfile(host.visitorId(), { storage: keepProfile ? host.storage : memoryStorage() })
  const store = createKeyValueRuleStateStore(host.storage)
  const rules = usableRules(settings.rules ?? [], host, store)
  const leadModel = settings.leadModel === undefined ? defaultLeadModel : settings.leadModel
  const experiments = createOnsiteExperiments({
    experiments: settings.experiments ?? [],
    storage: host.storage,
    search: host.search,
    track: (exposure) => host.track(exposure.event, { ...exposure.properties }),
  })
  const conditions = new Map<string, { condition: CompiledLogic | null; zone: string | undefined }>()
  // The messageIds of the firings' own tracked events: a firing is not the visitor's activity,
  // so it is neither folded into the profile nor run through the rules (no loops).
  const firingMessages = new Set<string>()
  for (const rule of rules)
    conditions.set(rule.id, { condition: rule.if === undefined ? null : compileLogic(rule.if), zone: rule.timeZone })

  const fail = (where: string) => (error: unknown) =>
    host.report(
      new EcrmError('rule_engine_failed', `Rule engine failed: ${where} (${String(error)})`, { cause: error }),
    )
  const engine: RuleEngine | undefined =
    rules.length === 0
      ? undefined
      : createRuleEngine({
          rules,
          clock: host.clock,
          scheduler: host.scheduler,
          store,
          keyPrefix: '',
          onFire: (firing) => {
            const messageId = host.createId()
            firingMessages.add(messageId)
            host.track(firing.event.event, { ...firing.event.properties, firing_id: firing.id }, messageId)
            host.emit(`rule:${firing.ruleId}`, firing)
          },
        })
  const hasSchedules = rules.some((rule) => rule.schedule !== undefined)

  const listeners = new Set<() => void>()
  let ruleValues = new Map<string, boolean>()
  let score: LeadScore | undefined
  let scheduleTimer: Cancel | undefined
  let signals = 0
  const changed = (): void => {
    ruleValues = new Map()
    score = undefined
    experiments.invalidate()
    for (const listener of [...listeners]) listener()
  }
  const checkSchedules = (): void => {
    if (engine === undefined || !hasSchedules) return
    engine.checkSchedules(VISITOR, profile.get()).catch(fail('checkSchedules'))
    scheduleTimer = host.scheduler.schedule(checkSchedules, SCHEDULE_CHECK_MS)
  }

  const observe = (event: EcrmEvent): void => {
    if (firingMessages.delete(event.messageId)) return
    if (profile.fold(event, host.clock.now())) changed()
    // Core maps the call as on the server (identify → Identify, page → Page Viewed, ...).
    const ruleEvent = engine === undefined ? null : toRuleEvent(event)
    if (ruleEvent === null) return
    engine
      ?.process({ ...ruleEvent, userId: undefined, anonymousId: VISITOR }, profile.get())
      .catch(fail(`process("${ruleEvent.event}")`))
  }

  return {
    observe,
    signal(name, properties) {
      const now = host.clock.now()
      signals += 1
      const messageId = `local-${now.toString(36)}-${signals}`
      observe({
        type: 'track',
        event: name,
        properties: properties as never,
        messageId,
        timestamp: new Date(now).toISOString(),
        anonymousId: host.visitorId(),
      })
    },
    start() {
      engine?.start().catch(fail('start'))
      checkSchedules()
    },
    stop() {
      engine?.stop()
      scheduleTimer?.()
    },
    clear() {
      profile.clear(host.visitorId())
      store.clear()
      changed()
    },
    refresh() {
      if (profile.refresh()) changed()
    },
    profile: () => (keepProfile ? profile.get() : undefined),
    rule(id) {
      const entry = conditions.get(id)
      if (entry === undefined) return undefined
      let value = ruleValues.get(id)
      if (value === undefined) {
        const data = { profile: profile.get(), event: null }
        const timeZone = customerTimeZone(data.profile, null, entry.zone)
        value = entry.condition === null || isTruthy(entry.condition(data, { now: host.clock.now(), timeZone }))
        ruleValues.set(id, value)
      }
      return value
    },
    leadScore() {
      if (leadModel === false) return undefined
      score ??= scoreLead(profile.get(), leadModel, { now: host.clock.now() })
      return score
    },
    experiment(key, expose) {
      const current = profile.get()
      const subject = { ...current.traits, id: host.visitorId(), anonymousId: host.visitorId(), profile: current }
      return experiments.assign(key, subject, expose)
    },
    subscribe(listener) {
      listeners.add(listener)
      return () => void listeners.delete(listener)
    },
  }
}
