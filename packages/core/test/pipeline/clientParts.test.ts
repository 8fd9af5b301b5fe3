import { describe, expect, it } from 'vitest'
import type { KeyValueStore } from '../../src/ports.js'
import { createClientState } from '../../src/pipeline/clientState.js'
import { CONSENT_KEY, createConsentGate, pickDecisions } from '../../src/pipeline/consentGate.js'
import { createEmitter } from '../../src/pipeline/emitter.js'
import type { Guard } from '../../src/pipeline/emitter.js'
import { createIdentity, createStatelessIdentity } from '../../src/pipeline/identity.js'
import { setupClient } from './clientSetup.js'

/** A guard that records what threw instead of logging it. */
function recordingGuard(): { guard: Guard; thrown: string[] } {
  const thrown: string[] = []
  const guard: Guard = (where, run) => {
    try {
      run()
    } catch {
      thrown.push(where)
    }
  }
  return { guard, thrown }
}

function memoryStorage(entries: Record<string, string> = {}): KeyValueStore & { values: Map<string, string> } {
  const values = new Map(Object.entries(entries))
  return {
    values,
    get: (key) => values.get(key),
    set: (key, value) => void values.set(key, value),
    remove: (key) => void values.delete(key),
  }
}

describe('createEmitter', () => {
  it('calls each subscription once, even of the same function, and a throwing handler stops no other', () => {
    const { guard, thrown } = recordingGuard()
    const emitter = createEmitter(guard)
    const got: unknown[] = []
    const record = (payload: unknown): void => void got.push(payload)
    emitter.on('x', () => {
      throw new Error('boom')
    })
    const stopFirst = emitter.on('x', record)
    emitter.on('x', record)
    emitter.emit('x', 1)
    stopFirst()
    stopFirst()
    emitter.emit('x', 2)
    expect(got).toEqual([1, 1, 2])
    expect(thrown).toEqual(['a handler of "x"', 'a handler of "x"'])
    expect(emitter.has('x')).toBe(true)
    expect(emitter.has('y')).toBe(false)
  })
})

describe('createClientState', () => {
  it('keeps the snapshot and its parts while nothing changes, and tells listeners only of changes', () => {
    const { guard, thrown } = recordingGuard()
    let consent: Record<string, boolean> = { analytics: true }
    const user = { anonymousId: 'a1', userId: undefined, traits: {} }
    const state = createClientState(
      () => ({ user, consent: { ...consent }, held: 0, isOnline: true, isStarted: true, isClosed: false }),
      guard,
    )
    const first = state.get()
    state.publish()
    expect(state.get()).toBe(first)
    let calls = 0
    state.subscribe(() => {
      throw new Error('listener bug')
    })
    state.subscribe(() => (calls += 1))
    state.publish()
    expect(calls).toBe(0)
    state.counters.sent += 1
    state.publish()
    expect(calls).toBe(1)
    expect(thrown).toEqual(['a state listener'])
    const second = state.get()
    expect(second.stats.sent).toBe(1)
    expect(second.consent).toBe(first.consent)
    consent = { analytics: false }
    state.publish()
    expect(state.get().consent).toEqual({ analytics: false })
    expect(state.get().stats).toBe(second.stats)
  })
})

describe('createConsentGate', () => {
  const options = {
    required: true,
    categoryOf: () => 'analytics',
    initial: { ads: true, analytics: false },
    maxHeld: 10,
    onCategoryError: () => {},
  }

  it('reads persisted decisions over the initial ones, ignoring what is not a boolean', () => {
    const storage = memoryStorage({ [CONSENT_KEY]: JSON.stringify({ analytics: true, ads: 'yes', marketing: false }) })
    expect(createConsentGate({ ...options, storage }).get()).toEqual({ ads: true, analytics: true, marketing: false })
    for (const text of ['not json', 'null', '[true]', '"text"']) {
      const gate = createConsentGate({ ...options, storage: memoryStorage({ [CONSENT_KEY]: text }) })
      expect(gate.get()).toMatchObject({ ads: true, analytics: false })
    }
  })

  it('keeps deciding when storage throws', () => {
    const broken: KeyValueStore = {
      get: () => {
        throw new Error('blocked')
      },
      set: () => {
        throw new Error('blocked')
      },
      remove: () => {},
    }
    const gate = createConsentGate({ ...options, storage: broken })
    expect(gate.decide('analytics')).toBe('deny')
    gate.set({ analytics: true })
    expect(gate.decide('analytics')).toBe('allow')
    expect(gate.decide('other')).toBe('hold')
  })

  it("applies the defaults of the consent options: 'analytics', opt-out, no initial decisions", () => {
    const gate = createConsentGate({ storage: memoryStorage({}), maxHeld: 10, onCategoryError: () => {} })
    expect(gate.get()).toEqual({})
    expect(gate.categoryOf({ type: 'track', event: 'E', messageId: 'm', userId: 'u' } as never)).toBe('analytics')
    expect(gate.decide('analytics')).toBe('allow')
    gate.set({ analytics: false })
    expect(gate.decide('analytics')).toBe('deny')
  })
})

describe('pickDecisions', () => {
  it('keeps the boolean entries of an object and passes on the others', () => {
    const others: string[] = []
    expect(pickDecisions({ a: true, b: 'no', c: false }, (key) => others.push(key))).toEqual({ a: true, c: false })
    expect(others).toEqual(['b'])
    expect(pickDecisions('ab')).toEqual({})
    expect(pickDecisions(null)).toEqual({})
  })
})

describe('createIdentity', () => {
  it('ignores unreadable stored traits and persists changes under ecrm.* keys', () => {
    const storage = memoryStorage({ 'ecrm.anonymousId': 'a1', 'ecrm.traits': '{oops' })
    const identity = createIdentity(storage, () => 'new-id')
    expect(identity.snapshot()).toEqual({ anonymousId: 'a1', userId: undefined, traits: {} })
    identity.identify('u1', { plan: 'pro' })
    expect(Object.fromEntries(storage.values)).toEqual({
      'ecrm.anonymousId': 'a1',
      'ecrm.userId': 'u1',
      'ecrm.traits': '{"plan":"pro"}',
    })
    identity.reset()
    expect(Object.fromEntries(storage.values)).toEqual({ 'ecrm.anonymousId': 'new-id' })
  })

  it('creates the anonymousId on first need and persists it', () => {
    const storage = memoryStorage({})
    const identity = createIdentity(storage, () => 'new-id')
    expect(identity.snapshot().anonymousId).toBeUndefined()
    expect(identity.ensureAnonymousId()).toBe('new-id')
    expect(Object.fromEntries(storage.values)).toEqual({ 'ecrm.anonymousId': 'new-id' })
  })
})

describe('createStatelessIdentity', () => {
  it("('none' mode) remembers nothing and makes no anonymousId", () => {
    const identity = createStatelessIdentity()
    expect(identity.ensureAnonymousId()).toBeUndefined()
    identity.identify('u1', { plan: 'pro' })
    identity.reset()
    expect(identity.snapshot()).toEqual({ anonymousId: undefined, userId: undefined, traits: {} })
  })
})

describe('createCoreClient consent.set', () => {
  it('reports each non-boolean value and applies the others', () => {
    const { client, errors } = setupClient()
    client.consent.set({ analytics: true, ads: 'yes' as never })
    expect(client.consent.get()).toEqual({ analytics: true })
    expect(errors.map((error) => [error.code, error.message])).toEqual([
      ['invalid_consent', 'consent.set() ignored a value: ads (expected true or false, got string)'],
    ])
  })

  it('reports a destination whose deliver rejects through a thenable', async () => {
    const { client, errors, time } = setupClient([], {
      destinations: [
        {
          name: 'thenable',
          deliver: () => ({ then: (_: unknown, reject: (error: Error) => void) => reject(new Error('late')) }) as never,
        },
      ],
    })
    client.track({ userId: 'u1', event: 'A' })
    await time.settle()
    expect(errors.map((error) => error.message)).toEqual(['A destination failed: destination "thenable" (Error: late)'])
  })
})
