import { afterEach, describe, expect, it } from 'vitest'
import {
  createDestinationFanout,
  hmacSha256Hex,
  verifyWebhookSignature,
  webhookDestination,
} from '../../src/destinations/index.js'
import { createTestTime, makeEvent, startVendorServer } from './vendorServer.js'
import type { VendorServer } from './vendorServer.js'

const SECRET = 'whsec_0123456789abcdef0123456789abcdef'

describe('hmacSha256Hex', () => {
  // RFC 4231, "Identifiers and Test Vectors for HMAC-SHA-224, -256, -384, and -512", §4.2 and §4.3.
  it('matches RFC 4231 test case 1', () => {
    expect(hmacSha256Hex(new Uint8Array(20).fill(0x0b), 'Hi There')).toBe(
      'b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7',
    )
  })
  it('matches RFC 4231 test case 2', () => {
    expect(hmacSha256Hex('Jefe', 'what do ya want for nothing?')).toBe(
      '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843',
    )
  })
})

describe('verifyWebhookSignature', () => {
  const now = Date.parse('2026-03-01T10:00:00.000Z')
  const t = now / 1000
  const body = '{"batch":[],"sentAt":"2026-03-01T10:00:00.000Z"}'
  const header = `t=${t},v1=${hmacSha256Hex(SECRET, `${t}.${body}`)}`

  it('accepts a fresh, correctly signed body', () => {
    expect(verifyWebhookSignature({ body, header, secret: SECRET, now })).toEqual({ ok: true, timestamp: t })
  })
  it('refuses a changed body, a wrong secret, a stale timestamp and a malformed header', () => {
    expect(verifyWebhookSignature({ body: body.replace('[]', '[1]'), header, secret: SECRET, now })).toEqual({
      ok: false,
      reason: 'signature_mismatch',
    })
    expect(verifyWebhookSignature({ body, header, secret: `${SECRET}x`, now })).toEqual({
      ok: false,
      reason: 'signature_mismatch',
    })
    expect(verifyWebhookSignature({ body, header, secret: SECRET, now: now + 300_001 })).toEqual({
      ok: false,
      reason: 'timestamp_out_of_tolerance',
    })
    expect(verifyWebhookSignature({ body, header, secret: SECRET, now: now + 60_000, toleranceMs: 30_000 })).toEqual({
      ok: false,
      reason: 'timestamp_out_of_tolerance',
    })
    expect(verifyWebhookSignature({ body, header: 'v1=abc', secret: SECRET, now })).toEqual({
      ok: false,
      reason: 'malformed_header',
    })
    expect(verifyWebhookSignature({ body, header: undefined, secret: SECRET, now })).toEqual({
      ok: false,
      reason: 'missing_header',
    })
  })
  it('accepts the old or the new secret during a rotation', () => {
    expect(verifyWebhookSignature({ body, header, secret: ['new-secret-0123456789', SECRET], now }).ok).toBe(true)
  })
})

describe('webhookDestination (contract, local receiver)', () => {
  let server: VendorServer | undefined
  afterEach(async () => server?.close())

  it('posts Segment-spec batches the receiver can verify, and signs each retry afresh', async () => {
    const verdicts: unknown[] = []
    let first = true
    const time = createTestTime()
    server = await startVendorServer((request) => {
      verdicts.push(
        verifyWebhookSignature({
          body: request.body,
          header: request.headers['ecrm-signature'],
          secret: SECRET,
          now: time.clock.now(),
        }),
      )
      if (first) {
        first = false
        return { status: 503, headers: { 'retry-after': '30' }, body: 'maintenance' }
      }
      return { status: 204 }
    })
    const fanout = createDestinationFanout({
      destinations: [webhookDestination({ url: `${server.url}/ecrm`, secret: SECRET })],
      clock: time.clock,
      scheduler: time.scheduler,
    })
    const events = [
      makeEvent({ type: 'track', userId: 'u-1', event: 'Order Completed', properties: { order_id: 'o-1', total: 10 } }),
      makeEvent({ type: 'page', anonymousId: 'a-1', name: 'Home' }),
    ]
    expect(await fanout.deliver(events)).toEqual({ webhook: 2 })
    await fanout.flush()
    time.advance(30_000)
    await fanout.flush()
    expect(server.requests).toHaveLength(2)
    expect(verdicts).toEqual([
      { ok: true, timestamp: 1772359200 },
      { ok: true, timestamp: 1772359230 },
    ])
    const sent = server.requests[1]!
    expect(sent.method).toBe('POST')
    expect(sent.headers['content-type']).toBe('application/json')
    expect(sent.json.sentAt).toBe('2026-03-01T10:00:30.000Z')
    expect(sent.json.batch.map((event: { messageId: string }) => event.messageId)).toEqual(
      events.map((event) => event.messageId),
    )
    expect(sent.json.batch[0]).toMatchObject({
      type: 'track',
      event: 'Order Completed',
      userId: 'u-1',
      properties: { order_id: 'o-1', total: 10 },
    })
    expect(fanout.stats().webhook).toMatchObject({ delivered: 2, queued: 0, retried: 2 })
    await fanout.close()
  })

  it('refuses a short secret with an actionable error', () => {
    expect(() => webhookDestination({ url: 'https://hooks.example', secret: 'short' })).toThrow(
      /at least 16 characters/,
    )
  })
})
