import type { KeyValueStore, RuleStateStore } from '@ecrm/core'

/** A {@link RuleStateStore} that can also forget everything it holds. */
export interface ClearableRuleStateStore extends RuleStateStore {
  /** Deletes the whole rule state (pending timers, firing history). */
  readonly clear: () => void
}

/**
 * Creates the rule engine's state store over a {@link KeyValueStore} (localStorage in the
 * browser): every entry lives in one JSON map under `key`, so `forget()` removes it in one step
 * and nothing is left behind when rules are renamed. Each call reads the stored map afresh, so a
 * timer another tab already fired is seen as fired here (two tabs firing in the same instant may
 * both fire: not guaranteed). Writes are synchronous; the promise is for the port's shape.
 *
 * @example
 * const store = createKeyValueRuleStateStore(localStore, 'ecrm.rules')
 * createRuleEngine({ rules, clock, scheduler, store, onFire })
 */
export function createKeyValueRuleStateStore(storage: KeyValueStore, key = 'ecrm.rules'): ClearableRuleStateStore {
  const read = (): Record<string, unknown> => {
    const text = storage.get(key)
    if (text === undefined) return {}
    try {
      const value = JSON.parse(text) as unknown
      return typeof value === 'object' && value !== null && !Array.isArray(value)
        ? (value as Record<string, unknown>)
        : {}
    } catch {
      // A damaged entry loses the pending timers, never the page.
      return {}
    }
  }
  return {
    get: async (entry) => read()[entry],
    set: async (entry, value) => {
      const map = read()
      if (value === undefined) delete map[entry]
      else map[entry] = value
      if (Object.keys(map).length === 0) storage.remove(key)
      else storage.set(key, JSON.stringify(map))
    },
    clear: () => storage.remove(key),
  }
}
