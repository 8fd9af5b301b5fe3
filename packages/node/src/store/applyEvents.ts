import type { EcrmEvent, SegmentChange } from '@ecrm/core'
import { createCustomerId, eraseCustomer, insertNewCustomers, keyText, unifyCustomer } from './identities.js'
import type { IdentityKey, NewCustomer } from './identities.js'
import { createProfileFolder } from './profileFolder.js'
import type { FolderDerivation } from './profileFolder.js'
import type { SqlExecutor } from './storeTypes.js'

/** The track event that asks for a customer's data to be erased (GDPR art. 17). */
export const ERASURE_EVENT = 'Data Erasure Requested'

/** What applying a batch did. */
export interface AppliedEvents {
  /** Customers erased by `Data Erasure Requested` events. */
  readonly erased: number
  /** The newly inserted events still stored afterwards (an erasure deletes the events of its customer). */
  readonly kept: EcrmEvent[]
  /** Segment entries and exits the derivation of the touched profiles found (recorded already). */
  readonly changes: SegmentChange[]
}

/**
 * Applies newly inserted events, in batch order, inside the insert's transaction (the caller
 * holds the identity locks): every event resolves to a customer (created on first sight; an
 * identify, an alias, or an event carrying both ids links them, merging two customers when the
 * ids belonged to two), is folded into that customer's profile with `reduceProfile`, and merged
 * profiles are joined with `mergeProfiles`. `Data Erasure Requested` erases the customer, and
 * later events of the batch under the erased ids are neither resolved nor folded (they are gone).
 * With a `derivation`, the touched profiles are derived before they are written.
 */
export async function applyEvents(tx: SqlExecutor, events: readonly EcrmEvent[], now: number, derivation?: FolderDerivation): Promise<AppliedEvents> {
  const profiles = createProfileFolder(tx, now, derivation)
  // Owners of every id in the batch, read in one query and kept current as the batch links,
  // merges and erases: most events name ids already known to one customer and need no query.
  // (An alias's previousId may be either kind: both are looked up, as both are locked.)
  const owners = await ownersByKey(tx, events.flatMap(lookupKeysOf))
  await profiles.preload([...new Set(owners.values())])
  const erasedIds = new Set<string>()
  const kept: EcrmEvent[] = []
  let erased = 0
  // Customers first seen in this batch wait here and go out in two statements; any query that
  // could read them (a link, a merge, an erasure, an alias lookup) writes them first.
  const newCustomers: NewCustomer[] = []
  const writeNewCustomers = (): Promise<void> => insertNewCustomers(tx, newCustomers.splice(0))
  for (const event of events) {
    const ids = idsOf(event)
    if (ids.some((key) => erasedIds.has(key.value))) continue
    if (event.type === 'track' && event.event === ERASURE_EVENT) {
      const [key] = ids
      if (key === undefined) continue
      await writeNewCustomers()
      const owner = owners.get(keyText(key))
      const gone = owner === undefined ? [key] : await identitiesOf(tx, owner)
      erased += (await eraseCustomer(tx, key, 'event')).customersDeleted
      for (const id of gone) {
        erasedIds.add(id.value)
        owners.delete(keyText(id))
      }
      if (owner !== undefined) profiles.drop(owner)
      continue
    }
    if (event.type === 'alias') await writeNewCustomers()
    const keys = event.type === 'alias' ? await aliasKeys(tx, event) : ids
    const [primary] = keys
    if (primary === undefined) continue
    const known = new Set(keys.map((key) => owners.get(keyText(key))))
    const [only] = known
    let customerId: string
    if (known.size === 1 && only !== undefined && event.type !== 'identify' && event.type !== 'alias') {
      customerId = only // every id known, one customer: nothing to link
    } else if (known.size === 1 && only === undefined) {
      // No id known: a new customer, as unifyCustomer would create it, written with the others.
      customerId = createCustomerId()
      const traits = event.type === 'identify' ? (event.traits ?? {}) : {}
      newCustomers.push({ id: customerId, keys, traits, atIso: atOf(event) })
      profiles.create(customerId)
      for (const key of keys) owners.set(keyText(key), customerId)
    } else {
      await writeNewCustomers()
      const before = [...known].filter((id): id is string => id !== undefined)
      if (before.length > 1) await profiles.preload(before)
      const traits = event.type === 'identify' ? (event.traits ?? {}) : {}
      customerId = await unifyCustomer(tx, keys, primary, traits, atOf(event))
      // No id was known: the customer is new, invisible to other transactions until commit.
      if (before.length === 0) profiles.create(customerId)
      for (const owner of before) {
        if (owner === customerId) continue
        await profiles.merge(owner, customerId)
        for (const [key, value] of owners) if (value === owner) owners.set(key, customerId)
      }
      for (const key of keys) owners.set(keyText(key), customerId)
    }
    await profiles.fold(customerId, event)
    kept.push(event)
  }
  await writeNewCustomers()
  const changes = await profiles.flush()
  return { erased, kept: kept.filter((event) => !idsOf(event).some((key) => erasedIds.has(key.value))), changes }
}

function lookupKeysOf(event: EcrmEvent): IdentityKey[] {
  if (event.type !== 'alias') return idsOf(event)
  return [...idsOf(event), { kind: 'user_id', value: event.previousId }, { kind: 'anonymous_id', value: event.previousId }]
}

/** The ids an event names: its userId first (the primary), then its anonymousId. */
export function idsOf(event: EcrmEvent): IdentityKey[] {
  const keys: IdentityKey[] = []
  if (event.userId !== undefined) keys.push({ kind: 'user_id', value: event.userId })
  if (event.anonymousId !== undefined) keys.push({ kind: 'anonymous_id', value: event.anonymousId })
  return keys
}

function atOf(event: EcrmEvent): string {
  return event.timestamp ?? event.originalTimestamp ?? event.receivedAt ?? new Date().toISOString()
}

/** An alias makes `previousId` (a known id, else the anonymous id if the event says so, else an older user id) one with `userId`. */
async function aliasKeys(tx: SqlExecutor, event: EcrmEvent & { type: 'alias' }): Promise<IdentityKey[]> {
  if (event.userId === undefined) return []
  const previous = await tx.query<{ kind: 'user_id' | 'anonymous_id' }>(
    "select kind from ecrm_identities where kind in ('user_id', 'anonymous_id') and value = $1 order by kind desc limit 1",
    [event.previousId],
  )
  const kind = previous[0]?.kind ?? (event.previousId === event.anonymousId ? 'anonymous_id' : 'user_id')
  return [{ kind: 'user_id', value: event.userId }, { kind, value: event.previousId }, ...idsOf(event).slice(1)]
}

/** `kind:value` → customer id, for the known ones among `keys`. */
async function ownersByKey(tx: SqlExecutor, keys: readonly IdentityKey[]): Promise<Map<string, string>> {
  const owners = new Map<string, string>()
  if (keys.length === 0) return owners
  const rows = await tx.query<{ kind: IdentityKey['kind']; value: string; customer_id: string }>(
    `select i.kind, i.value, i.customer_id
       from ecrm_identities i
       join (select distinct kind, value from unnest($1::text[], $2::text[]) as k(kind, value)) as k
         on i.kind = k.kind and i.value = k.value`,
    [keys.map((key) => key.kind), keys.map((key) => key.value)],
  )
  for (const row of rows) owners.set(keyText(row), row.customer_id)
  return owners
}

async function identitiesOf(tx: SqlExecutor, customerId: string): Promise<IdentityKey[]> {
  return tx.query<IdentityKey>('select kind, value from ecrm_identities where customer_id = $1', [customerId])
}
