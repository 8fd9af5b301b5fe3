import type { KeyValueStore } from '../ports.js'
import type { JsonObject } from '../model/envelope.js'
import type { UserSnapshot } from './clientTypes.js'

/** Storage keys of the persisted identity. */
export const IDENTITY_KEYS = {
  anonymousId: 'ecrm.anonymousId',
  userId: 'ecrm.userId',
  traits: 'ecrm.traits',
} as const

/** The current customer's ids and traits, as the client keeps them. */
export interface Identity {
  /** The snapshot (the same object until something changes). */
  readonly snapshot: () => UserSnapshot
  /** The anonymousId, created (and persisted) on first need. `undefined` in `'none'` mode. */
  readonly ensureAnonymousId: () => string | undefined
  /** Remembers the user id and merges traits (identify). */
  readonly identify: (userId: string | undefined, traits: JsonObject | undefined) => void
  /** A new anonymousId; forgets userId and traits. */
  readonly reset: () => void
}

/**
 * Keeps anonymousId, userId and traits in `storage` (`'persisted'`), or nothing at all (`'none'`,
 * for servers where every call names its user). Unreadable stored traits are ignored, not fatal:
 * storage is shared with the host page and may hold anything.
 */
export function createIdentity(mode: 'persisted' | 'none', storage: KeyValueStore, createId: () => string): Identity {
  const read = (key: string): string | undefined => {
    try {
      return storage.get(key)
    } catch {
      return undefined
    }
  }
  const write = (key: string, value: string | undefined): void => {
    try {
      if (value === undefined) storage.remove(key)
      else storage.set(key, value)
    } catch {
      // Storage full or blocked (private mode): identity lives in memory for this session.
    }
  }
  const readTraits = (): JsonObject => {
    const text = read(IDENTITY_KEYS.traits)
    if (text === undefined) return {}
    try {
      const parsed: unknown = JSON.parse(text)
      return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as JsonObject) : {}
    } catch {
      return {}
    }
  }

  let current: UserSnapshot =
    mode === 'none'
      ? { anonymousId: undefined, userId: undefined, traits: {} }
      : { anonymousId: read(IDENTITY_KEYS.anonymousId), userId: read(IDENTITY_KEYS.userId), traits: readTraits() }

  const replace = (next: UserSnapshot): void => {
    current = next
    write(IDENTITY_KEYS.anonymousId, next.anonymousId)
    write(IDENTITY_KEYS.userId, next.userId)
    write(IDENTITY_KEYS.traits, Object.keys(next.traits).length === 0 ? undefined : JSON.stringify(next.traits))
  }

  return {
    snapshot: () => current,
    ensureAnonymousId() {
      if (mode === 'none') return undefined
      if (current.anonymousId === undefined) replace({ ...current, anonymousId: createId() })
      return current.anonymousId
    },
    identify(userId, traits) {
      if (mode === 'none') return
      const hasNewTraits = traits !== undefined && Object.keys(traits).length > 0
      // A different user on the same device must not inherit the previous user's traits.
      const switched = userId !== undefined && current.userId !== undefined && userId !== current.userId
      if (userId === current.userId && !hasNewTraits) return
      const base = switched ? {} : current.traits
      replace({ ...current, userId: userId ?? current.userId, traits: hasNewTraits ? { ...base, ...traits } : base })
    },
    reset() {
      if (mode === 'none') return
      replace({ anonymousId: createId(), userId: undefined, traits: {} })
    },
  }
}
