import { afterEach, describe, expect, it } from 'vitest'
import { createTwilioChannel } from '../../src/channels/twilioChannel.js'
import { STOPPED_NUMBER, TWILIO_SID, TWILIO_TOKEN, startTwilioServer } from './support/twilioServer.js'
import { message } from './support/messages.js'

const cleanups: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup()
})

const sms = message({
  channel: 'sms',
  kind: 'sms',
  recipient: '+447700900123',
  content: { text: 'Your cart misses you: 10% off with CART10' },
})

async function server(override?: Parameters<typeof startTwilioServer>[0]) {
  const started = await startTwilioServer(override)
  cleanups.push(started.close)
  return started
}

describe('createTwilioChannel against a local Twilio (documented Messages API)', () => {
  it('POSTs To, From, Body and a StatusCallback naming the message, with basic auth, and reports the Message SID', async () => {
    const twilio = await server()
    const channel = createTwilioChannel({
      accountSid: TWILIO_SID,
      authToken: TWILIO_TOKEN,
      from: '+15005550006',
      statusCallback: 'https://crm.shop.example/v1/m/twilio',
      baseUrl: twilio.base,
    })
    expect(await channel.send(sms)).toEqual({ status: 'delivered', providerId: `SM${'1'.padStart(32, '0')}` })
    const [request] = twilio.requests
    expect(request?.path).toBe(`/2010-04-01/Accounts/${TWILIO_SID}/Messages.json`)
    expect(request?.headers.authorization).toBe(
      `Basic ${Buffer.from(`${TWILIO_SID}:${TWILIO_TOKEN}`).toString('base64')}`,
    )
    expect(request?.headers['content-type']).toBe('application/x-www-form-urlencoded')
    expect(Object.fromEntries(new URLSearchParams(request?.body))).toEqual({
      To: '+447700900123',
      From: '+15005550006',
      Body: 'Your cart misses you: 10% off with CART10',
      StatusCallback:
        'https://crm.shop.example/v1/m/twilio?message_id=firing-1%3A0&customer_id=c-1&channel=sms&rule_id=welcome&campaign=welcome-2026',
    })
  })

  it('sends through a Messaging Service instead of a From number', async () => {
    const twilio = await server()
    const service = `MG${'b2'.repeat(16)}`
    const channel = createTwilioChannel({
      accountSid: TWILIO_SID,
      authToken: TWILIO_TOKEN,
      messagingServiceSid: service,
      baseUrl: twilio.base,
    })
    expect((await channel.send(sms)).status).toBe('delivered')
    expect(Object.fromEntries(new URLSearchParams(twilio.requests[0]?.body))).toEqual({
      To: '+447700900123',
      Body: sms.content.text,
      MessagingServiceSid: service,
    })
  })

  it('fails 21211 as invalid_recipient and 21610 (STOP) as a complaint, which the sender suppresses', async () => {
    const twilio = await server()
    const channel = createTwilioChannel({
      accountSid: TWILIO_SID,
      authToken: TWILIO_TOKEN,
      from: '+15005550006',
      baseUrl: twilio.base,
    })
    expect(await channel.send({ ...sms, recipient: '+1' })).toEqual({
      status: 'failed',
      failure: 'invalid_recipient',
      reason: "sms channel sms: Twilio 21211: The 'To' number +1 is not a valid phone number.",
    })
    expect(await channel.send({ ...sms, recipient: STOPPED_NUMBER })).toMatchObject({
      status: 'failed',
      failure: 'complaint',
      reason: expect.stringContaining('21610'),
    })
  })

  it('retries a wrong auth token (20003), 429 with Retry-After, 503 and a refused connection', async () => {
    const answers = [
      {
        status: 429,
        headers: { 'retry-after': '12' },
        body: { code: 20429, message: 'Too Many Requests', status: 429 },
      },
      { status: 503, body: 'upstream unavailable' },
    ]
    const twilio = await server(() => answers.shift())
    const channel = createTwilioChannel({
      accountSid: TWILIO_SID,
      authToken: TWILIO_TOKEN,
      from: '+15005550006',
      baseUrl: twilio.base,
    })
    expect(await channel.send(sms)).toMatchObject({ status: 'retry', retryAfterMs: 12_000 })
    expect(await channel.send(sms)).toMatchObject({ status: 'retry', reason: expect.stringContaining('HTTP 503') })
    const wrong = createTwilioChannel({
      accountSid: TWILIO_SID,
      authToken: 'wrong',
      from: '+15005550006',
      baseUrl: twilio.base,
    })
    expect(await wrong.send(sms)).toMatchObject({
      status: 'retry',
      reason: expect.stringMatching(/Twilio 20003: Authenticate \(check/),
    })
    const closed = await startTwilioServer()
    await closed.close()
    const unreachable = createTwilioChannel({
      accountSid: TWILIO_SID,
      authToken: TWILIO_TOKEN,
      from: '+15005550006',
      baseUrl: closed.base,
    })
    expect(await unreachable.send(sms)).toMatchObject({
      status: 'retry',
      reason: expect.stringContaining('ECONNREFUSED'),
    })
  })

  it('names bad options: a malformed SID, and both or neither of from and messagingServiceSid', () => {
    expect(() => createTwilioChannel({ accountSid: 'AC1', authToken: 't', from: '+1500' })).toThrow(/accountSid/)
    expect(() => createTwilioChannel({ accountSid: TWILIO_SID, authToken: 't' })).toThrow(
      /from.*exactly one of from and messagingServiceSid/s,
    )
  })
})
