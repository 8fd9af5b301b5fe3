import { createRuleEngine } from '@ecrm/core'
import { systemClock } from '@ecrm/node'

/** @typedef {import('@ecrm/core').EcrmEvent} EcrmEvent */
/** @typedef {import('@ecrm/core').CustomerProfile} CustomerProfile */
/** @typedef {import('@ecrm/core').RuleDefinition} RuleDefinition */
/** @typedef {import('@ecrm/core').RuleFiring} RuleFiring */
/** @typedef {import('@ecrm/core').Scheduler} Scheduler */
/** @typedef {import('@ecrm/node').Store} Store */

/**
 * setTimeout fires at once for delays past 2^31 - 1 ms (24.8 days), and a win-back window is
 * longer. The engine re-arms a timer that wakes before it is due, so waking at least once a day
 * is enough: a long wait becomes a few short ones.
 * @type {Scheduler}
 */
export const longDelayScheduler = {
  schedule(callback, delayMs) {
    const timer = setTimeout(callback, Math.min(delayMs, 86_400_000))
    timer.unref() // the HTTP server keeps the process alive, not the timers
    return () => clearTimeout(timer)
  },
}

/**
 * The engine's state (pending timers, firings per customer) in a table of the same database, so
 * a restart re-arms the timers (`engine.start()`) and never sends a welcome email twice.
 * @param {Store} store
 * @returns {Promise<import('@ecrm/core').RuleStateStore>}
 */
async function createRuleStateTable(store) {
  await store.query('create table if not exists example_rule_state (key text primary key, value jsonb not null)')
  return {
    async get(key) {
      const rows = await store.query('select value from example_rule_state where key = $1', [key])
      return rows[0]?.value
    },
    async set(key, value) {
      if (value === undefined) await store.query('delete from example_rule_state where key = $1', [key])
      else {
        await store.query(
          'insert into example_rule_state (key, value) values ($1, $2) on conflict (key) do update set value = excluded.value',
          [key, JSON.stringify(value)],
        )
      }
    },
  }
}

/**
 * What the engine sees of a stored event: track events by name, identify calls as "Identify"
 * (with the traits as properties). Page views and the rest trigger no rule here.
 * @param {EcrmEvent} event
 */
function toRuleEvent(event) {
  const context = event.context?.timezone === undefined ? {} : { context: { timezone: event.context.timezone } }
  if (event.type === 'track') return { event: event.event, properties: event.properties ?? {}, ...context }
  if (event.type === 'identify') return { event: 'Identify', properties: event.traits ?? {}, ...context }
  return undefined
}

/**
 * @typedef {object} RuleRunnerOptions
 * @property {Store} store The store the ingest handler writes to.
 * @property {readonly RuleDefinition[]} rules
 * @property {(firing: RuleFiring, profile: CustomerProfile | undefined) => void | Promise<void>} onFire
 *   Called once per firing, after the engine recorded it, with the customer's current profile.
 * @property {(line: string) => void} log
 */

/**
 * Runs the rules on every event the ingest handler stores, in this process. It wraps the store:
 * `insertEvents` stores first (duplicates of a retried batch are skipped by the store, so they
 * never reach the rules), then hands each newly stored event, with its customer's profile, to
 * the engine.
 *
 * Customers are keyed by the store's customer id (the profile's `id`), not by the raw ids of the
 * event: a cart filled anonymously and an order placed after sign-in belong to one customer, so
 * the order cancels the reminder. Not handled: when the store later merges two customers, timers
 * armed under the merged-away id still fire under it.
 *
 * @param {RuleRunnerOptions} options
 */
export async function startRuleRunner({ store, rules, onFire, log }) {
  const state = await createRuleStateTable(store)
  const engine = createRuleEngine({
    rules,
    clock: systemClock,
    scheduler: longDelayScheduler,
    store: state,
    // The firing carries the store's customer id: read the profile when the timer fires, so an
    // email address given after the cart was filled is used.
    onFire: async (firing) => onFire(firing, await store.getProfile(firing.customerId)),
    logger: { debug: () => {}, warn: log, error: (message, detail) => log(`${message} ${String(detail ?? '')}`) },
  })
  await engine.start() // timers of the previous run: due ones fire now

  /** @param {readonly EcrmEvent[]} events */
  async function feed(events) {
    for (const event of events) {
      const ruleEvent = toRuleEvent(event)
      if (ruleEvent === undefined) continue
      const profile = await store.getProfile(event.userId ?? event.anonymousId ?? '')
      if (profile === undefined) continue // erased in the same batch
      await engine.process({ ...ruleEvent, userId: profile.id }, profile)
    }
  }

  // One batch at a time: the rules see events in the order they were stored.
  /** @type {Promise<unknown>} */
  let turn = Promise.resolve()
  /** @type {Store} */
  const wrapped = {
    ...store,
    insertEvents(events, options) {
      const run = turn.then(async () => {
        const result = await store.insertEvents(events, { ...options, returnStored: true })
        // The events are stored: a failing rule must not make the sender retry the batch.
        await feed(result.stored ?? []).catch((error) => log(`rules: ${String(error)}`))
        return result
      })
      turn = run.catch(() => undefined)
      return run
    },
  }
  return { store: wrapped, engine, stop: () => engine.stop() }
}
