import { describe, expect, it } from 'vitest'
import { buildEvent } from '../../src/pipeline/buildEvent.js'
import type { BuildEventEnv } from '../../src/pipeline/buildEvent.js'
import type { Identity } from '../../src/pipeline/identity.js'
import { isPlainJson } from '../../src/pipeline/plainJson.js'

const NOW = Date.UTC(2026, 0, 2)

function setup(mode: 'persisted' | 'none' = 'none', remembered: { userId?: string; anonymousId?: string } = {}) {
  const identified: unknown[] = []
  let ids = 0
  // As createIdentity does: 'none' remembers nothing and makes no anonymousId.
  const identity: Identity = {
    snapshot: () =>
      mode === 'none'
        ? { userId: undefined, anonymousId: undefined, traits: {} }
        : { userId: remembered.userId, anonymousId: remembered.anonymousId, traits: {} },
    ensureAnonymousId: () => (mode === 'none' ? undefined : (remembered.anonymousId ?? 'anon-new')),
    identify: (userId, traits) => void identified.push([userId, traits]),
    reset: () => {},
  }
  const env: BuildEventEnv = {
    nowIso: new Date(NOW).toISOString(),
    createId: () => `id-${(ids += 1)}`,
    identity,
    library: { name: 'lib', version: '1' },
    enriched: undefined,
  }
  return { env, identified }
}

describe('buildEvent', () => {
  it('builds a track event with ids, timestamps and the library in the context', () => {
    const { env } = setup()
    const result = buildEvent('track', { userId: 'u1', event: 'Order Completed', properties: { total: 42 } }, env)
    expect(result).toEqual({
      ok: true,
      warnings: [],
      event: {
        type: 'track',
        messageId: 'id-1',
        event: 'Order Completed',
        properties: { total: 42 },
        userId: 'u1',
        timestamp: '2026-01-02T00:00:00.000Z',
        originalTimestamp: '2026-01-02T00:00:00.000Z',
        context: { library: { name: 'lib', version: '1' } },
      },
    })
    if (result.ok)
      expect(Object.keys(result.event)).toEqual([
        'type',
        'messageId',
        'event',
        'properties',
        'userId',
        'timestamp',
        'originalTimestamp',
        'context',
      ])
  })

  it('reads page fields, a given messageId and timestamp, and merges the context over the enriched one', () => {
    const { env } = setup()
    const result = buildEvent(
      'page',
      {
        anonymousId: 'a1',
        name: 'Shoes',
        category: 7,
        messageId: 'm-1',
        timestamp: 0,
        context: { locale: 'fr' },
        integrations: { All: false },
      },
      { ...env, enriched: { locale: 'en', page: { path: '/' } } },
    )
    expect(result.ok).toBe(true)
    if (!result.ok) return
    expect(result.event).toMatchObject({
      messageId: 'm-1',
      name: 'Shoes',
      timestamp: '1970-01-01T00:00:00.000Z',
      integrations: { All: false },
    })
    expect(result.event).not.toHaveProperty('category')
    expect(result.event.context).toEqual({ locale: 'fr', page: { path: '/' }, library: { name: 'lib', version: '1' } })
    expect(result.warnings).toEqual([
      { path: ['category'], code: 'invalid_type', message: 'expected a string, got number; dropped' },
    ])
  })

  it('warns and fixes what it can: numeric ids, a bad section, an unreadable or out-of-range timestamp', () => {
    const { env } = setup()
    for (const timestamp of ['soon', new Date(Number.NaN), Date.UTC(10_000, 0, 1), true]) {
      const result = buildEvent('track', { userId: 42, event: 'E', properties: [1], timestamp }, env)
      expect(result.ok).toBe(true)
      if (!result.ok) continue
      expect(result.event).toMatchObject({ userId: '42', timestamp: '2026-01-02T00:00:00.000Z' })
      expect(result.event).not.toHaveProperty('properties')
      expect(result.warnings.map((issue) => `${issue.path.join('.')}:${issue.code}`)).toEqual([
        'userId:number_to_string',
        'properties:invalid_type',
        'timestamp:invalid_timestamp',
      ])
    }
  })

  it('refuses bad ids with the path and a fix', () => {
    const { env } = setup()
    const errorsOf = (type: 'track' | 'group', input: unknown) => {
      const result = buildEvent(type, input, env)
      return result.ok ? [] : result.errors
    }
    expect(errorsOf('track', 'Order Completed')).toEqual([
      { path: [], code: 'invalid_type', message: "expected an object like { event: 'Order Completed' }, got string" },
    ])
    expect(errorsOf('track', { userId: 'u1' })).toMatchObject([{ path: ['event'], code: 'required' }])
    expect(errorsOf('track', { userId: 'u1', event: ' ' })).toMatchObject([{ path: ['event'], code: 'empty' }])
    expect(errorsOf('track', { userId: 'u1', event: 'E', messageId: 'm'.repeat(101) })).toMatchObject([
      { path: ['messageId'], code: 'too_long', message: '101 characters; the limit is 100' },
    ])
    expect(errorsOf('group', { userId: 'u1', groupId: {} })).toMatchObject([
      { path: ['groupId'], code: 'invalid_type', message: 'expected a string, got object' },
    ])
  })

  it("builds an event with no id in 'none' mode (createCoreClient refuses it, not buildEvent)", () => {
    const built = buildEvent('track', { event: 'E' }, setup('none').env)
    expect(built.ok).toBe(true)
    if (!built.ok) return
    expect(built.event.userId).toBeUndefined()
    expect(built.event.anonymousId).toBeUndefined()
  })

  it('fills remembered ids when persisted, and aliases from the current id', () => {
    const { env, identified } = setup('persisted', { userId: 'u-old', anonymousId: 'a-1' })
    const tracked = buildEvent('track', { event: 'E' }, env)
    expect(tracked.ok && tracked.event).toMatchObject({ userId: 'u-old', anonymousId: 'a-1' })
    const aliased = buildEvent('alias', { userId: 'u-new' }, env)
    expect(aliased.ok && aliased.event).toMatchObject({ userId: 'u-new', previousId: 'u-old', anonymousId: 'a-1' })
    const identifiedResult = buildEvent('identify', { userId: 'u-new', traits: { plan: 'pro' } }, env)
    expect(identifiedResult.ok).toBe(true)
    expect(identified).toEqual([['u-new', { plan: 'pro' }]])
    const none = setup('none')
    expect(buildEvent('alias', { userId: 'u-new' }, none.env)).toMatchObject({
      ok: false,
      errors: [{ path: ['previousId'], code: 'required' }],
    })
  })

  it('uses plain JSON parts as they are with the isPlainJson pre-check, and copies them without it', () => {
    const { env } = setup()
    const properties = { sku: 'sku-1', tags: ['a'] }
    const traits = { plan: 'pro' }
    const shared = buildEvent('track', { userId: 'u1', event: 'E', properties }, { ...env, isPlainJson })
    expect(shared.ok && shared.event.properties).toBe(properties)
    const copied = buildEvent('track', { userId: 'u1', event: 'E', properties }, env)
    expect(copied.ok && copied.event.properties).not.toBe(properties)
    expect(copied.ok && copied.event.properties).toEqual(properties)
    // Identify traits, which the identity keeps, are a copy either way.
    const identified = buildEvent('identify', { userId: 'u1', traits }, { ...env, isPlainJson })
    expect(identified.ok && identified.event.traits).not.toBe(traits)
    expect(identified.ok && identified.event.traits).toEqual(traits)
  })
})
