import type { KeyValueStore } from '@ecrm/core'

/** Options of {@link createConsentStorage}. */
export interface ConsentStorageOptions {
  /** Where values go once the visitor agreed (localStorage + cookies in the browser). */
  readonly storage: KeyValueStore
  /** Whether the visitor agreed to be remembered on this device; read on every write. */
  readonly isAllowed: () => boolean
  /**
   * Keys written to `storage` whatever the consent: the consent decision itself, which must be
   * remembered to honour a refusal. @default ['ecrm.consent']
   */
  readonly alwaysStored?: readonly string[]
}

/** A {@link KeyValueStore} that keeps the visitor's state in memory until consent allows storing it. */
export interface ConsentStorage extends KeyValueStore {
  /**
   * Moves values to where consent now says they belong: onto the device once allowed, back into
   * memory (and off the device) once withdrawn. Call it after every consent change.
   */
  readonly sync: () => void
  /** Forgets the values held in memory (erasure). */
  readonly clear: () => void
}

/**
 * Creates the consent-aware store the browser client uses for ids, traits, the session, touches,
 * the local profile and rule state. While {@link ConsentStorageOptions.isAllowed} is false, writes
 * stay in memory for this page's life and nothing reaches localStorage or a cookie; reads see the
 * memory first, then the device (an id stored on an earlier, consented visit is still recognised).
 * Deleting always reaches the device: removing data never needs consent.
 *
 * @example
 * const storage = createConsentStorage({ storage: createLocalStore(), isAllowed: () => consent.get().analytics === true })
 * storage.set('ecrm.anonymousId', id) // memory only until the visitor agrees
 * consent.set({ analytics: true }); storage.sync() // now in localStorage and the cookie
 */
export function createConsentStorage(options: ConsentStorageOptions): ConsentStorage {
  const { storage } = options
  const alwaysStored = new Set(options.alwaysStored ?? ['ecrm.consent'])
  const memory = new Map<string, string>()
  /** Every key this page wrote, so a withdrawal can take them all back off the device. */
  const written = new Set<string>()
  let wasAllowed = false

  const allowed = (): boolean => {
    try {
      return options.isAllowed()
    } catch {
      // Undecidable means not granted: the privacy-safe side.
      return false
    }
  }

  const sync = (): void => {
    const isAllowed = allowed()
    if (isAllowed) {
      for (const [key, value] of memory) storage.set(key, value)
      memory.clear()
    } else if (wasAllowed) {
      for (const key of written) {
        if (alwaysStored.has(key)) continue
        const value = storage.get(key)
        if (value !== undefined) memory.set(key, value)
        storage.remove(key)
      }
    }
    wasAllowed = isAllowed
  }

  return {
    get: (key) => memory.get(key) ?? storage.get(key),
    set(key, value) {
      written.add(key)
      if (alwaysStored.has(key) || allowed()) {
        memory.delete(key)
        storage.set(key, value)
      } else memory.set(key, value)
    },
    remove(key) {
      memory.delete(key)
      storage.remove(key)
    },
    sync,
    clear: () => memory.clear(),
  }
}
