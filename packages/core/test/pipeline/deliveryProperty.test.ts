import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import type { TransportOutcome } from '../../src/ports.js'
import { sanitize } from '../../src/pipeline/sanitize.js'
import { respond } from '../fakes/index.js'
import type { RecordedRequest } from '../fakes/index.js'
import { setupClient } from './clientSetup.js'

const anything = fc.anything({
  withBigInt: true,
  withDate: true,
  withMap: true,
  withSet: true,
  withNullPrototype: true,
  withSparseArray: true,
  withBoxedValues: true,
  maxDepth: 3,
})

type Call =
  | { kind: 'track'; event: string; properties: Record<string, unknown> }
  | { kind: 'identify'; userId: string; traits: Record<string, unknown> }
  | { kind: 'page'; name: string; properties: Record<string, unknown> }
  | { kind: 'advance'; ms: number }
  | { kind: 'flush' }

const call: fc.Arbitrary<Call> = fc.oneof(
  fc.record({
    kind: fc.constant('track' as const),
    event: fc.string({ minLength: 1, maxLength: 20 }),
    properties: fc.dictionary(fc.string(), anything, { maxKeys: 4 }),
  }),
  fc.record({
    kind: fc.constant('identify' as const),
    userId: fc.string({ minLength: 1, maxLength: 10 }),
    traits: fc.dictionary(fc.string(), anything, { maxKeys: 3 }),
  }),
  fc.record({
    kind: fc.constant('page' as const),
    name: fc.string(),
    properties: fc.dictionary(fc.string(), anything, { maxKeys: 3 }),
  }),
  fc.record({ kind: fc.constant('advance' as const), ms: fc.integer({ min: 0, max: 20_000 }) }),
  fc.record({ kind: fc.constant('flush' as const) }),
)

type Failure = 'status500' | 'status503RetryAfter' | 'status429' | 'status408' | 'network' | 'timeout' | 'status413'
const failure = fc.constantFrom<Failure>(
  'status500',
  'status503RetryAfter',
  'status429',
  'status408',
  'network',
  'timeout',
  'status413',
)

const outcomeOf =
  (kind: Failure) =>
  (request: RecordedRequest): TransportOutcome => {
    switch (kind) {
      case 'status500':
        return respond(500)
      case 'status503RetryAfter':
        return respond(503, '7')
      case 'status429':
        return respond(429, 'Thu, 01 Jan 2099 00:00:00 GMT')
      case 'status408':
        return respond(408)
      case 'network':
        return { type: 'network-error', cause: new Error('ECONNRESET') }
      case 'timeout':
        return { type: 'timeout' }
      // A single event never gets 413 here: that one would rightly be dead-lettered.
      case 'status413':
        return request.json.batch.length > 1 ? respond(413) : respond(500)
    }
  }

describe('createCoreClient delivery (property)', () => {
  it('delivers every accepted event at least once, unchanged, once the transport recovers', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(call, { maxLength: 25 }),
        fc.array(failure, { maxLength: 12 }),
        async (calls, failures) => {
          const acknowledged: RecordedRequest[] = []
          const recovered = (request: RecordedRequest): TransportOutcome => {
            acknowledged.push(request)
            return respond(200)
          }
          const { client, time, queue, requests, deadLetters } = setupClient(
            failures.map(outcomeOf),
            {
              batch: { maxEvents: 5 },
              // Generous attempts so only a bug (never a long outage) can lose an event here.
              retry: { maxAttempts: 1_000, maxDelayMs: 60_000 },
            },
            {},
            { fallback: recovered },
          )
          const expected = new Map<string, Record<string, unknown>>()
          for (const step of calls) {
            if (step.kind === 'advance') await time.advance(step.ms)
            else if (step.kind === 'flush') await client.flush()
            else {
              const result =
                step.kind === 'track'
                  ? client.track({ event: step.event, properties: step.properties })
                  : step.kind === 'page'
                    ? client.page({ name: step.name, properties: step.properties })
                    : client.identify({ userId: step.userId, traits: step.traits })
              if (!result.ok) continue
              const key = step.kind === 'identify' ? 'traits' : 'properties'
              const source = step.kind === 'identify' ? step.traits : step.properties
              expected.set(result.messageId, { [key]: sanitize(source, [key]).value })
            }
          }
          await time.settle()
          for (let round = 0; round < 100 && (await queue.size()) > 0; round += 1) await time.advance(60_000)
          expect(await queue.size()).toBe(0)
          expect(deadLetters).toEqual([])
          expect(client.stats().dropped).toBe(0)

          const copies = new Map<string, string>()
          for (const request of requests) {
            for (const event of request.json.batch) {
              const { sentAt, ...rest } = event
              expect(typeof sentAt).toBe('string')
              const text = JSON.stringify(rest)
              const id = String(event['messageId'])
              // Every copy of an event is byte-identical apart from sentAt.
              if (copies.has(id)) expect(text).toBe(copies.get(id))
              else copies.set(id, text)
            }
          }
          // Only what the backend acknowledged counts as delivered.
          const delivered = new Map(
            acknowledged.flatMap((request) =>
              request.json.batch.map((event) => [String(event['messageId']), event] as const),
            ),
          )
          for (const [messageId, parts] of expected) {
            const event = delivered.get(messageId)
            expect(event, `event ${messageId} was accepted but never delivered`).toBeDefined()
            expect(JSON.parse(JSON.stringify(event))).toMatchObject(JSON.parse(JSON.stringify(parts)) as object)
          }
        },
      ),
      { numRuns: 60 },
    )
  }, 60_000)
})
