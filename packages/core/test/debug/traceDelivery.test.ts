import { describe, expect, it } from 'vitest'
import { createLogger, createMemoryQueue, traceDelivery } from '../../src/index.js'
import type { QueueItem } from '../../src/index.js'

const item: QueueItem = {
  id: 'm-1',
  payload: JSON.stringify({ type: 'track', event: 'Order Completed', messageId: 'm-1' }),
  bytes: 60,
  createdAt: 0,
  availableAt: 0,
  attempts: 0,
  priority: 3,
}

const sinkOf = () => {
  const lines: unknown[][] = []
  const write =
    (method: string) =>
    (...parts: unknown[]) =>
      void lines.push([method, ...parts])
  return { lines, sink: { debug: write('debug'), warn: write('warn'), error: write('error') } }
}

describe('createLogger', () => {
  it('prefixes every line and drops debug lines unless asked', () => {
    const { lines, sink } = sinkOf()
    const quiet = createLogger(sink)
    quiet.debug('hidden')
    quiet.warn('careful', { code: 'x' })
    createLogger(sink, { debug: true }).debug('shown')
    expect(lines).toEqual([
      ['warn', '[ecrm] careful', { code: 'x' }],
      ['debug', '[ecrm] shown'],
    ])
  })
})

describe('traceDelivery', () => {
  it('logs what passes through the queue and the transport, and passes it on unchanged', async () => {
    const { lines, sink } = sinkOf()
    const queue = createMemoryQueue()
    const traced = traceDelivery(
      { queue, transport: { send: async () => ({ type: 'response', status: 202, retryAfter: null }) } },
      createLogger(sink, { debug: true }),
    )
    await traced.queue.enqueue([item])
    expect(await queue.size()).toBe(1)
    const outcome = await traced.transport.send({
      url: 'https://c.example/v1/batch',
      body: '{"batch":[{}]}',
      headers: {},
      timeoutMs: 1,
    })
    expect(outcome).toEqual({ type: 'response', status: 202, retryAfter: null })
    await traced.queue.release(['m-1'], Date.parse('2026-03-01T10:00:00Z'))
    await traced.queue.remove(['m-1'])
    expect(await queue.size()).toBe(0)
    expect(lines.map((line) => line[1])).toEqual([
      '[ecrm] queued 1 events: track Order Completed',
      '[ecrm] sending 1 events: POST https://c.example/v1/batch',
      '[ecrm] POST https://c.example/v1/batch: status 202',
      '[ecrm] retrying 1 events at 2026-03-01T10:00:00.000Z',
      '[ecrm] took 1 events off the queue',
    ])
  })
})
