import type { Clock, Queue, QueueItem } from '@ecrm/core'
import type { SqlExecutor } from '../store/storeTypes.js'

interface ItemRow {
  readonly item_id: string
  readonly payload: string
  readonly attempts: number | string
  readonly available_at: number | string
  readonly created_at: number | string
}

function itemOf(row: ItemRow): QueueItem {
  return {
    id: row.item_id,
    payload: row.payload,
    bytes: new TextEncoder().encode(row.payload).byteLength,
    priority: 0,
    createdAt: Number(row.created_at),
    attempts: Number(row.attempts),
    availableAt: Number(row.available_at),
  }
}

/** A destination's queue in the store, plus what the fan-out records beside core's port. */
export interface SqlDestinationQueue extends Queue {
  /** Marks items given up on as `dead` with the reason (they were already removed from the queue). */
  readonly markDead: (ids: readonly string[], reason: string) => Promise<void>
}

/**
 * Core's {@link Queue} port over `ecrm_destination_items` for one destination. Enqueue ignores an
 * item id the destination ever had (queued, delivered or dead), so re-queueing is idempotent;
 * a lease takes due rows with `for update skip locked` and hides them until `lease_until`, so
 * several processes share one queue and a killed one's items are taken again when the lease
 * runs out. `remove` keeps the row as `delivered`.
 */
export function createSqlDestinationQueue(
  store: Pick<SqlExecutor, 'query'>,
  destination: string,
  clock: Clock = { now: Date.now },
): SqlDestinationQueue {
  const mine = `destination = $1 and item_id = any($2::text[])`
  return {
    async enqueue(items) {
      if (items.length === 0) return
      await store.query(
        `insert into ecrm_destination_items (destination, item_id, payload, available_at, created_at)
         select $1, * from unnest($2::text[], $3::text[], $4::bigint[], $5::bigint[])
         on conflict (destination, item_id) do nothing`,
        [
          destination,
          items.map((item) => item.id),
          items.map((item) => item.payload),
          items.map((item) => item.availableAt),
          items.map((item) => item.createdAt),
        ],
      )
    },
    async lease({ now, limit, leaseMs }) {
      const rows = await store.query<ItemRow>(
        `update ecrm_destination_items d set lease_until = $3
           from (select item_id from ecrm_destination_items
                  where destination = $1 and status = 'queued' and available_at <= $2 and (lease_until is null or lease_until <= $2)
                  order by available_at, created_at limit $4 for update skip locked) due
          where d.destination = $1 and d.item_id = due.item_id
          returning d.item_id, d.payload, d.attempts, d.available_at, d.created_at`,
        [destination, now, now + leaseMs, limit],
      )
      return rows.map(itemOf).sort((a, b) => a.availableAt - b.availableAt || a.createdAt - b.createdAt)
    },
    async remove(ids) {
      await store.query(
        `update ecrm_destination_items set status = 'delivered', lease_until = null, settled_at = $3 where ${mine} and status = 'queued'`,
        [destination, ids, clock.now()],
      )
    },
    async release(ids, availableAt) {
      await store.query(
        `update ecrm_destination_items set lease_until = null, attempts = attempts + 1, available_at = $3 where ${mine}`,
        [destination, ids, availableAt],
      )
    },
    async defer(ids, availableAt) {
      await store.query(`update ecrm_destination_items set lease_until = null, available_at = $3 where ${mine}`, [
        destination,
        ids,
        availableAt,
      ])
    },
    async markDead(ids, reason) {
      await store.query(`update ecrm_destination_items set status = 'dead', reason = $3 where ${mine}`, [
        destination,
        ids,
        reason,
      ])
    },
    async peek() {
      return (
        await store.query<ItemRow>(
          `select * from ecrm_destination_items where destination = $1 and status = 'queued' order by available_at`,
          [destination],
        )
      ).map(itemOf)
    },
    async size() {
      const [row] = await store.query<{ n: number | string }>(
        `select count(*) as n from ecrm_destination_items where destination = $1 and status = 'queued'`,
        [destination],
      )
      return Number(row?.n ?? 0)
    },
    async nextDueAt() {
      const [row] = await store.query<{ at: number | string | null }>(
        `select min(greatest(available_at, coalesce(lease_until, 0))) as at from ecrm_destination_items
          where destination = $1 and status = 'queued'`,
        [destination],
      )
      return row?.at === null || row?.at === undefined ? undefined : Number(row.at)
    },
  }
}
