import { createHash } from 'node:crypto'
import type { EcrmEvent, JsonObject, RuleFiring } from '@ecrm/core'
import type { Store } from '../store/storeTypes.js'

/**
 * The `track` event that records a firing in the store: `firing.event` (e.g. `Cart Abandoned`
 * with `rule_id`, `trigger_event`, `triggered_at`), timed at the firing, under the customer's
 * user id, or anonymous id when that is what the engine keyed the customer by. A rule keyed by
 * the store's customer id (`customerKey: 'profile'`) records it under that customer's first user
 * id, else first anonymous id (pass a store with `getProfile` for that).
 *
 * The messageId is derived from the rule, the customer and the trigger time, so if the same
 * firing were ever recorded twice (it should not be), the store's dedupe would keep one.
 */
export async function firingEvent(store: Pick<Store, 'query'> & Partial<Pick<Store, 'getProfile'>>, firing: RuleFiring): Promise<EcrmEvent> {
  const rows = await store.query<{ kind: string }>(
    "select kind from ecrm_identities where kind in ('user_id', 'anonymous_id') and value = $1 order by kind desc limit 1",
    [firing.customerId],
  )
  const kind = rows[0]?.kind
  const who = kind === 'anonymous_id' ? { anonymousId: firing.customerId } : kind === 'user_id' ? { userId: firing.customerId } : await whoOfProfile(store, firing.customerId)
  const properties = firing.event.properties
  const digest = createHash('sha256')
    .update([firing.ruleId, firing.customerId, String(properties['triggered_at'] ?? firing.at), String(properties['trigger_event'] ?? '')].join('\u0000'))
    .digest('hex')
  const at = new Date(firing.at).toISOString()
  return {
    type: 'track',
    messageId: `rule-${digest.slice(0, 40)}`,
    event: firing.event.event,
    // Core builds these from JSON (the rule's `then.properties`, the trigger's properties).
    properties: properties as JsonObject,
    ...who,
    timestamp: at,
    receivedAt: at,
  }
}

/** The ids of a customer keyed by the store's customer id; the key itself when no profile has it. */
async function whoOfProfile(store: Partial<Pick<Store, 'getProfile'>>, customerId: string): Promise<{ userId: string } | { anonymousId: string }> {
  const profile = await store.getProfile?.(customerId)
  const userId = profile?.identities.userIds[0]
  if (userId !== undefined) return { userId }
  const anonymousId = profile?.identities.anonymousIds[0]
  return anonymousId !== undefined ? { anonymousId } : { userId: customerId }
}
