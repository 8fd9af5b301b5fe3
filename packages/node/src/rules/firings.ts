import type { RuleFiring } from '@ecrm/core'
import type { ComposedMessage } from '../messages/composeMessages.js'
import { insertMessagesSql, messagesParam } from '../messages/messageRows.js'
import type { Store } from '../store/storeTypes.js'

/** A rule firing as the store records it (`ecrm_firings`). */
export interface StoredFiring extends RuleFiring {
  /** Epoch ms when `onFire` completed for it; `null` while it awaits (re)delivery. */
  readonly deliveredAt: number | null
  /** Times delivery was started (1 for a firing delivered at the first try). */
  readonly attempts: number
}

/** Options of {@link listFirings}. */
export interface ListFiringsOptions {
  /** Only this customer's firings (the id the rule keyed them by). */
  readonly customerId?: string
  /** Only this rule's firings. */
  readonly ruleId?: string
  /** @default 100 */
  readonly limit?: number
  /** @default 0 */
  readonly offset?: number
}

type FiringRow = {
  firing_id: string
  rule_id: string
  customer_id: string
  fired_at: string | Date
  payload: RuleFiring['event']
  delivered_at: string | Date | null
  attempts: number
}

const COLUMNS = 'firing_id, rule_id, customer_id, fired_at, payload, delivered_at, attempts'

function toFiring(row: FiringRow): StoredFiring {
  return {
    id: row.firing_id,
    ruleId: row.rule_id,
    customerId: row.customer_id,
    at: new Date(row.fired_at).getTime(),
    event: row.payload,
    deliveredAt: row.delivered_at === null ? null : new Date(row.delivered_at).getTime(),
    attempts: Number(row.attempts),
  }
}

/**
 * Records a firing (once: a repeat of its id is ignored), leased to this process for delivery
 * until `leaseUntil` (epoch ms), together with its messages for the outbox: one statement, so one
 * transaction, and the messages are written only with a firing that is new (a crash before it
 * loses neither, a repeat doubles neither). Firings live in their own table, never in
 * `ecrm_events`: they are what the rules did, not what the customer did.
 */
export async function recordFiring(
  store: Pick<Store, 'query'>,
  firing: RuleFiring,
  leaseUntil: number,
  messages: readonly ComposedMessage[] = [],
): Promise<void> {
  const params = [
    firing.customerId,
    firing.id,
    firing.ruleId,
    new Date(firing.at).toISOString(),
    JSON.stringify(firing.event),
    leaseUntil,
  ]
  const insertFiring = `insert into ecrm_firings (customer_id, firing_id, rule_id, fired_at, payload, lease_until)
     values ($1, $2, $3, $4, $5::jsonb, $6) on conflict do nothing`
  if (messages.length === 0) {
    await store.query(insertFiring, params)
    return
  }
  await store.query(
    `with firing as (${insertFiring} returning firing_id),
          messages as (${insertMessagesSql('$7', 'where exists (select 1 from firing)')})
     select 1`,
    [...params, messagesParam(messages)],
  )
}

/** Marks a firing delivered (its `onFire` completed). */
export async function markFiringDelivered(store: Pick<Store, 'query'>, firing: RuleFiring, at: number): Promise<void> {
  await store.query(
    'update ecrm_firings set delivered_at = $3, lease_until = null where customer_id = $1 and firing_id = $2',
    [firing.customerId, firing.id, new Date(at).toISOString()],
  )
}

/**
 * Takes up to `limit` firings whose delivery was started and never completed (the handler threw,
 * or the process died) and whose lease ran out by `now`, leasing each again until `now + leaseMs`
 * for this process only: of several runners, one takes each.
 */
export async function leaseUndeliveredFirings(
  store: Pick<Store, 'query'>,
  now: number,
  leaseMs: number,
  limit = 100,
): Promise<StoredFiring[]> {
  const rows = await store.query<FiringRow>(
    `update ecrm_firings f set lease_until = $2, attempts = f.attempts + 1
       from (select customer_id, firing_id from ecrm_firings
              where delivered_at is null and lease_until <= $1
              order by lease_until limit $3 for update skip locked) due
      where f.customer_id = due.customer_id and f.firing_id = due.firing_id
      returning ${COLUMNS.split(', ')
        .map((column) => `f.${column}`)
        .join(', ')}`,
    [now, now + leaseMs, limit],
  )
  return rows.map(toFiring)
}

/**
 * The recorded rule firings, newest first: for reports, dashboards and support ("why did this
 * customer get that email?").
 *
 * @example
 * const recent = await listFirings(store, { ruleId: 'cart_abandoned', limit: 20 })
 */
export async function listFirings(
  store: Pick<Store, 'query'>,
  options: ListFiringsOptions = {},
): Promise<StoredFiring[]> {
  const rows = await store.query<FiringRow>(
    `select ${COLUMNS} from ecrm_firings
      where ($1::text is null or customer_id = $1) and ($2::text is null or rule_id = $2)
      order by fired_at desc, firing_id desc limit $3 offset $4`,
    [options.customerId ?? null, options.ruleId ?? null, options.limit ?? 100, options.offset ?? 0],
  )
  return rows.map(toFiring)
}
