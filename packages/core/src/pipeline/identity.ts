import type { KeyValueStore } from '../ports.js'
import type { JsonObject } from '../model/envelope.js'
import type { UserSnapshot } from './clientTypes.js'
import { isObjectLike } from './buildEvent.js'

/** Prefix of the storage keys of the persisted identity: `ecrm.anonymousId`, `ecrm.userId`, `ecrm.traits`. */
export const IDENTITY_KEY_PREFIX = 'ecrm.'

/** The current customer's ids and traits, as the client keeps them. */
export interface Identity {
  /** The snapshot (the same object until something changes). */
  readonly snapshot: () => UserSnapshot
  /** The anonymousId, created (and persisted) on first need. `undefined` in `'none'` mode ({@link createStatelessIdentity}). */
  readonly ensureAnonymousId: () => string | undefined
  /** Remembers the user id and merges traits (identify). */
  readonly identify: (userId: string | undefined, traits: JsonObject | undefined) => void
  /** A new anonymousId; forgets userId and traits. */
  readonly reset: () => void
}

/**
 * Keeps anonymousId, userId and traits in `storage` (the `'persisted'` mode). Unreadable stored
 * traits are ignored, not fatal: storage is shared with the host page and may hold anything.
 */
export function createIdentity(storage: KeyValueStore, createId: () => string): Identity {
  // Each field of the snapshot has its own key; see IDENTITY_KEY_PREFIX.
  const read = (field: keyof UserSnapshot): string | undefined => {
    try {
      return storage.get(IDENTITY_KEY_PREFIX + field)
    } catch {
      return undefined
    }
  }
  const write = (field: keyof UserSnapshot, value: string | undefined): void => {
    const key = IDENTITY_KEY_PREFIX + field
    try {
      if (value === undefined) storage.remove(key)
      else storage.set(key, value)
    } catch {
      // Storage full or blocked (private mode): identity lives in memory for this session.
    }
  }
  const readTraits = (): JsonObject => {
    try {
      const parsed: unknown = JSON.parse(read('traits') ?? '{}')
      return isObjectLike(parsed) ? (parsed as JsonObject) : {}
    } catch {
      return {}
    }
  }

  let current: UserSnapshot = { anonymousId: read('anonymousId'), userId: read('userId'), traits: readTraits() }

  const replace = (next: UserSnapshot): void => {
    current = next
    write('anonymousId', next.anonymousId)
    write('userId', next.userId)
    write('traits', Object.keys(next.traits).length === 0 ? undefined : JSON.stringify(next.traits))
  }

  return {
    snapshot: () => current,
    ensureAnonymousId() {
      if (current.anonymousId === undefined) replace({ ...current, anonymousId: createId() })
      return current.anonymousId
    },
    identify(userId, traits) {
      const hasNewTraits = traits !== undefined && Object.keys(traits).length > 0
      if (userId === current.userId && !hasNewTraits) return
      // A different user on the same device must not inherit the previous user's traits.
      const base =
        userId !== undefined && current.userId !== undefined && userId !== current.userId ? {} : current.traits
      replace({ ...current, userId: userId ?? current.userId, traits: hasNewTraits ? { ...base, ...traits } : base })
    },
    reset() {
      replace({ anonymousId: createId(), userId: undefined, traits: {} })
    },
  }
}

/**
 * The `'none'` mode, for servers where every call names its user: remembers nothing and makes no
 * anonymousId. Only createCoreClient uses it, so a browser bundle leaves it out.
 */
export function createStatelessIdentity(): Identity {
  const nobody: UserSnapshot = { anonymousId: undefined, userId: undefined, traits: {} }
  return { snapshot: () => nobody, ensureAnonymousId: () => undefined, identify: () => {}, reset: () => {} }
}
