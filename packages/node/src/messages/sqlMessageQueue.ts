import type { Queue, QueueItem } from '@ecrm/core'
import type { Store } from '../store/storeTypes.js'
import { messageOfRow } from './messageRows.js'
import type { MessageRow } from './messageRows.js'

const DUE = `status in ('queued', 'deferred')`

function itemOf(row: MessageRow): QueueItem {
  const payload = JSON.stringify(messageOfRow(row))
  return {
    id: row.message_id,
    payload,
    bytes: new TextEncoder().encode(payload).byteLength,
    priority: row.category === 'transactional' ? 1 : 0,
    createdAt: new Date(row.created_at).getTime(),
    attempts: Number(row.attempts),
    availableAt: Number(row.available_at),
  }
}

/**
 * Core's {@link Queue} port over `ecrm_messages`, for the delivery engine that sends messages.
 * A lease takes due rows with `for update skip locked` and hides them until `lease_until`, so any
 * number of senders share one table and a killed sender's messages are taken again once its lease
 * runs out. Rows are never deleted: `remove` only ends the lease (the sender has recorded the
 * outcome) or, for a message the engine gave up on unsent, records it failed.
 */
export function createSqlMessageQueue(store: Pick<Store, 'query'>): Queue {
  // Item ids are message ids; the customer id completes the key of the rows this queue leased.
  const customerOf = new Map<string, string>()
  const keys = (ids: readonly string[]): [string[], string[]] => {
    const known = ids.filter((id) => customerOf.has(id))
    return [known.map((id) => customerOf.get(id) as string), known]
  }
  const where = `(customer_id, message_id) in (select * from unnest($1::text[], $2::text[]))`
  return {
    async enqueue() {
      throw new Error('messages enter ecrm_messages with their firing (recordFiring), never through the queue')
    },
    async lease({ now, limit, leaseMs }) {
      const rows = await store.query<MessageRow>(
        `update ecrm_messages m set lease_until = $2
           from (select customer_id, message_id from ecrm_messages
                  where ${DUE} and available_at <= $1 and (lease_until is null or lease_until <= $1)
                  order by available_at limit $3 for update skip locked) due
          where m.customer_id = due.customer_id and m.message_id = due.message_id
          returning m.*`,
        [now, now + leaseMs, limit],
      )
      for (const row of rows) customerOf.set(row.message_id, row.customer_id)
      return rows.map(itemOf).sort((a, b) => a.availableAt - b.availableAt)
    },
    async remove(ids) {
      const [customers, messages] = keys(ids)
      await store.query(
        `update ecrm_messages set lease_until = null,
                status = case when ${DUE} then 'failed' else status end,
                reason = case when ${DUE} then coalesce(reason, 'gave up') else reason end
          where ${where}`,
        [customers, messages],
      )
      for (const id of messages) customerOf.delete(id)
    },
    async release(ids, availableAt) {
      const [customers, messages] = keys(ids)
      await store.query(
        `update ecrm_messages set lease_until = null, attempts = attempts + 1, available_at = $3 where ${where}`,
        [customers, messages, availableAt],
      )
      for (const id of messages) customerOf.delete(id)
    },
    async defer(ids, availableAt) {
      const [customers, messages] = keys(ids)
      await store.query(`update ecrm_messages set lease_until = null, available_at = $3 where ${where}`, [
        customers,
        messages,
        availableAt,
      ])
      for (const id of messages) customerOf.delete(id)
    },
    async peek() {
      return (await store.query<MessageRow>(`select * from ecrm_messages where ${DUE} order by available_at`)).map(
        itemOf,
      )
    },
    async size() {
      const [row] = await store.query<{ n: number | string }>(`select count(*) as n from ecrm_messages where ${DUE}`)
      return Number(row?.n ?? 0)
    },
  }
}
