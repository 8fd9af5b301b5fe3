import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { EcrmEvent } from '@ecrm/core'
import { createTwilioStatusHandler } from '../../src/messages/twilioStatusHandler.js'
import type { SuppressionEntry } from '../../src/messages/suppressions.js'
import { twilioSignature } from '../../src/messages/twilioSignature.js'
import { createPgliteStore } from '../../src/store/pgliteStore.js'
import type { Store } from '../../src/store/storeTypes.js'
import { serveHandler } from './serveHandler.js'

const TOKEN = 'twilio-test-auth-token'

describe('twilioSignature', () => {
  it('matches a signature computed independently (Python hmac/hashlib/base64 over the documented string)', () => {
    const params = new URLSearchParams({
      MessageSid: 'SM0123456789abcdef0123456789abcdef',
      MessageStatus: 'undelivered',
      ErrorCode: '30003',
      To: '+14155550123',
      AccountSid: 'AC00000000000000000000000000000000',
    })
    const url = 'https://crm.shop.example/v1/m/twilio?message_id=f1:0&customer_id=CUST&channel=sms'
    expect(twilioSignature(TOKEN, url, params)).toBe('f3dmGXBHDidTuioIeF7YCvMyQaM=')
    expect(twilioSignature('another-token', url, params)).not.toBe('f3dmGXBHDidTuioIeF7YCvMyQaM=')
  })
})

describe('createTwilioStatusHandler over HTTP', () => {
  let store: Store
  let server: Awaited<ReturnType<typeof serveHandler>> | undefined
  let base: string
  let customerId: string
  const suppressed: SuppressionEntry[] = []
  beforeAll(async () => {
    store = await createPgliteStore()
    await store.insertEvents([
      {
        type: 'identify',
        messageId: 'tw-id',
        userId: 'tw-ada',
        traits: { phone: '+14155550123' },
        timestamp: '2026-03-01T10:00:00.000Z',
      } as EcrmEvent,
    ])
    customerId = (await store.getProfile('tw-ada'))!.id
    const handler = createTwilioStatusHandler({
      store,
      authTokens: ['old-token', TOKEN],
      suppress: async (entry) => void suppressed.push(entry),
      now: () => Date.UTC(2026, 2, 2),
    })
    server = await serveHandler(handler)
    base = server.base
  }, 120_000)
  afterAll(async () => {
    await server?.close()
    await store?.close()
  })

  const callback = async (
    status: string,
    signatureToken = TOKEN,
    extra: Record<string, string> = {},
  ): Promise<Response> => {
    const url = `${base}/v1/m/twilio?message_id=f1%3A0&customer_id=${customerId}&rule_id=birthday&campaign=bday&channel=sms`
    const params = new URLSearchParams({
      AccountSid: 'AC00000000000000000000000000000000',
      MessageSid: `SM-${status}`,
      MessageStatus: status,
      To: '+14155550123',
      ...extra,
    })
    return fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-twilio-signature': twilioSignature(signatureToken, url, params),
      },
      body: params,
    })
  }
  const stored = (event: string) =>
    store.query<{ payload: EcrmEvent }>('select payload from ecrm_events where event = $1', [event])

  it('refuses a forged signature with 403 and stores nothing', async () => {
    const response = await callback('delivered', 'not-the-token')
    expect(response.status).toBe(403)
    expect((await response.json()).error.code).toBe('invalid_signature')
    expect(await stored('Message Delivered')).toEqual([])
  })

  it('records delivered once, however often Twilio retries, with the message properties', async () => {
    expect((await callback('delivered')).status).toBe(200)
    expect((await callback('delivered')).status).toBe(200)
    const rows = await stored('Message Delivered')
    expect(rows).toHaveLength(1)
    expect(rows[0]?.payload).toMatchObject({
      userId: 'tw-ada',
      properties: {
        message_id: 'f1:0',
        rule_id: 'birthday',
        campaign: 'bday',
        channel: 'sms',
        kind: 'sms',
        provider_id: 'SM-delivered',
      },
    })
  })

  it('turns undelivered into Message Bounced with the error code, and suppresses the number', async () => {
    expect((await callback('undelivered', TOKEN, { ErrorCode: '30003' })).status).toBe(200)
    expect((await stored('Message Bounced'))[0]?.payload.properties).toMatchObject({ error_code: '30003' })
    expect(suppressed).toEqual([
      { kind: 'sms', recipient: '+14155550123', reason: 'twilio undelivered 30003', at: Date.UTC(2026, 2, 2) },
    ])
    const profile = await store.getProfile('tw-ada')
    expect(profile?.messages?.['sms']).toMatchObject({ delivered: 1, bounced: 1 })
    expect(profile?.lastSeenAt).toBe(Date.parse('2026-03-01T10:00:00.000Z'))
  })

  it('acknowledges an intermediate status without storing it', async () => {
    const response = await callback('sent')
    expect(await response.json()).toEqual({ recorded: false, status: 'sent' })
    expect(await stored('Message Sent')).toEqual([])
  })
})
