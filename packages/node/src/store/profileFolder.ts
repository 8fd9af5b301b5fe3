import { emptyProfile, mergeProfiles, reduceProfile } from '@ecrm/core'
import type { CustomerProfile, DerivedModel, EcrmEvent, ProfileDeriver, SegmentChange } from '@ecrm/core'
import { writeProfiles } from './profileRows.js'
import { writeSegmentChanges } from './segmentWrites.js'
import type { SqlExecutor } from './storeTypes.js'

/** How the profiles a batch touched are derived before they are written. */
export interface FolderDerivation {
  readonly deriver: ProfileDeriver
  /** The latest stored fit, null before the first full refresh. */
  readonly model: DerivedModel | null
}

/**
 * The profiles one ingest transaction touches, folded in memory and written once at the end.
 * Each profile is read with its row locked (an upsert that returns the row), so two handler
 * processes folding events of one customer under different ids wait for each other instead of
 * losing an update.
 */
export interface ProfileFolder {
  /** Folds an event into the profile of `customerId` (read and locked on first use). */
  readonly fold: (customerId: string, event: EcrmEvent) => Promise<void>
  /** Reads and locks profiles in one trip: those the batch will fold into, and those an identity merge is about to delete (before it does). */
  readonly preload: (customerIds: readonly string[]) => Promise<void>
  /** Starts an empty profile for a customer created by this transaction (no row to read or lock yet). */
  readonly create: (customerId: string) => void
  /** Merges the (preloaded) profile of `from` into `into`'s, after the customers merged. */
  readonly merge: (from: string, into: string) => Promise<void>
  /** Drops a profile from the batch (the customer was erased: nothing is written back). */
  readonly drop: (customerId: string) => void
  /**
   * Derives every profile folded or merged into (RFM, lead, CLV, segments, loyalty), writes them
   * with their columns, records their segment changes, and returns those changes.
   */
  readonly flush: () => Promise<SegmentChange[]>
}

/**
 * Creates the {@link ProfileFolder} of one transaction. `now` dates events that carry no time
 * and is the time derivation scores at.
 */
export function createProfileFolder(tx: SqlExecutor, now: number, derivation?: FolderDerivation): ProfileFolder {
  const profiles = new Map<string, CustomerProfile>()
  const dirty = new Set<string>()

  async function load(customerId: string): Promise<CustomerProfile> {
    const known = profiles.get(customerId)
    if (known !== undefined) return known
    await loadAll([customerId])
    return profiles.get(customerId) as CustomerProfile
  }

  /**
   * Reads and locks the profiles of `customerIds`, in id order, so two transactions lock shared
   * profiles in the same order (`SELECT ... FOR UPDATE` marks the rows without rewriting them).
   * A customer without a profile row gets an empty one, inserted now so that it is locked too;
   * one inserted meanwhile by a concurrent transaction is read (and locked) once that commits.
   */
  async function loadAll(customerIds: readonly string[]): Promise<void> {
    const ids = [...new Set(customerIds)].filter((id) => !profiles.has(id)).sort()
    if (ids.length === 0) return
    const lockRows = (wanted: readonly string[]): Promise<{ customer_id: string; profile: CustomerProfile }[]> =>
      tx.query(
        'select customer_id, profile from ecrm_profiles where customer_id = any($1::text[]) order by customer_id for update',
        [wanted],
      )
    for (const row of await lockRows(ids)) profiles.set(row.customer_id, row.profile)
    const missing = ids.filter((id) => !profiles.has(id))
    if (missing.length === 0) return
    const created = await tx.query<{ customer_id: string }>(
      `insert into ecrm_profiles (customer_id, profile)
       select id, empty::jsonb from unnest($1::text[], $2::text[]) as t(id, empty) order by id
       on conflict (customer_id) do nothing returning customer_id`,
      [missing, missing.map((id) => JSON.stringify(emptyProfile(id)))],
    )
    for (const row of created) profiles.set(row.customer_id, emptyProfile(row.customer_id))
    const raced = missing.filter((id) => !profiles.has(id))
    if (raced.length > 0) for (const row of await lockRows(raced)) profiles.set(row.customer_id, row.profile)
    // Inserted by a transaction that then rolled back: start empty, the final upsert writes it.
    for (const id of raced) if (!profiles.has(id)) profiles.set(id, emptyProfile(id))
  }

  return {
    async fold(customerId, event) {
      const profile = await load(customerId)
      profiles.set(customerId, reduceProfile(profile, event, { now }))
      dirty.add(customerId)
    },
    preload: loadAll,
    create(customerId) {
      if (!profiles.has(customerId)) profiles.set(customerId, emptyProfile(customerId))
    },
    async merge(from, into) {
      const source = profiles.get(from) ?? (await load(from))
      const target = await load(into)
      // The survivor keeps its derived fields (and so its segment entry times) until re-derived.
      profiles.set(into, { ...mergeProfiles(target, source), ...derivedFieldsOf(target) })
      profiles.delete(from)
      dirty.delete(from)
      dirty.add(into)
    },
    drop(customerId) {
      profiles.delete(customerId)
      dirty.delete(customerId)
    },
    async flush() {
      const changes: SegmentChange[] = []
      const rows = [...dirty].sort().map((id): [string, CustomerProfile] => {
        const profile = profiles.get(id) as CustomerProfile
        if (derivation === undefined) return [id, profile]
        const derived = derivation.deriver.derive(profile, derivation.model, now)
        changes.push(...derived.changes)
        profiles.set(id, derived.profile)
        return [id, derived.profile]
      })
      await writeProfiles(tx, rows)
      await writeSegmentChanges(tx, changes)
      dirty.clear()
      return changes
    },
  }
}

/** The fields derivation sets, as a profile carries them. */
function derivedFieldsOf(profile: CustomerProfile): Partial<CustomerProfile> {
  const { rfm, lead, clv, segments, segmentsSince, loyalty } = profile
  return Object.fromEntries(
    Object.entries({ rfm, lead, clv, segments, segmentsSince, loyalty }).filter(([, value]) => value !== undefined),
  )
}
