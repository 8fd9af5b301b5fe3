import { ERASURE_EVENT_NAME } from '@ecrm/core'
import type { EcrmEvent, SegmentChange, ValidationIssue } from '@ecrm/core'
import {
  createCustomerId,
  eraseCustomer,
  eraseDevice,
  identifiedAmong,
  insertNewCustomers,
  keyText,
  unifyCustomer,
} from './identities.js'
import type { IdentityKey, NewCustomer } from './identities.js'
import { createProfileFolder } from './profileFolder.js'
import type { FolderDerivation, ProfileFolder } from './profileFolder.js'
import type { RefusedEvent, SqlExecutor } from './storeTypes.js'

/** What applying a batch did. */
export interface AppliedEvents {
  /** Customers erased by `Data Erasure Requested` events. */
  readonly erased: number
  /** The newly inserted events still stored afterwards (an erasure deletes the events of its customer). */
  readonly kept: EcrmEvent[]
  /** Segment entries and exits the derivation of the touched profiles found (recorded already). */
  readonly changes: SegmentChange[]
  /** Events refused on their own (deleted again): an untrusted event that acts on another customer. */
  readonly refused: RefusedEvent[]
  /** Customers this batch created. */
  readonly created: number
}

/**
 * Applies newly inserted events, in batch order, inside the insert's transaction (the caller
 * holds the identity locks): every event resolves to a customer (created on first sight; an
 * identify, an alias, or an event carrying both ids links them, merging two customers when the
 * ids belonged to two), is folded into that customer's profile with `reduceProfile`, and merged
 * profiles are joined with `mergeProfiles`. `Data Erasure Requested` erases the customer, and
 * later events of the batch under the erased ids are neither resolved nor folded (they are gone).
 * With a `derivation`, the touched profiles are derived before they are written.
 *
 * An event `isTrusted` denies (a browser's, unverified) acts on its own device only: its erasure
 * erases its anonymousId ({@link eraseDevice}; one naming only a userId is refused), an identify
 * or alias that would merge in a customer holding another userId, or alias a user id, is refused,
 * and any other event that would do so is kept under its userId's customer without the link.
 */
export async function applyEvents(
  tx: SqlExecutor,
  events: readonly EcrmEvent[],
  now: number,
  isTrusted: (event: EcrmEvent) => boolean = () => true,
  derivation?: FolderDerivation,
): Promise<AppliedEvents> {
  const profiles = createProfileFolder(tx, now, derivation)
  // Owners of every id in the batch, read in one query and kept current as the batch links,
  // merges and erases: most events name ids already known to one customer and need no query.
  // (An alias's previousId may be either kind: both are looked up, as both are locked.)
  const owners = await ownersByKey(tx, events.flatMap(lookupKeysOf))
  await profiles.preload([...new Set(owners.values())])
  const erasedIds = new Set<string>()
  const kept: EcrmEvent[] = []
  let erased = 0
  // Customers first seen in this batch wait here and go out in one statement; any query that
  // could read them (a link, a merge, an erasure, an alias lookup) writes them first.
  const newCustomers: NewCustomer[] = []
  const writeNewCustomers = (): Promise<void> => insertNewCustomers(tx, newCustomers.splice(0))
  const refused: RefusedEvent[] = []
  let created = 0
  for (const [index, event] of events.entries()) {
    const ids = idsOf(event)
    if (ids.some((key) => erasedIds.has(key.value))) continue
    const trusted = isTrusted(event)
    if (event.type === 'track' && event.event === ERASURE_EVENT_NAME && !trusted) {
      await writeNewCustomers()
      if (event.anonymousId === undefined) {
        refused.push({
          event,
          issue: {
            path: ['userId'],
            code: 'identity_not_verified',
            message:
              'erasing a userId needs the secret key or a verified context.userHash; a browser can erase its own anonymousId',
          },
        })
        continue
      }
      const deviceKey: IdentityKey = { kind: 'anonymous_id', value: event.anonymousId }
      const owner = owners.get(keyText(deviceKey))
      const result = await eraseDevice(tx, event.anonymousId, 'event')
      erased += result.customersDeleted
      erasedIds.add(event.anonymousId)
      owners.delete(keyText(deviceKey))
      if (result.survivor !== undefined)
        await refold(tx, profiles, result.survivor, new Set(events.slice(index + 1).map((later) => later.messageId)))
      else if (owner !== undefined) profiles.drop(owner)
      continue
    }
    if (event.type === 'track' && event.event === ERASURE_EVENT_NAME) {
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
    let keys = event.type === 'alias' ? await aliasKeys(tx, event) : ids
    if (!trusted && keys.length > 1) {
      const issue = await linkRefusal(tx, event, keys, owners, writeNewCustomers)
      if (issue !== undefined) {
        if (event.type === 'identify' || event.type === 'alias') {
          refused.push({ event, issue })
          continue
        }
        keys = keys.slice(0, 1)
      }
    }
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
      created += 1
      profiles.create(customerId)
      for (const key of keys) owners.set(keyText(key), customerId)
    } else {
      await writeNewCustomers()
      const before = [...known].filter((id): id is string => id !== undefined)
      if (before.length > 1) await profiles.preload(before)
      const traits = event.type === 'identify' ? (event.traits ?? {}) : {}
      customerId = await unifyCustomer(tx, keys, primary, traits, atOf(event))
      // No id was known: the customer is new, invisible to other transactions until commit.
      if (before.length === 0) {
        profiles.create(customerId)
        created += 1
      }
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
  if (refused.length > 0) {
    await tx.query('delete from ecrm_events where message_id = any($1::text[])', [
      refused.map(({ event }) => event.messageId),
    ])
  }
  const changes = await profiles.flush()
  return {
    erased,
    kept: kept.filter((event) => !idsOf(event).some((key) => erasedIds.has(key.value))),
    refused,
    created,
    changes,
  }
}

/**
 * Why an untrusted event may not link `keys` (its userId first), if it may not: an alias of a
 * user id, or a merge that would pull in a customer holding a userId other than the event's own.
 * `writeNewCustomers` runs before the identities are read, only when there is another customer
 * to look at (the usual event names ids of one customer and costs no query).
 */
async function linkRefusal(
  tx: SqlExecutor,
  event: EcrmEvent,
  keys: readonly IdentityKey[],
  owners: ReadonlyMap<string, string>,
  writeNewCustomers: () => Promise<void>,
): Promise<ValidationIssue | undefined> {
  const [primary, ...rest] = keys
  if (primary === undefined) return undefined
  if (event.type === 'alias' && rest[0]?.kind === 'user_id') {
    return {
      path: ['previousId'],
      code: 'identity_not_verified',
      message: 'aliasing one user id to another needs the secret key (a browser cannot prove it is both users)',
    }
  }
  const target = owners.get(keyText(primary))
  const others = [...new Set(rest.map((key) => owners.get(keyText(key))))].filter(
    (id): id is string => id !== undefined && id !== target,
  )
  if (others.length === 0) return undefined
  await writeNewCustomers()
  if ((await identifiedAmong(tx, others)).size === 0) return undefined
  return {
    path: [event.type === 'alias' ? 'previousId' : 'anonymousId'],
    code: 'identity_merge_refused',
    message:
      'this id belongs to a customer with another userId; merging two identified customers needs the secret key or a verified context.userHash',
  }
}

/**
 * Folds a customer's profile again from the events still stored under their ids (after one of
 * their devices was erased), leaving out `pending`: events of this batch not applied yet.
 */
async function refold(
  tx: SqlExecutor,
  profiles: ProfileFolder,
  customerId: string,
  pending: ReadonlySet<string>,
): Promise<void> {
  const ids = await identitiesOf(tx, customerId)
  const rows = await tx.query<{ message_id: string; payload: EcrmEvent }>(
    `select message_id, payload from ecrm_events
      where user_id = any($1::text[]) or anonymous_id = any($2::text[])
      order by occurred_at, received_at, message_id`,
    [
      ids.filter((id) => id.kind === 'user_id').map((id) => id.value),
      ids.filter((id) => id.kind === 'anonymous_id').map((id) => id.value),
    ],
  )
  const remaining = rows.filter((row) => !pending.has(row.message_id))
  profiles.drop(customerId)
  // Nothing left to fold: no profile until the customer's next event starts an empty one.
  if (remaining.length === 0) {
    await tx.query('delete from ecrm_profiles where customer_id = $1', [customerId])
    return
  }
  profiles.create(customerId)
  for (const row of remaining) await profiles.fold(customerId, row.payload)
}

function lookupKeysOf(event: EcrmEvent): IdentityKey[] {
  if (event.type !== 'alias') return idsOf(event)
  return [
    ...idsOf(event),
    { kind: 'user_id', value: event.previousId },
    { kind: 'anonymous_id', value: event.previousId },
  ]
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
