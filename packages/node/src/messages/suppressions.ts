import type { Store } from '../store/storeTypes.js'

/** A recipient to leave out of every later send (a hard bounce, a complaint, a block). */
export interface SuppressionEntry {
  readonly kind: string
  readonly recipient: string
  readonly reason: string
  /** Epoch ms. */
  readonly at: number
}

/**
 * Adds `entry` to `ecrm_suppressions` under the customer whose message bounced; a repeat is a
 * no-op. The sender checks the list by (kind, recipient) before every send.
 */
export async function addSuppression(
  store: Pick<Store, 'query'>,
  customerId: string,
  entry: SuppressionEntry,
): Promise<void> {
  await store.query(
    `insert into ecrm_suppressions (customer_id, kind, recipient, reason, at) values ($1, $2, $3, $4, $5) on conflict do nothing`,
    [customerId, entry.kind, entry.recipient, entry.reason, new Date(entry.at).toISOString()],
  )
}
