/**
 * A local Twilio implementing the documented Messages API
 * (https://www.twilio.com/docs/messaging/api/message-resource#create-a-message-resource):
 * `POST /2010-04-01/Accounts/{AccountSid}/Messages.json`, basic auth, form fields; 201 with the
 * Message resource, or an error body `{ code, message, more_info, status }`
 * (https://www.twilio.com/docs/api/errors; 20003 authenticate, 21211 invalid To, 21610 unsubscribed).
 */
import type { ProviderAnswer, ReceivedRequest } from './providerServer.js'
import { startProviderServer } from './providerServer.js'

export const TWILIO_SID = `AC${'a1'.repeat(16)}`
export const TWILIO_TOKEN = 'twilio-auth-token'
/** A number that replied STOP. */
export const STOPPED_NUMBER = '+15005550009'

const error = (status: number, code: number, message: string): ProviderAnswer => ({
  status,
  body: { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status },
})

export async function startTwilioServer(override?: (request: ReceivedRequest) => ProviderAnswer | undefined) {
  let next = 0
  return startProviderServer((request) => {
    const special = override?.(request)
    if (special !== undefined) return special
    const match = /^\/2010-04-01\/Accounts\/(AC[0-9a-f]{32})\/Messages\.json$/.exec(request.path)
    if (request.method !== 'POST' || match === null) return error(404, 20404, 'The requested resource was not found')
    const expected = `Basic ${Buffer.from(`${TWILIO_SID}:${TWILIO_TOKEN}`).toString('base64')}`
    if (match[1] !== TWILIO_SID || request.headers.authorization !== expected) return error(401, 20003, 'Authenticate')
    const form = new URLSearchParams(request.body)
    const to = form.get('To') ?? ''
    if (!form.get('From') && !form.get('MessagingServiceSid'))
      return error(400, 21603, "The 'From' phone number is required")
    if (!/^\+[1-9]\d{6,14}$/.test(to)) return error(400, 21211, `The 'To' number ${to} is not a valid phone number.`)
    if (to === STOPPED_NUMBER) return error(400, 21610, 'Attempt to send to unsubscribed recipient')
    const sid = `SM${String(++next).padStart(32, '0')}`
    return {
      status: 201,
      body: {
        sid,
        account_sid: TWILIO_SID,
        to,
        from: form.get('From'),
        body: form.get('Body'),
        status: 'queued',
        num_segments: '1',
        error_code: null,
      },
    }
  })
}
