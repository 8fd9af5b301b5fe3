import type { BrowserClient } from '@ecrm/browser'
import type { ClientState } from '@ecrm/core'

/** A recording stand-in for the browser client, with a live state the test can change. */
export function createFakeClient(): BrowserClient & {
  readonly calls: [string, ...unknown[]][]
  readonly setState: (change: Partial<ClientState>) => void
  readonly listenerCount: () => number
} {
  const calls: [string, ...unknown[]][] = []
  const listeners = new Set<() => void>()
  let state: ClientState = {
    user: { anonymousId: 'anon-1', userId: undefined, traits: {} },
    consent: {},
    stats: { queued: 0, sent: 0, retried: 0, dropped: 0, deadLettered: 0, held: 0, rejected: 0 },
    isOnline: true,
    isStarted: true,
    isClosed: false,
  }
  const record =
    (name: string) =>
    (...args: unknown[]): string => {
      calls.push([name, ...args])
      return `m-${calls.length}`
    }
  return {
    calls,
    setState(change) {
      state = { ...state, ...change }
      for (const listener of listeners) listener()
    },
    listenerCount: () => listeners.size,
    track: record('track'),
    identify: record('identify'),
    page: record('page'),
    group: record('group'),
    alias: record('alias'),
    reset: () => void record('reset')(),
    user: () => state.user,
    consent: {
      get: () => ({ ...state.consent }),
      set: (categories) => {
        calls.push(['consent.set', categories])
        state = { ...state, consent: { ...state.consent, ...categories } }
        for (const listener of listeners) listener()
      },
    },
    on: () => () => undefined,
    flush: async () => undefined,
    stats: () => ({ ...state.stats, storage: 'memory', keyValueStorage: 'memory', gpc: false }),
    getState: () => state,
    subscribe(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
    forget: async () => undefined,
    profile: () => undefined,
    rule: () => undefined,
    experiment: () => undefined,
    leadScore: () => undefined,
    subscribeOnsite: () => () => undefined,
    close: async () => void calls.push(['close']),
  }
}
