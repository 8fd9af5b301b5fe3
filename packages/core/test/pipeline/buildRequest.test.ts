import { describe, expect, it } from 'vitest'
import {
  batchOverheadBytes,
  buildBatchRequest,
  eventBytesInBatch,
  serverHeaders,
} from '../../src/pipeline/buildRequest.js'
import { planBatches } from '../../src/pipeline/boundQueue.js'
import { utf8Length } from '../../src/pipeline/utf8.js'
import { makeQueueItem } from '../contract/queueContract.js'

const SENT = Date.parse('2026-03-04T05:06:07.089Z')

describe('buildBatchRequest', () => {
  const payloads = ['{"type":"track","event":"A","messageId":"m1"}', '{"type":"page","messageId":"m2"}']

  it('posts the Segment batch body to /v1/batch with sentAt on the batch and on each event', () => {
    const request = buildBatchRequest({ endpoint: 'https://collect.example/', writeKey: 'wk', payloads, sentAt: SENT })
    expect(request.url).toBe('https://collect.example/v1/batch')
    expect(JSON.parse(request.body)).toEqual({
      batch: [
        { type: 'track', event: 'A', messageId: 'm1', sentAt: '2026-03-04T05:06:07.089Z' },
        { type: 'page', messageId: 'm2', sentAt: '2026-03-04T05:06:07.089Z' },
      ],
      sentAt: '2026-03-04T05:06:07.089Z',
      writeKey: 'wk',
    })
    expect(request.timeoutMs).toBe(10_000)
    expect(request.keepalive).toBeUndefined()
  })

  it('sends only CORS-safelisted headers by default: text/plain, the write key in the body, no Authorization', () => {
    const request = buildBatchRequest({
      endpoint: 'https://c.example',
      writeKey: 'clé-ünïcode',
      payloads,
      sentAt: SENT,
    })
    expect(request.headers).toEqual({ 'Content-Type': 'text/plain' })
    expect(JSON.parse(request.body).writeKey).toBe('clé-ünïcode')
  })

  it('serverHeaders: Basic auth of the UTF-8 "writeKey:"', () => {
    const request = buildBatchRequest({
      endpoint: 'https://c.example',
      writeKey: 'clé-ünïcode',
      payloads,
      sentAt: SENT,
      headers: serverHeaders('clé-ünïcode'),
    })
    expect(request.headers['Authorization']).toBe(`Basic ${Buffer.from('clé-ünïcode:', 'utf8').toString('base64')}`)
  })

  it('sends the headers given (serverHeaders: application/json), and keepalive when asked', () => {
    const request = buildBatchRequest({
      endpoint: 'https://c.example',
      writeKey: 'wk',
      payloads,
      sentAt: SENT,
      headers: serverHeaders('wk'),
      keepalive: true,
      timeoutMs: 3_000,
    })
    expect(request.headers['Content-Type']).toBe('application/json')
    expect(request.headers['Authorization']).toBe('Basic d2s6')
    expect(request.keepalive).toBe(true)
    expect(request.timeoutMs).toBe(3_000)
  })

  it('predicts the body size exactly from the payload sizes (minus one comma)', () => {
    const texts = ['{"a":"é😀"}', '{"b":1}', '{"c":[1,2,3]}']
    const request = buildBatchRequest({
      endpoint: 'https://c.example',
      writeKey: 'wk"x',
      payloads: texts,
      sentAt: SENT,
    })
    const predicted =
      batchOverheadBytes('wk"x') + texts.reduce((sum, text) => sum + eventBytesInBatch(utf8Length(text)), 0) - 1
    expect(utf8Length(request.body)).toBe(predicted)
  })
})

describe('planBatches', () => {
  it('cuts by count and by bytes, keeping order, each body within maxBytes', () => {
    const items = Array.from({ length: 10 }, (_, n) =>
      makeQueueItem(`m${n}`, { payload: `{"n":"${'x'.repeat(100)}"}` }, n),
    )
    const overhead = batchOverheadBytes('wk')
    const byCount = planBatches(items, { maxEvents: 4, maxBytes: 1e9 }, overhead, eventBytesInBatch)
    expect(byCount.map((batch) => batch.length)).toEqual([4, 4, 2])
    const maxBytes = 500
    const byBytes = planBatches(items, { maxEvents: 100, maxBytes }, overhead, eventBytesInBatch)
    expect(byBytes.flat().map((item) => item.id)).toEqual(items.map((item) => item.id))
    for (const batch of byBytes) {
      const body = buildBatchRequest({
        endpoint: 'https://c',
        writeKey: 'wk',
        payloads: batch.map((item) => item.payload),
        sentAt: SENT,
      }).body
      expect(utf8Length(body)).toBeLessThanOrEqual(maxBytes)
    }
    expect(byBytes.length).toBeGreaterThan(1)
  })

  it('sends an item too big for any batch alone, between the batches around it', () => {
    const small = (id: string): ReturnType<typeof makeQueueItem> => makeQueueItem(id, { payload: '{"n":1}' })
    const big = makeQueueItem('big', { payload: `{"n":"${'x'.repeat(1_000)}"}` })
    const batches = planBatches(
      [small('a'), small('b'), big, small('c')],
      { maxEvents: 10, maxBytes: 500 },
      batchOverheadBytes('wk'),
      eventBytesInBatch,
    )
    expect(batches.map((batch) => batch.map((item) => item.id))).toEqual([['a', 'b'], ['big'], ['c']])
  })
})
