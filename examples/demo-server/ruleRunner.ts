import { createRuleEngine, emptyProfile, eventTimeMs, reduceProfile, validateEvent } from '@ecrm/core'
import type { CustomerProfile, EcrmEvent, Logger, RuleEngine, RuleEvent, RuleFiring } from '@ecrm/core'
import { systemClock, unrefScheduler } from '@ecrm/node'
import type { Store } from '@ecrm/node'
import { cartRules, customerRules } from './demoRules.js'
import type { DemoRuleWindows } from './demoRules.js'
import { createRuleStateTable } from './ruleStateTable.js'

/** `context.library.name` of the events the rules track: they are never fed back to the rules. */
export const RULES_LIBRARY = 'ecrm-demo-rules'

/** Options of {@link createRuleRunner}. */
export interface RuleRunnerOptions {
  /** The event store the ingest handler writes to. */
  readonly store: Store
  readonly windows: DemoRuleWindows
  /** Where firings and failures are told. */
  readonly log: (line: string) => void
}

/** The rule engines of the demo, and the store decorator that feeds them. */
export interface RuleRunner {
  /** The store to hand to the ingest handler: `insertEvents` also feeds the rules. */
  readonly store: Store
  /** Re-arms the timers of a previous run (due ones fire now). */
  readonly start: () => Promise<void>
  /** The armed timers of both engines, earliest first. */
  readonly pending: () => Promise<{ ruleId: string; customerId: string; dueAt: number }[]>
  /** Cancels the timers (their state stays in the table for the next start). */
  readonly stop: () => void
}

/** Rule-engine keys say which id they are, so a firing can be tracked under the right one. */
const keyOf = (kind: 'a' | 'u', id: string): string => `${kind}:${id}`

/**
 * Runs the core rule engine in the server process, fed by what the ingest handler stores: a
 * decorator around `insertEvents` stores first (the store dedupes retries by `messageId`), then
 * folds each new event's customer profile from the store and hands the event to the engines.
 * Firings are tracked back into the same store as events (`Cart Abandoned`, `Rule Fired`).
 * Two engines: cart rules keyed by the browser (anonymous id), customer rules by user id.
 */
export async function createRuleRunner({ store, windows, log }: RuleRunnerOptions): Promise<RuleRunner> {
  const state = await createRuleStateTable(store)
  const onFire = async (firing: RuleFiring): Promise<void> => {
    const event = firingEvent(firing)
    if (event === null) return
    await store.insertEvents([event])
    log(`rule ${firing.ruleId} fired for ${firing.customerId.slice(2)} → ${firing.event.event}`)
  }
  const common = { clock: systemClock, scheduler: unrefScheduler, store: state, onFire, logger: consoleLogger(log) }
  const cart = createRuleEngine({ ...common, rules: cartRules(windows), keyPrefix: 'cart:' })
  const customer = createRuleEngine({ ...common, rules: customerRules(windows), keyPrefix: 'customer:' })
  let queue: Promise<unknown> = Promise.resolve()

  async function feed(events: readonly EcrmEvent[]): Promise<void> {
    const profiles = new Map<string, CustomerProfile>()
    for (const event of [...events].sort((a, b) => (eventTimeMs(a) ?? 0) - (eventTimeMs(b) ?? 0))) {
      const ruleEvent = toRuleEvent(event)
      if (ruleEvent === null) continue
      const profile = await profileOf(store, event, profiles)
      if (event.anonymousId !== undefined || event.userId !== undefined) {
        const cartKey = event.anonymousId !== undefined ? keyOf('a', event.anonymousId) : keyOf('u', event.userId ?? '')
        await cart.process({ ...ruleEvent, userId: cartKey, anonymousId: undefined }, profile)
        const personKey = event.userId !== undefined ? keyOf('u', event.userId) : keyOf('a', event.anonymousId ?? '')
        await customer.process({ ...ruleEvent, userId: personKey, anonymousId: undefined }, profile)
      }
    }
  }

  const decorated: Store = {
    ...store,
    insertEvents: (events) => {
      const run = queue.then(async () => {
        const ids = events.map((event) => event.messageId)
        const known = await store.query<{ message_id: string }>('select message_id from ecrm_events where message_id = any($1)', [ids])
        const result = await store.insertEvents(events)
        const seen = new Set(known.map((row) => row.message_id))
        const fresh = events.filter((event) => !seen.has(event.messageId) && (seen.add(event.messageId), true))
        // The events are stored: a rule failure must not turn the batch into a retry.
        await feed(fresh).catch((error: unknown) => log(`rules: feeding events failed: ${String(error)}`))
        return result
      })
      queue = run.catch(() => undefined)
      return run
    },
  }

  return {
    store: decorated,
    start: async () => {
      await cart.start()
      await customer.start()
    },
    pending: async () => [...(await cart.pending()), ...(await customer.pending())].sort((a, b) => a.dueAt - b.dueAt),
    stop: () => {
      cart.stop()
      customer.stop()
    },
  }
}

/** The engine's view of an event: track events by name, identify as `Identify`; others none. */
function toRuleEvent(event: EcrmEvent): Omit<RuleEvent, 'userId' | 'anonymousId'> | null {
  const library = event.context?.library?.name
  if (library === RULES_LIBRARY) return null
  const context = event.context?.timezone === undefined ? {} : { context: { timezone: event.context.timezone } }
  if (event.type === 'track') return { event: event.event, properties: event.properties ?? {}, ...context }
  if (event.type === 'identify') return { event: 'Identify', properties: event.traits ?? {}, ...context }
  return null
}

/** The customer's profile folded from every stored event under any of their ids. */
async function profileOf(store: Store, event: EcrmEvent, cache: Map<string, CustomerProfile>): Promise<CustomerProfile> {
  const ids = [event.userId, event.anonymousId].filter((id): id is string => id !== undefined)
  const rows = await store.query<{ customer_id: string }>(
    `select customer_id from ecrm_identities where (kind = 'user_id' and value = $1) or (kind = 'anonymous_id' and value = $2) limit 1`,
    [event.userId ?? null, event.anonymousId ?? null],
  )
  const customerId = rows[0]?.customer_id
  const key = customerId ?? `anon:${ids.join('|')}`
  const cached = cache.get(key)
  if (cached !== undefined) return reduceProfile(cached, event)
  const history =
    customerId === undefined
      ? await store.query<{ payload: EcrmEvent }>('select payload from ecrm_events where anonymous_id = $1 or user_id = $2 order by occurred_at', [event.anonymousId ?? null, event.userId ?? null])
      : await store.query<{ payload: EcrmEvent }>(
          `select e.payload from ecrm_events e join ecrm_identities i
              on (i.kind = 'user_id' and e.user_id = i.value) or (i.kind = 'anonymous_id' and e.anonymous_id = i.value)
            where i.customer_id = $1 order by e.occurred_at`,
          [customerId],
        )
  const profile = history.reduce((folded, row) => reduceProfile(folded, row.payload), emptyProfile(key))
  cache.set(key, profile)
  return profile
}

/** The event a firing tracks, under the id the rule's engine keyed the customer by. */
function firingEvent(firing: RuleFiring): EcrmEvent | null {
  const id = firing.customerId.slice(2)
  const who = firing.customerId.startsWith('u:') ? { userId: id } : { anonymousId: id }
  const at = new Date(firing.at).toISOString()
  const checked = validateEvent({
    type: 'track',
    event: firing.event.event,
    properties: JSON.parse(JSON.stringify(firing.event.properties)) as unknown,
    messageId: `rule-${firing.ruleId}-${firing.at.toString(36)}-${id}`.slice(0, 100),
    timestamp: at,
    receivedAt: at,
    context: { library: { name: RULES_LIBRARY, version: '0.1.0' } },
    ...who,
  })
  return checked.ok ? checked.event : null
}

/** A {@link Logger} onto the demo's log line function (debug is dropped). */
function consoleLogger(log: (line: string) => void): Logger {
  return {
    debug: () => undefined,
    warn: (message) => log(message),
    error: (message, error) => log(`${message}${error === undefined ? '' : `: ${String(error)}`}`),
  }
}
