/**
 * Where the rule engine keeps what must survive a reload or a restart: pending timers and the
 * firing history of each rule and customer. Adapters back it with localStorage/IndexedDB in the
 * browser and with the database in Node; this module has the port and the in-memory version.
 */

/** Small persisted JSON by key. Values are plain JSON (no Dates, no undefined). */
export interface RuleStateStore {
  /** The value stored under `key`, or `undefined`. */
  readonly get: (key: string) => Promise<unknown>
  /** Stores `value` (JSON) under `key`; `undefined` deletes it. Durable once the promise resolves. */
  readonly set: (key: string, value: unknown) => Promise<void>
}

/** A timer waiting to fire a rule for one customer. */
export interface PendingFiring {
  /** Unique per arming, so a stale scheduler callback can tell it was replaced. */
  readonly id: string
  /** Epoch ms when it is due. */
  readonly dueAt: number
  /** `absence`: the `unless` event did not come in `within`; `delay`: `within` without `unless`; `quiet`: deferred past quiet hours. */
  readonly reason: 'absence' | 'delay' | 'quiet'
  /** Epoch ms of the trigger (the `when` event or the schedule). */
  readonly triggeredAt: number
  /** The customer's IANA zone when it was armed (quiet hours at due time). */
  readonly timeZone: string
  /** The trigger event's name and properties, for the firing. */
  readonly trigger: { readonly event: string; readonly properties: Readonly<Record<string, unknown>> } | null
}

/** What the engine remembers per rule and customer. */
export interface RuleCustomerState {
  /** Firings so far (for `maxFirings`). */
  readonly firings: number
  /** Epoch ms of the last firing (for `cooldown`). */
  readonly lastFiredAt: number | null
  /** The occurrence a schedule last fired for (local date, birthday year, inactivity start). */
  readonly lastOccurrence: string | null
  readonly pending: PendingFiring | null
}

/** The state of a rule and customer never seen. */
export const emptyRuleState: RuleCustomerState = { firings: 0, lastFiredAt: null, lastOccurrence: null, pending: null }

/**
 * Creates an in-memory {@link RuleStateStore}. Values are copied through JSON on the way in and
 * out, as a persistent store would, so tests catch state that does not serialise. Pass the same
 * `entries` map to a second store to simulate a restart over the same data.
 *
 * @example
 * const store = createMemoryRuleStateStore()
 * const engine = createRuleEngine({ rules, clock, scheduler, store, onFire })
 */
export function createMemoryRuleStateStore(entries: Map<string, string> = new Map()): RuleStateStore {
  return {
    get: async (key) => {
      const text = entries.get(key)
      return text === undefined ? undefined : (JSON.parse(text) as unknown)
    },
    set: async (key, value) => {
      if (value === undefined) entries.delete(key)
      else entries.set(key, JSON.stringify(value))
    },
  }
}
