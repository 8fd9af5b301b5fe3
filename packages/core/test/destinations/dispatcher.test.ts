import { describe, expect, it } from 'vitest'
import {
  createDestinationDispatcher,
  createTokenSource,
  createWebhookDestination,
} from '../../src/destinations/index.js'
import type {
  Destination,
  DestinationOutcome,
  DestinationSender,
  SendableRequest,
} from '../../src/destinations/index.js'
import { createMemoryQueue } from '../../src/pipeline/memoryQueue.js'
import { createManualClock } from '../fakes/index.js'

type Script = (request: SendableRequest) => DestinationOutcome
const answer = (
  status: number,
  body = '',
  headers: Record<string, string> = {},
  retryAfter: string | null = null,
): DestinationOutcome => ({ type: 'response', status, retryAfter, headers, body })

function scripted(script: Script): DestinationSender & { sent: SendableRequest[] } {
  const sent: SendableRequest[] = []
  return { sent, send: async (request) => (sent.push(request), script(request)) }
}

let n = 0
const track = (event: string, extra: Record<string, unknown> = {}): any => ({
  type: 'track',
  event,
  userId: 'u-1',
  messageId: `m-${(n += 1)}`,
  properties: {},
  ...extra,
})

const webhook = (batchSize = 10): Destination =>
  createWebhookDestination({ url: 'https://hooks.example/ecrm', sign: (text) => `sig(${text.length})`, batchSize })

function setup(destination: Destination, script: Script, retry = {}) {
  const time = createManualClock()
  const queue = createMemoryQueue()
  const sender = scripted(script)
  const deadLetters: { ids: string[]; reason: string }[] = []
  const dispatcher = createDestinationDispatcher({
    destination,
    queue,
    sender,
    clock: time,
    scheduler: time,
    random: () => 0.5,
    retry: { baseDelayMs: 1_000, maxDelayMs: 60_000, maxAttempts: 3, ...retry },
    onDeadLetter: (events, reason) => deadLetters.push({ ids: events.map((event) => event.messageId), reason }),
  })
  return { time, queue, sender, dispatcher, deadLetters }
}

describe('createDestinationDispatcher', () => {
  it('wakes itself after enqueue and retries a 503 with backoff until it is delivered', async () => {
    const statuses = [503, 503, 200]
    const { time, queue, sender, dispatcher } = setup(webhook(), () => answer(statuses.shift() ?? 200))
    await dispatcher.enqueue([track('Signed Up'), track('Order Completed')])
    await time.advance(0)
    expect(sender.sent).toHaveLength(1)
    // attempt 1 waits 0.5 × 1 s, attempt 2 waits 0.5 × 2 s (full jitter with random = 0.5)
    await time.advance(499)
    expect(sender.sent).toHaveLength(1)
    await time.advance(1)
    expect(sender.sent).toHaveLength(2)
    await time.advance(1_000)
    expect(sender.sent).toHaveLength(3)
    expect(await queue.size()).toBe(0)
    expect(dispatcher.stats()).toMatchObject({ delivered: 2, retried: 4, requests: 3, queued: 0, deadLettered: 0 })
    const ids = sender.sent.map((request) =>
      JSON.parse(request.body ?? '{}').batch.map((event: { messageId: string }) => event.messageId),
    )
    expect(ids[2]).toEqual(ids[0])
  })

  it('counts no attempt for a failure while offline and flushes when back online', async () => {
    let online = true
    const listeners: ((online: boolean) => void)[] = []
    const time = createManualClock()
    const queue = createMemoryQueue()
    const sender = scripted(() => {
      if (!online) return { type: 'network-error', cause: new Error('offline') }
      return answer(200)
    })
    const dispatcher = createDestinationDispatcher({
      destination: webhook(),
      queue,
      sender,
      clock: time,
      scheduler: time,
      connectivity: { isOnline: () => online, subscribe: (listener) => (listeners.push(listener), () => undefined) },
    })
    online = false
    await dispatcher.enqueue([track('Signed Up')])
    await dispatcher.flush()
    expect(sender.sent).toHaveLength(0)
    // Offline when the send fails: put back, no attempt counted.
    online = true
    const flushing = dispatcher.flush()
    online = false
    await flushing
    expect((await queue.peek())[0]?.attempts).toBe(0)
    expect(dispatcher.stats().retried).toBe(0)
    online = true
    for (const listener of listeners) listener(true)
    await time.settle()
    expect(await queue.size()).toBe(0)
    expect(dispatcher.stats().delivered).toBe(1)
  })

  it('jitters its backoff by default (Math.random, not a fixed half)', async () => {
    const waits = new Set<number>()
    for (let run = 0; run < 8; run += 1) {
      const time = createManualClock()
      const queue = createMemoryQueue()
      const dispatcher = createDestinationDispatcher({
        destination: webhook(),
        queue,
        sender: scripted(() => answer(503)),
        clock: time,
      })
      await dispatcher.enqueue([track('Signed Up')])
      await dispatcher.flush()
      waits.add(((await queue.peek())[0]?.availableAt ?? 0) - time.now())
    }
    expect(waits.size).toBeGreaterThan(1)
  })

  it('dead-letters after maxAttempts and on a refusal, naming the status', async () => {
    const { time, dispatcher, deadLetters } = setup(webhook(), () => answer(500, 'boom'))
    const event = track('Signed Up')
    await dispatcher.enqueue([event])
    await time.advance(60_000)
    expect(deadLetters).toEqual([
      { ids: [event.messageId], reason: expect.stringContaining('gave up after 3 attempts') },
    ])
    const refused = setup(webhook(), () => answer(422, '{"error":"bad field"}'))
    await refused.dispatcher.enqueue([track('Signed Up')])
    await refused.time.advance(0)
    expect(refused.deadLetters[0]?.reason).toMatch(/status 422: \{"error":"bad field"\}/)
    expect(refused.dispatcher.stats().lastError?.message).toContain('Giving up')
  })

  it('splits a batch the vendor finds too large (413) and sends the halves', async () => {
    const { time, sender, dispatcher } = setup(webhook(), (request) =>
      answer(JSON.parse(request.body ?? '{}').batch.length > 2 ? 413 : 200),
    )
    await dispatcher.enqueue([1, 2, 3, 4].map(() => track('Product Viewed')))
    await time.advance(0)
    expect(sender.sent.map((request) => JSON.parse(request.body ?? '{}').batch.length)).toEqual([4, 2, 2])
    expect(dispatcher.stats()).toMatchObject({ delivered: 4, queued: 0 })
  })

  it('does not queue events whose consent category is denied, but always queues erasure requests', async () => {
    const { dispatcher } = setup(webhook(), () => answer(200))
    const denied = { context: { consent: { categories: { analytics: false } } } }
    const count = await dispatcher.enqueue([
      track('Product Viewed', denied),
      track('Data Erasure Requested', denied),
      track('Product Viewed'),
    ])
    expect(count).toBe(2)
    expect(dispatcher.stats()).toMatchObject({ skipped: 1, queued: 2 })
  })

  it("sends follow-up requests built from an answer, with the first request's events", async () => {
    const destination: Destination = {
      name: 'lookup',
      category: 'marketing',
      batchSize: 5,
      auth: { kind: 'none' },
      map: (event) => [
        {
          method: 'GET',
          url: `https://crm.example/search?id=${event.messageId}`,
          eventIds: [event.messageId],
          okStatuses: [204],
          followUp: (response) => [
            { method: 'DELETE', url: `https://crm.example/records/${JSON.parse(response.body).id}` },
          ],
        },
      ],
    }
    const { time, sender, dispatcher, deadLetters } = setup(destination, (request) =>
      request.method === 'GET' ? answer(200, '{"id":"r-7"}') : answer(500),
    )
    await dispatcher.enqueue([track('Data Erasure Requested')])
    await time.advance(0)
    expect(sender.sent.map((request) => `${request.method} ${request.url}`)).toEqual([
      'GET https://crm.example/search?id=m-' + n,
      'DELETE https://crm.example/records/r-7',
    ])
    // the failed DELETE keeps the event queued: it is retried from the lookup
    expect(dispatcher.stats()).toMatchObject({ queued: 1, retried: 1 })
    expect(deadLetters).toEqual([])
  })
})

describe('createTokenSource', () => {
  const auth = {
    kind: 'oauth2' as const,
    tokenRequest: () => ({
      method: 'POST' as const,
      url: 'https://login.example/token',
      body: 'grant_type=client_credentials',
    }),
    parseToken: (body: string, now: number) => {
      const json = JSON.parse(body)
      return json.access_token === undefined
        ? undefined
        : { accessToken: json.access_token, expiresAt: now + json.expires_in * 1000 }
    },
    authorize: (request: any) => request,
  }

  it('shares one fetch between concurrent callers and renews a minute before expiry', async () => {
    const time = createManualClock()
    let issued = 0
    const sender = scripted(() => answer(200, JSON.stringify({ access_token: `t-${(issued += 1)}`, expires_in: 3600 })))
    const tokens = createTokenSource({ auth, sender, clock: time })
    const [a, b] = await Promise.all([tokens.get(), tokens.get()])
    expect(a).toEqual(b)
    expect(tokens.requests()).toBe(1)
    await time.advance(3_539_000)
    expect(await tokens.get()).toMatchObject({ ok: true, token: { accessToken: 't-1' } })
    await time.advance(1_000)
    expect(await tokens.get()).toMatchObject({ ok: true, token: { accessToken: 't-2' } })
    tokens.invalidate()
    expect(await tokens.get()).toMatchObject({ ok: true, token: { accessToken: 't-3' } })
  })

  it("reports a refused grant with the vendor's answer and honours Retry-After on the token endpoint", async () => {
    const time = createManualClock()
    const refused = createTokenSource({
      auth,
      sender: scripted(() => answer(400, '{"error":"invalid_client"}')),
      clock: time,
    })
    const result = await refused.get()
    expect(result).toMatchObject({ ok: false, reason: expect.stringContaining('invalid_client') })
    const busy = createTokenSource({ auth, sender: scripted(() => answer(429, '', {}, '7')), clock: time })
    expect(await busy.get()).toMatchObject({ ok: false, retryAfterMs: 7_000 })
  })
})
