import type { Store } from '@ecrm/node'
import type { RuleStateStore } from '@ecrm/core'

/**
 * A {@link RuleStateStore} in the demo's own table of the event store's database, so armed
 * timers (a cart reminder due in 12 s) and firing history survive a restart of `npm start`.
 */
export async function createRuleStateTable(store: Pick<Store, 'query'>, table = 'demo_rule_state'): Promise<RuleStateStore> {
  await store.query(`create table if not exists ${table} (key text primary key, value jsonb not null)`)
  return {
    async get(key) {
      const rows = await store.query<{ value: unknown }>(`select value from ${table} where key = $1`, [key])
      return rows[0]?.value
    },
    async set(key, value) {
      if (value === undefined) {
        await store.query(`delete from ${table} where key = $1`, [key])
        return
      }
      await store.query(
        `insert into ${table} (key, value) values ($1, $2::jsonb) on conflict (key) do update set value = excluded.value`,
        [key, JSON.stringify(value)],
      )
    },
  }
}
