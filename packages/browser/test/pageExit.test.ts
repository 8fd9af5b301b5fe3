import { describe, expect, it } from 'vitest'
import type { QueueItem, Transport, TransportRequest } from '@ecrm/core'
import { createMemoryQueue } from '@ecrm/core'
import { createErasedIds } from '../src/erasure.js'
import { sendOnPageExit, watchPageOutbox } from '../src/pageExit.js'
import { makeQueueItem } from '../../core/test/contract/queueContract.js'

const recordingTransport = (): Transport & { sent: TransportRequest[] } => {
  const sent: TransportRequest[] = []
  return { sent, send: async (request) => (sent.push(request), { type: 'response', status: 200, retryAfter: null }) }
}
const eventItem = (id: string, padding = 0): QueueItem =>
  makeQueueItem(id, { payload: JSON.stringify({ type: 'track', event: 'E', messageId: id, pad: 'x'.repeat(padding) }) })

describe('watchPageOutbox', () => {
  it('remembers this page’s enqueued events until they are removed', async () => {
    const outbox = watchPageOutbox(createMemoryQueue())
    await outbox.queue.enqueue([eventItem('a'), eventItem('b'), eventItem('c')])
    await outbox.queue.remove(['b'])
    const now = Date.parse('2026-01-01T00:00:00.000Z')
    const leased = await outbox.queue.lease({ now, limit: 10, leaseMs: 1_000 })
    await outbox.queue.release(
      leased.map((item) => item.id),
      now,
    )
    expect(outbox.unconfirmed().map((item) => item.id)).toEqual(['a', 'c'])
    expect(await outbox.queue.size()).toBe(2)
  })

  it("keeps the items isDropped names out of both the queue and the page's list (erased visitors' events)", async () => {
    const erased = createErasedIds()
    erased.add(['visitor-1'])
    const ofVisitor = (id: string, anonymousId: string, event = 'E'): QueueItem =>
      makeQueueItem(id, { payload: JSON.stringify({ type: 'track', event, anonymousId, messageId: id }) })
    const inner = createMemoryQueue()
    const outbox = watchPageOutbox(inner, erased.isErasedItem)
    await outbox.queue.enqueue([
      ofVisitor('a', 'visitor-1'),
      ofVisitor('b', 'visitor-2'),
      ofVisitor('c', 'visitor-1', 'Data Erasure Requested'),
    ])
    expect((await inner.peek()).map((item) => item.id)).toEqual(['b', 'c'])
    expect(outbox.unconfirmed().map((item) => item.id)).toEqual(['b', 'c'])
  })
})

describe('sendOnPageExit', () => {
  it('starts keepalive batches of at most 64 KiB each, synchronously, with sentAt and the write key', () => {
    const transport = recordingTransport()
    const items = Array.from({ length: 10 }, (_, n) => eventItem(`e${n}`, 20_000))
    const requests = sendOnPageExit({
      items,
      endpoint: 'https://c.example/',
      writeKey: 'wk',
      now: Date.parse('2026-01-01T00:00:00.000Z'),
      transport,
    })
    // Started before any await: a page being torn down gets no second chance.
    expect(transport.sent).toHaveLength(requests)
    expect(requests).toBe(4)
    for (const request of transport.sent) {
      expect(request.keepalive).toBe(true)
      expect(new TextEncoder().encode(request.body).length).toBeLessThanOrEqual(65_536)
      expect(request.url).toBe('https://c.example/v1/batch')
    }
    const bodies = transport.sent.map(
      (request) => JSON.parse(request.body) as { batch: { messageId: string; sentAt: string }[]; writeKey: string },
    )
    expect(bodies.flatMap((body) => body.batch.map((event) => event.messageId))).toEqual(items.map((item) => item.id))
    expect(bodies[0]?.writeKey).toBe('wk')
    expect(bodies[0]?.batch[0]?.sentAt).toBe('2026-01-01T00:00:00.000Z')
  })

  it('skips an event too big for any unload request (it waits for the next visit)', () => {
    const transport = recordingTransport()
    expect(
      sendOnPageExit({
        items: [eventItem('huge', 70_000)],
        endpoint: 'https://c.example',
        writeKey: 'wk',
        now: 0,
        transport,
      }),
    ).toBe(0)
    expect(sendOnPageExit({ items: [], endpoint: 'https://c.example', writeKey: 'wk', now: 0, transport })).toBe(0)
  })
})
