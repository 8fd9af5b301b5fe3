import { describe, expect, it } from 'vitest'
import { EcrmError, isEcrmError } from '../../src/errors.js'
import type { EcrmEvent } from '../../src/model/envelope.js'
import { createCoreClient, createPipelineClient } from '../../src/pipeline/createCoreClient.js'
import { createMemoryQueue } from '../../src/pipeline/memoryQueue.js'
import { createManualClock, createScriptedTransport } from '../fakes/index.js'
import { setupClient } from './clientSetup.js'

describe('createCoreClient calls', () => {
  it('sanitises properties and returns a warning for each change, with its path', async () => {
    const { client, time, requests } = setupClient()
    const cyclic: Record<string, unknown> = { id: 1 }
    cyclic['self'] = cyclic
    const result = client.track({
      userId: 'u1',
      event: 'Product Added',
      properties: { price: NaN, count: 3n, at: new Date(0), tags: new Set(['a']), fn: () => 1, node: cyclic },
    })
    expect(result.ok).toBe(true)
    if (!result.ok) return
    expect(result.warnings.map((issue) => `${issue.path.join('.')}:${issue.code}`)).toEqual([
      'properties.price:non_finite_number',
      'properties.count:bigint_to_string',
      'properties.at:date_to_string',
      'properties.tags:set_to_array',
      'properties.fn:dropped_function',
      'properties.node.self:circular_reference',
    ])
    await client.flush()
    void time
    expect(requests[0]?.json.batch[0]?.['properties']).toEqual({
      price: null,
      count: '3',
      at: '1970-01-01T00:00:00.000Z',
      tags: ['a'],
      node: { id: 1, self: '[Circular]' },
    })
  })

  it('refuses bad calls with clear issues and never throws', () => {
    const { client } = setupClient()
    const cases: [unknown, string, string][] = [
      [undefined, '(root)', 'expected an object'],
      [{ event: '' }, 'event', 'must not be empty'],
      [{ event: 42n }, 'event', 'expected a string, got bigint'],
      [{ properties: {} }, 'event', 'required'],
      [{ event: 'x'.repeat(201) }, 'event', 'the limit is 200'],
    ]
    for (const [input, path, text] of cases) {
      const result = client.track(input as never)
      expect(result.ok).toBe(false)
      if (result.ok) continue
      expect(result.error.message).toContain(`track() refused the event: ${path} (`)
      expect(result.error.message).toContain(text)
      expect(isEcrmError(result.error)).toBe(true)
    }
    expect(client.group({ userId: 'u1' } as never).ok).toBe(false)
    expect(client.stats().rejected).toBe(6)
  })

  it('keeps the event when only a part is wrong, dropping that part with a warning', () => {
    const { client } = setupClient()
    const result = client.track({
      userId: 7 as never,
      event: 'A',
      properties: 'oops' as never,
      timestamp: 'not a date',
    })
    expect(result.ok).toBe(true)
    if (!result.ok) return
    expect(result.warnings.map((issue) => issue.code)).toEqual([
      'number_to_string',
      'invalid_type',
      'invalid_timestamp',
    ])
  })

  it("with identity 'none', an event without ids is a validation error, and storage is never touched", () => {
    const stored = new Map([['ecrm.anonymousId', 'a-stored']])
    const storage = {
      get: (key: string) => stored.get(key),
      set: (key: string, value: string) => void stored.set(key, value),
      remove: (key: string) => void stored.delete(key),
    }
    const { client } = setupClient([], { identity: 'none' }, { storage })
    const result = client.track({ event: 'A' })
    expect(result.ok).toBe(false)
    if (result.ok || result.dropped || result.closed) return
    expect(result.error.issues).toEqual([
      {
        path: ['userId'],
        code: 'missing_identity',
        message: 'an event needs a userId or an anonymousId; this client keeps no identity, so pass one with each call',
      },
    ])
    expect(client.stats().rejected).toBe(1)
    expect(client.track({ anonymousId: 'a1', event: 'A' }).ok).toBe(true)
    expect(client.identify({ userId: 'u1' }).ok).toBe(true)
    expect(client.user()).toEqual({ anonymousId: undefined, userId: undefined, traits: {} })
    client.reset()
    expect([...stored]).toEqual([['ecrm.anonymousId', 'a-stored']])
  })

  it("with identity 'persisted', keeps ids and traits in storage; reset forgets them", async () => {
    const { client, requests } = setupClient()
    client.track({ event: 'Before' })
    const anonymousId = client.user().anonymousId
    expect(anonymousId).toMatch(/^msg-/)
    client.identify({ userId: 'u42', traits: { email: 'a@b.example' } })
    client.identify({ traits: { plan: 'pro' } })
    client.track({ event: 'After' })
    client.alias({ userId: 'u43' })
    expect(client.user()).toEqual({ anonymousId, userId: 'u42', traits: { email: 'a@b.example', plan: 'pro' } })
    await client.flush()
    const sent = requests.flatMap((request) => request.json.batch)
    expect(sent.map((event) => [event['type'], event['userId'], event['anonymousId']])).toEqual([
      ['track', undefined, anonymousId],
      ['identify', 'u42', anonymousId],
      ['identify', 'u42', anonymousId],
      ['track', 'u42', anonymousId],
      ['alias', 'u43', anonymousId],
    ])
    expect(sent[4]?.['previousId']).toBe('u42')
    client.reset()
    expect(client.user().userId).toBeUndefined()
    expect(client.user().anonymousId).not.toBe(anonymousId)
  })

  it('fills context: library, enrich, the call context; the call wins', async () => {
    const { client, requests } = setupClient([], {
      library: { name: '@ecrm/browser', version: '1.2.3' },
      enrich: () => ({ page: { path: '/cart' }, locale: 'fr-FR' }),
    })
    client.page({ name: 'Cart', context: { locale: 'de-DE' } })
    await client.flush()
    expect(requests[0]?.json.batch[0]?.['context']).toEqual({
      page: { path: '/cart' },
      locale: 'de-DE',
      library: { name: '@ecrm/browser', version: '1.2.3' },
    })
  })

  it('runs plugins before queueing: change, drop, and a throwing plugin is reported', async () => {
    const { client, requests, errors } = setupClient([], {
      plugins: [
        {
          name: 'boom',
          before: () => {
            throw new Error('nope')
          },
        },
        { name: 'tag', before: (event) => ({ ...event, integrations: { All: true } }) },
        { name: 'filter', before: (event) => (event.type === 'track' && event.event === 'Noise' ? null : event) },
      ],
    })
    expect(client.track({ userId: 'u1', event: 'Noise' })).toMatchObject({
      ok: true,
      warnings: [{ code: 'dropped_by_plugin' }],
    })
    client.track({ userId: 'u1', event: 'Signal' })
    await client.flush()
    expect(
      requests.flatMap((request) => request.json.batch.map((event) => [event['event'], event['integrations']])),
    ).toEqual([['Signal', { All: true }]])
    expect(errors.filter((error) => error.code === 'plugin_failed')).toHaveLength(2)
  })

  it('sanitises what a plugin changed in place', async () => {
    const { client, requests } = setupClient([], {
      plugins: [
        {
          name: 'in-place',
          before: (event) => {
            ;(event.properties as Record<string, unknown>)['count'] = 3n
            return event
          },
        },
      ],
    })
    expect(client.track({ userId: 'u1', event: 'A', properties: {} })).toMatchObject({
      ok: true,
      warnings: [{ path: ['properties', 'count'], code: 'bigint_to_string' }],
    })
    await client.flush()
    expect(requests[0]?.json.batch[0]?.['properties']).toEqual({ count: '3' })
  })

  it('fans accepted events out to destinations and reports their errors', async () => {
    const seen: string[] = []
    const { client, errors, time } = setupClient([], {
      destinations: [
        { name: 'rules', deliver: (event) => void seen.push(event.messageId) },
        {
          name: 'sync-fail',
          deliver: () => {
            throw new Error('sync')
          },
        },
        {
          name: 'async-fail',
          deliver: async () => {
            throw new Error('async')
          },
        },
      ],
    })
    client.track({ userId: 'u1', event: 'A' })
    await time.settle()
    expect(seen).toEqual(['msg-1'])
    expect(errors.filter((error) => error.code === 'destination_failed').map((error) => error.message)).toEqual([
      'A destination failed: destination "sync-fail" (Error: sync)',
      'A destination failed: destination "async-fail" (Error: async)',
    ])
  })

  it('gives immutable state snapshots, new only on change, and notifies subscribers', async () => {
    const { client, time } = setupClient()
    const first = client.getState()
    expect(client.getState()).toBe(first)
    let calls = 0
    const stop = client.subscribe(() => (calls += 1))
    client.track({ userId: 'u1', event: 'A' })
    await time.settle()
    const second = client.getState()
    expect(second).not.toBe(first)
    expect(Object.isFrozen(second)).toBe(true)
    expect(second.stats.queued).toBe(1)
    expect(calls).toBeGreaterThan(0)
    stop()
    const before = calls
    client.track({ userId: 'u1', event: 'B' })
    await time.settle()
    expect(calls).toBe(before)
  })

  it('on/emit deliver named client events; accepted and delivered come from the pipeline', async () => {
    const { client } = setupClient()
    const got: unknown[] = []
    client.on('rule:cart_abandoned', (payload) => got.push(payload))
    client.on('delivered', (payload) => got.push(payload))
    const stop = client.on('accepted', (payload) => got.push((payload as EcrmEvent).messageId))
    client.emit('rule:cart_abandoned', { userId: 'u1' })
    client.track({ userId: 'u1', event: 'A' })
    await client.flush()
    stop()
    expect(got).toEqual([{ userId: 'u1' }, 'msg-1', { messageIds: ['msg-1'] }])
  })

  it('close() flushes, stops, and refuses later calls with a clear error', async () => {
    const { client, requests, time } = setupClient()
    client.track({ userId: 'u1', event: 'Last' })
    await client.close()
    expect(requests).toHaveLength(1)
    expect(time.pending()).toBe(0)
    const late = client.track({ userId: 'u1', event: 'Late' })
    expect(late).toMatchObject({ ok: false, closed: true, error: { code: 'client_closed' } })
    if (!late.ok) expect(late.error.message).toContain('track() was called after close()')
    // Every event method says the same, with its own name, and is counted as rejected.
    expect(client.identify({ userId: 'u1' })).toMatchObject({
      error: { code: 'client_closed', message: expect.stringContaining('identify() was called after close()') },
    })
    expect(client.page({ userId: 'u1' })).toMatchObject({ error: { code: 'client_closed' } })
    expect(client.stats().rejected).toBe(3)
    await expect(client.flush()).rejects.toMatchObject({ code: 'client_closed' })
    expect(client.getState().isClosed).toBe(true)
  })

  it("sends application/json with Basic auth given headers: 'full', CORS-simple headers otherwise", async () => {
    const full = setupClient([], { headers: 'full' })
    const simple = setupClient()
    for (const { client } of [full, simple]) {
      client.track({ userId: 'u1', event: 'A' })
      await client.flush()
    }
    expect(full.requests[0]?.headers).toEqual({ 'Content-Type': 'application/json', Authorization: 'Basic d2s6' })
    expect(simple.requests[0]?.headers).toEqual({ 'Content-Type': 'text/plain' })
  })

  it('createPipelineClient sends the request headers it is given, CORS-simple ones by default', async () => {
    const sent: unknown[] = []
    for (const extras of [undefined, { requestHeaders: { 'Content-Type': 'application/json', 'X-Key': 'k' } }]) {
      const { ports, scripted } = pipelinePorts()
      // headers: 'full' is read by createCoreClient only.
      const client = createPipelineClient(
        { writeKey: 'wk', endpoint: 'https://c', headers: 'full', library },
        ports,
        extras,
      )
      client.track({ userId: 'u1', event: 'A' })
      await client.flush()
      sent.push(scripted.requests[0]?.headers)
    }
    expect(sent).toEqual([{ 'Content-Type': 'text/plain' }, { 'Content-Type': 'application/json', 'X-Key': 'k' }])
  })

  it('createPipelineClient copies input through sanitize unless given the isPlainJson pre-check', async () => {
    const properties = { at: new Date(0) }
    const warnings: string[][] = []
    const bodies: unknown[] = []
    // A pre-check that says yes to everything shows that the given one is used.
    for (const extras of [undefined, { isPlainJson: () => true }]) {
      const { ports, scripted } = pipelinePorts()
      const client = createPipelineClient({ writeKey: 'wk', endpoint: 'https://c', library }, ports, extras)
      const result = client.track({ userId: 'u1', event: 'A', properties })
      warnings.push(result.ok ? result.warnings.map((issue) => issue.code) : ['refused'])
      await client.flush()
      bodies.push(scripted.requests[0]?.json.batch[0]?.['properties'])
      expect(scripted.requests[0]?.json.batch[0]?.['context']).toMatchObject({ library })
    }
    expect(warnings).toEqual([['date_to_string'], []])
    // Either way the wire carries JSON: the Date as its ISO text.
    expect(bodies).toEqual([{ at: '1970-01-01T00:00:00.000Z' }, { at: '1970-01-01T00:00:00.000Z' }])
  })

  it('createPipelineClient stamps the time with toISOString unless given toIsoTime, and refuses what checkEvent refuses', async () => {
    const stamps: unknown[] = []
    const at = pipelinePorts().ports.clock.now()
    for (const extras of [undefined, { toIsoTime: (now: number) => `t${now}` }]) {
      const { ports, scripted } = pipelinePorts()
      const client = createPipelineClient({ writeKey: 'wk', endpoint: 'https://c', library }, ports, extras)
      client.track({ userId: 'u1', event: 'A' })
      await client.flush()
      stamps.push(scripted.requests[0]?.json.batch[0]?.['originalTimestamp'])
    }
    expect(stamps).toEqual([new Date(at).toISOString(), `t${at}`])
    // In 'none' mode only checkEvent refuses an event with no id: createCoreClient passes it.
    const checkEvent = (event: { userId?: string | undefined }) =>
      event.userId === undefined ? { path: ['userId'], code: 'missing_identity', message: 'no id' } : undefined
    const client = createPipelineClient(
      { writeKey: 'wk', endpoint: 'https://c', library, identity: 'none' },
      pipelinePorts().ports,
      { checkEvent },
    )
    expect(client.track({ event: 'A' })).toMatchObject({ ok: false, error: { issues: [{ code: 'missing_identity' }] } })
    expect(client.track({ userId: 'u1', event: 'A' }).ok).toBe(true)
  })

  it("names '@ecrm/core' in context.library unless the options name a library", async () => {
    const named = setupClient([], { library: { name: 'my-app', version: '2.0.0' } })
    const unnamed = setupClient()
    for (const { client } of [named, unnamed]) {
      client.track({ userId: 'u1', event: 'A' })
      await client.flush()
    }
    expect(named.requests[0]?.json.batch[0]?.['context']).toMatchObject({
      library: { name: 'my-app', version: '2.0.0' },
    })
    expect(unnamed.requests[0]?.json.batch[0]?.['context']).toMatchObject({
      library: { name: '@ecrm/core', version: '0.1.0' },
    })
  })

  it('report() records lastError, logs, calls onError and emits error, like its own reports', () => {
    const logged: unknown[] = []
    const { client, errors, time } = setupClient(
      [],
      {},
      { logger: { debug: () => {}, warn: (...args) => void logged.push(args), error: () => {} } },
    )
    const emitted: unknown[] = []
    client.on('error', (error) => void emitted.push(error))
    time.advance(1_000)
    const error = new EcrmError('internal_error', 'Unexpected error: ecrm.track() (boom; the call was ignored)')
    client.report(error)
    expect(errors).toEqual([error])
    expect(emitted).toEqual([error])
    expect(logged).toEqual([[error.message, error]])
    expect(client.stats().lastError).toEqual({ code: 'internal_error', message: error.message, at: time.now() })
  })

  it('report() never throws, even when onError does', () => {
    const { client } = setupClient([], {
      onError: () => {
        throw new Error('host bug')
      },
    })
    expect(() => client.report(new EcrmError('x', 'y'))).not.toThrow()
    expect(client.stats().lastError?.code).toBe('x')
  })

  it('throws for programmer errors in options and ports only', () => {
    const time = createManualClock()
    const ports = {
      clock: time,
      scheduler: time,
      queue: createMemoryQueue(),
      transport: createScriptedTransport().transport,
    }
    expect(() => createCoreClient({ writeKey: '', endpoint: 'https://c' }, ports)).toThrow(/Invalid option: writeKey/)
    expect(() => createCoreClient({ writeKey: 'wk', endpoint: 'collect' }, ports)).toThrow(EcrmError)
    expect(() => createCoreClient({ writeKey: 'wk', endpoint: 'https://c', batch: { maxEvents: 0 } }, ports)).toThrow(
      /batch\.maxEvents/,
    )
    expect(() =>
      createCoreClient({ writeKey: 'wk', endpoint: 'https://c', identity: 'nobody' as never }, ports),
    ).toThrow(/Invalid option: identity/)
    expect(() => createCoreClient({ writeKey: 'wk', endpoint: 'https://c', headers: 'basic' as never }, ports)).toThrow(
      /Invalid option: headers/,
    )
    expect(() =>
      createCoreClient({ writeKey: 'wk', endpoint: 'https://c' }, { ...ports, queue: undefined as never }),
    ).toThrow(/ports\.queue/)
  })
})

/** createPipelineClient has no default library. */
const library = { name: '@ecrm/test', version: '1.0.0' }

/** Every port, on fakes, for createPipelineClient (which has no fallbacks). */
function pipelinePorts() {
  const time = createManualClock()
  const noop = (): void => {}
  const scripted = createScriptedTransport()
  const ports = {
    clock: time,
    scheduler: time,
    queue: createMemoryQueue(),
    transport: scripted.transport,
    storage: { get: () => undefined, set: noop, remove: noop },
    connectivity: { isOnline: () => true, subscribe: () => noop },
    logger: { debug: noop, warn: noop, error: noop },
    createId: () => 'id-1',
    random: () => 0.5,
  }
  return { ports, scripted }
}
