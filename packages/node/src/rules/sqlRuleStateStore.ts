import type { RuleStateStore } from '@ecrm/core'
import type { Store } from '../store/storeTypes.js'

/** Options of {@link createSqlRuleStateStore}. */
export interface SqlRuleStateStoreOptions {
  /** The store whose `ecrm_rule_state` table holds the state. */
  readonly store: Pick<Store, 'query'>
  /** The rule engine's `keyPrefix`. @default "ecrm:rules:" */
  readonly keyPrefix?: string
}

/** A pending timer as the engine's index lists it. */
export interface PendingEntry {
  readonly ruleId: string
  readonly customerId: string
  readonly dueAt: number
}

/**
 * A {@link RuleStateStore} in the SQL store, safe for several rule runners (processes) over one
 * database, plus what the runner needs to use that safety.
 */
export interface SqlRuleStateStore extends RuleStateStore {
  /** Reloads the pending timers (every process's) from the table. */
  readonly refresh: () => Promise<void>
  /**
   * True when the last write of `key` lost a compare-and-set: another runner changed the state
   * since this one read it (it fired the timer, or cleared it), so this runner must not act on it.
   * Reading the answer clears it.
   */
  readonly takeLost: (key: string) => boolean
  /** The engine's key of the state of a rule and customer. */
  readonly stateKey: (ruleId: string, customerId: string) => string
}

/** Versions remembered between a read and the write that follows it; far above rules per operation. */
const MAX_REMEMBERED = 10_000

/**
 * Creates the durable, multi-process {@link RuleStateStore} of the rule runner over the SQL store.
 *
 * The engine reads a customer's state, decides, then writes it. Each row has a `version`; a write
 * succeeds only if the row still has the version this process read (compare-and-set in one
 * `UPDATE ... WHERE version = $n RETURNING`, or `INSERT ... ON CONFLICT DO NOTHING RETURNING` for
 * a row read as absent). So when two runners wake for one due timer, exactly one write removes it
 * and the other is told (`takeLost`) and does not fire. The engine's single index of pending
 * timers is not stored as one value (two processes would overwrite each other's entries): it is
 * derived from the rows' `due_at` column, cached here and reloaded by `refresh()`.
 *
 * Keys other than the engine's (`<prefix>state:<rule>:<customer>` and `<prefix>pending`) are
 * stored as plain rows, last write wins.
 */
export function createSqlRuleStateStore({
  store,
  keyPrefix = 'ecrm:rules:',
}: SqlRuleStateStoreOptions): SqlRuleStateStore {
  const indexKey = `${keyPrefix}pending`
  const statePrefix = `${keyPrefix}state:`
  const versions = new Map<string, number>()
  const lost = new Set<string>()
  let pending: Record<string, PendingEntry> = {}

  /** Rule ids are snake_case (no ':'), so the first ':' after the prefix ends the rule id. */
  function parseKey(key: string): { ruleId: string; customerId: string } | null {
    if (!key.startsWith(statePrefix)) return null
    const rest = key.slice(statePrefix.length)
    const colon = rest.indexOf(':')
    return colon <= 0 ? null : { ruleId: rest.slice(0, colon), customerId: rest.slice(colon + 1) }
  }

  function remember(key: string, version: number): void {
    versions.delete(key)
    versions.set(key, version)
    if (versions.size > MAX_REMEMBERED) versions.delete(versions.keys().next().value as string)
  }

  function dueAtOf(value: unknown): number | null {
    const due = (value as { pending?: { dueAt?: unknown } | null } | null)?.pending?.dueAt
    return typeof due === 'number' && Number.isFinite(due) ? due : null
  }

  async function write(key: string, value: unknown): Promise<boolean> {
    const expected = versions.get(key) ?? 0
    const parsed = parseKey(key)
    const dueAt = dueAtOf(value)
    let rows: { version: string | number }[]
    if (value === undefined) {
      rows = await store.query('delete from ecrm_rule_state where key = $1 and version = $2 returning version', [
        key,
        expected,
      ])
      if (expected === 0) rows = [{ version: 0 }] // deleting what was never there
    } else if (expected === 0) {
      rows = await store.query(
        `insert into ecrm_rule_state (key, value, version, rule_id, customer_id, due_at)
         values ($1, $2::jsonb, 1, $3, $4, $5) on conflict (key) do nothing returning version`,
        [key, JSON.stringify(value), parsed?.ruleId ?? null, parsed?.customerId ?? null, dueAt],
      )
    } else {
      rows = await store.query(
        `update ecrm_rule_state set value = $2::jsonb, version = version + 1, due_at = $4, updated_at = now()
          where key = $1 and version = $3 returning version`,
        [key, JSON.stringify(value), expected, dueAt],
      )
    }
    const row = rows[0]
    if (row === undefined) {
      versions.delete(key)
      return false
    }
    remember(key, Number(row.version))
    return true
  }

  return {
    async get(key) {
      if (key === indexKey) return { ...pending }
      const rows = await store.query<{ value: unknown; version: string | number }>(
        'select value, version from ecrm_rule_state where key = $1',
        [key],
      )
      const row = rows[0]
      remember(key, row === undefined ? 0 : Number(row.version))
      return row?.value
    },
    async set(key, value) {
      // The index follows the state rows (see above); the engine writes it right after a state.
      if (key === indexKey) return
      const won = await write(key, value)
      const parsed = parseKey(key)
      if (!won) {
        lost.add(key)
        delete pending[key] // the process that won keeps (or cleared) the timer; refresh() tells
        return
      }
      lost.delete(key)
      const dueAt = dueAtOf(value)
      if (parsed !== null && dueAt !== null) pending[key] = { ...parsed, dueAt }
      else delete pending[key]
    },
    async refresh() {
      const rows = await store.query<{ key: string; rule_id: string; customer_id: string; due_at: string | number }>(
        'select key, rule_id, customer_id, due_at from ecrm_rule_state where due_at is not null and key like $1',
        [`${statePrefix.replaceAll('\\', '\\\\').replaceAll('%', '\\%').replaceAll('_', '\\_')}%`],
      )
      const next: Record<string, PendingEntry> = {}
      for (const row of rows)
        next[row.key] = { ruleId: row.rule_id, customerId: row.customer_id, dueAt: Number(row.due_at) }
      pending = next
    },
    takeLost(key) {
      const was = lost.has(key)
      lost.delete(key)
      return was
    },
    stateKey: (ruleId, customerId) => `${statePrefix}${ruleId}:${customerId}`,
  }
}
