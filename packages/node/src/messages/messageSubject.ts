import type { CustomerProfile, EcrmEvent, JsonObject } from '@ecrm/core'
import type { Store } from '../store/storeTypes.js'

/** The ids a message event is stored under, so the store files it with its customer. */
export type CustomerIds = Pick<EcrmEvent, 'userId' | 'anonymousId'>

/** The ids a customer's events carry: their first userId, else their first anonymousId. */
export function eventIdsOf(profile: Pick<CustomerProfile, 'identities'>): CustomerIds | undefined {
  const [userId] = profile.identities.userIds
  if (userId !== undefined) return { userId }
  const [anonymousId] = profile.identities.anonymousIds
  return anonymousId === undefined ? undefined : { anonymousId }
}

/**
 * The ids to store a customer's message event under, by the key their message row was written
 * under (the rule runner's: the store's customer id, a user id or an anonymous id); `undefined`
 * when the customer is unknown or erased (then nothing may be stored: an event under a made-up id
 * would create a customer).
 */
export async function customerIdsOf(
  store: Pick<Store, 'getProfile'>,
  customerKey: string,
): Promise<CustomerIds | undefined> {
  const profile = await store.getProfile(customerKey)
  return profile === undefined ? undefined : eventIdsOf(profile)
}

/** A track event about a message, with a stable `messageId` so a repeated callback stores it once. */
export function messageEventOf(
  ids: CustomerIds,
  messageId: string,
  event: string,
  at: number,
  properties: JsonObject,
): EcrmEvent {
  const time = new Date(at).toISOString()
  return { type: 'track', messageId, event, properties, timestamp: time, receivedAt: time, ...ids } as EcrmEvent
}
