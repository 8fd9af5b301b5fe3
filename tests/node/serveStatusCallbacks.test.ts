/**
 * Provider delivery callbacks as users run them: `ecrm serve --config` with docs/messages.md's
 * Kavenegar + Twilio config, a sign-up through the collector texting both local stand-ins, then
 * the providers' callbacks posted back to the collector.
 *
 * Twilio's StatusCallback is a form POST with MessageSid, MessageStatus, ErrorCode, To, … signed in
 * X-Twilio-Signature: base64 HMAC-SHA1 (auth token) of the full callback URL followed by each POST
 * parameter's name and value, sorted by name
 * (https://www.twilio.com/docs/messaging/guides/track-outbound-message-status,
 * https://www.twilio.com/docs/usage/security#validating-requests). Kavenegar's report carries the
 * `messageid` that `sms/send` answered and a status code of the `sms/status` table
 * (https://kavenegar.com/rest.html: 10 delivered, 11 not delivered, 14 blocked by the recipient).
 */
import { createHmac } from 'node:crypto'
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { KAVENEGAR_KEY, startKavenegarServer } from '../../packages/node/test/channels/support/kavenegarServer.js'
import { TWILIO_SID, TWILIO_TOKEN, startTwilioServer } from '../../packages/node/test/channels/support/twilioServer.js'
import { createPgliteStore } from '../../packages/node/src/store/pgliteStore.js'
import { waitFor } from '../support/waitFor.js'
import { buildCli, startServe } from './serveProcess.js'

const fixture = fileURLToPath(new URL('./fixtures/messages/', import.meta.url))
const dir = mkdtempSync(join(tmpdir(), 'ecrm-serve-callbacks-'))
const secrets = {
  KAVENEGAR_API_KEY: KAVENEGAR_KEY,
  KAVENEGAR_STATUS_TOKEN: 'kv-status-token-0123456789',
  TWILIO_AUTH_TOKEN: TWILIO_TOKEN,
  ECRM_LINK_SECRET: 'a-link-secret-of-at-least-32-characters!',
}
const docs = readFileSync(fileURLToPath(new URL('../../docs/messages.md', import.meta.url)), 'utf8')
const documented =
  /<!-- ecrm\.config\.json with delivery callbacks, run by tests\/node\/serveStatusCallbacks\.test\.ts[^>]*-->\n```json\n([\s\S]*?)\n```/.exec(
    docs,
  )?.[1]

let cli: string
let kavenegar: Awaited<ReturnType<typeof startKavenegarServer>>
let twilio: Awaited<ReturnType<typeof startTwilioServer>>

beforeAll(async () => {
  cpSync(join(fixture, 'templates'), join(dir, 'templates'), { recursive: true })
  ;[cli, kavenegar, twilio] = await Promise.all([
    buildCli('serve-status-callbacks'),
    startKavenegarServer(),
    startTwilioServer(),
  ])
}, 120_000)
afterAll(async () => {
  await Promise.all([kavenegar.close(), twilio.close()])
  rmSync(dir, { recursive: true, force: true })
})

/** Twilio's signature, computed here from the documented recipe (not with the code under test). */
const sign = (url: string, params: Record<string, string>): string =>
  createHmac('sha1', TWILIO_TOKEN)
    .update(
      url +
        Object.keys(params)
          .sort()
          .map((name) => name + params[name])
          .join(''),
    )
    .digest('base64')

describe('ecrm serve answers Kavenegar and Twilio delivery callbacks from the channels config', () => {
  it('records Message Delivered / Bounced for the texted messages; forged, unknown and wrong-token callbacks get 4xx and store nothing', async () => {
    if (documented === undefined) throw new Error('docs/messages.md lost its delivery-callbacks config block')
    const config = JSON.parse(documented)
    config.channels.sms.baseUrl = kavenegar.base
    config.channels['sms-intl'].baseUrl = twilio.base
    config.channels['sms-intl'].accountSid = TWILIO_SID
    const configPath = join(dir, 'ecrm.config.json')
    writeFileSync(configPath, JSON.stringify(config))
    const data = join(dir, 'data')
    const server = await startServe(cli, ['--data-dir', data, '--config', configPath], secrets)
    let twilioCallback: URL
    try {
      await waitFor(
        'the callbacks log line',
        async () => server.output(),
        (output) => output.includes('Kavenegar delivery callbacks for sms on'),
      )
      expect(server.output()).not.toContain(secrets.KAVENEGAR_STATUS_TOKEN)
      const ingest = await fetch(`${server.url}/v1/batch`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `Basic ${Buffer.from('wk:').toString('base64')}`,
        },
        body: JSON.stringify({
          batch: [
            { type: 'identify', messageId: 'i-1', userId: 'u-1', traits: { name: 'Sara', phone: '+98 912 345 6789' } },
            { type: 'track', messageId: 's-1', userId: 'u-1', event: 'Signed Up' },
          ],
        }),
      })
      expect(ingest.status).toBe(200)
      const texted = await waitFor(
        'the Kavenegar text',
        async () => kavenegar.texted[0],
        (entry) => entry !== undefined,
      )
      const twilioRequest = await waitFor(
        'the Twilio request',
        async () => twilio.requests[0],
        (request) => request !== undefined,
      )
      expect(kavenegar.texted).toHaveLength(1)
      expect(texted!.message).toContain('Welcome, Sara!')
      const statusCallback = new URLSearchParams(twilioRequest!.body).get('StatusCallback')
      expect(statusCallback).toMatch(/^https:\/\/crm\.shop\.example\/v1\/m\/twilio\?message_id=/)
      twilioCallback = new URL(statusCallback!)
      // Twilio POSTs to the URL it was given; here that public URL is the local collector.
      const local = `${server.url}${twilioCallback.pathname}${twilioCallback.search}`
      const postTwilio = (params: Record<string, string>, signature: string) =>
        fetch(local, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature },
          body: new URLSearchParams(params).toString(),
        })
      const undelivered = {
        AccountSid: TWILIO_SID,
        MessageSid: 'SM00000000000000000000000000000001',
        MessageStatus: 'undelivered',
        ErrorCode: '30003',
        To: '+989123456789',
        From: '+15005550006',
        ApiVersion: '2010-04-01',
      }
      const forged = await postTwilio(undelivered, sign(statusCallback!, { ...undelivered, ErrorCode: '30005' }))
      expect(forged.status).toBe(403)
      expect(await forged.json()).toMatchObject({ error: { code: 'invalid_signature' } })
      const twilioReply = await postTwilio(undelivered, sign(statusCallback!, undelivered))
      expect(twilioReply.status).toBe(200)
      expect(await twilioReply.json()).toEqual({ recorded: true, event: 'Message Bounced' })

      const kavenegarUrl = `${server.url}/v1/m/kavenegar/${secrets.KAVENEGAR_STATUS_TOKEN}`
      const postKavenegar = (url: string, messageid: number | string, status: number) =>
        fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ messageid: String(messageid), status: String(status) }).toString(),
        })
      const wrongToken = await postKavenegar(`${server.url}/v1/m/kavenegar/not-the-token-000000`, texted!.messageid, 10)
      expect(wrongToken.status).toBe(404)
      const unknown = await postKavenegar(kavenegarUrl, 99_999_999, 10)
      expect(unknown.status).toBe(404)
      expect(await unknown.json()).toMatchObject({ error: { code: 'unknown_message' } })
      const onTheWay = await postKavenegar(kavenegarUrl, texted!.messageid, 4)
      expect(await onTheWay.json()).toEqual({ recorded: false, status: 4 })
      const delivered = await postKavenegar(kavenegarUrl, texted!.messageid, 10)
      expect(delivered.status).toBe(200)
      expect(await delivered.json()).toEqual({ recorded: true, event: 'Message Delivered' })
      // A provider retry of the same report stores one event.
      expect((await postKavenegar(kavenegarUrl, texted!.messageid, 10)).status).toBe(200)
    } finally {
      expect(await server.stop()).toBe(0)
    }
    const store = await createPgliteStore(data)
    try {
      const events = await store.query<{ event: string; user_id: string; properties: Record<string, unknown> }>(
        `select event, user_id, payload->'properties' as properties from ecrm_events
          where event in ('Message Delivered', 'Message Bounced') order by event`,
      )
      const messages = await store.query<{ message_id: string; channel: string; provider_id: string }>(
        'select message_id, channel, provider_id from ecrm_messages order by channel',
      )
      const kavenegarRow = messages.find((row) => row.channel === 'sms')
      expect(kavenegarRow?.provider_id).toBe(String(kavenegar.texted[0]?.messageid))
      expect(events).toEqual([
        {
          event: 'Message Bounced',
          user_id: 'u-1',
          properties: expect.objectContaining({
            message_id: twilioCallback.searchParams.get('message_id'),
            channel: 'sms-intl',
            rule_id: 'welcome_sms',
          }),
        },
        {
          event: 'Message Delivered',
          user_id: 'u-1',
          properties: expect.objectContaining({
            message_id: kavenegarRow?.message_id,
            channel: 'sms',
            provider: 'kavenegar',
            rule_id: 'welcome_sms',
          }),
        },
      ])
    } finally {
      await store.close()
    }
  }, 120_000)
})
