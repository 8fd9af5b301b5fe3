import type { KeyValueStore } from '@ecrm/core'
import { readCookie, removeCookie, writeCookie } from './cookies.js'
import type { CookieOptions } from './cookies.js'

/** Options of {@link createLocalStore}. */
export interface LocalStoreOptions {
  /** Keys that belong to ecrm start with this; `clear()` removes them. @default 'ecrm.' */
  readonly namespace?: string
  /**
   * Keys also mirrored in a first-party cookie (so the id survives localStorage being cleared, and
   * a server can read it). @default [] (none)
   */
  readonly cookieKeys?: readonly string[]
  readonly cookie?: CookieOptions | undefined
  /** The Storage to use; read lazily. @default window.localStorage when usable */
  readonly storage?: () => Storage | undefined
}

/** A {@link KeyValueStore} that can clear what it wrote, and says where it keeps data. */
export interface LocalStore extends KeyValueStore {
  /** `'localStorage'`, or `'memory'` when localStorage is missing or refuses writes. */
  readonly kind: () => 'localStorage' | 'memory'
  /** Deletes every key of the namespace (localStorage, cookies and memory). */
  readonly clear: () => void
}

const readLocalStorage = (): Storage | undefined => {
  try {
    return localStorage
  } catch {
    // Missing (a ReferenceError outside browsers) or blocked (sandboxed frames and some privacy
    // settings throw on access).
    return undefined
  }
}

/**
 * Creates the browser {@link KeyValueStore}: localStorage (obtained on first use, never at import),
 * with selected keys mirrored in first-party cookies, and a memory fallback when storage is missing,
 * blocked or full. Never throws.
 */
export function createLocalStore(options: LocalStoreOptions = {}): LocalStore {
  const namespace = options.namespace ?? 'ecrm.'
  const cookieKeys = new Set(options.cookieKeys)
  const memory = new Map<string, string>()
  let failed = false
  const storage = (): Storage | undefined => (failed ? undefined : (options.storage ?? readLocalStorage)())
  /** Runs `use` on the storage; `undefined` when there is none or it throws. */
  const withStorage = <T>(use: (target: Storage) => T): T | undefined => {
    try {
      const target = storage()
      return target === undefined ? undefined : use(target)
    } catch {
      return undefined
    }
  }

  // The cookie restores an id when localStorage was cleared (or is unavailable).
  const get = (key: string): string | undefined =>
    memory.get(key) ??
    withStorage((target) => target.getItem(key)) ??
    (cookieKeys.has(key) ? readCookie(key) : undefined)

  const set = (key: string, value: string): void => {
    const stored = withStorage((target) => {
      target.setItem(key, value)
      return true
    })
    if (stored === undefined) {
      // Missing, or refusing (quota, private mode): from now on values stay in memory for this page's life.
      failed = true
      memory.set(key, value)
    }
    if (cookieKeys.has(key)) writeCookie(key, value, options.cookie)
  }

  const remove = (key: string): void => {
    memory.delete(key)
    withStorage((target) => target.removeItem(key))
    if (cookieKeys.has(key)) removeCookie(key, options.cookie)
  }

  const clear = (): void => {
    for (const key of cookieKeys) remove(key)
    memory.clear()
    withStorage((target) => {
      // Every name is read before the first removal, which may reorder the keys.
      const names = Array.from({ length: target.length }, (_, index) => target.key(index))
      for (const name of names) if (name?.startsWith(namespace)) target.removeItem(name)
    })
  }

  return { get, set, remove, clear, kind: () => (storage() === undefined ? 'memory' : 'localStorage') }
}
