import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { defineRule, signMessageLink, trackMessageLinks } from '@ecrm/core'
import type { EcrmEvent, MessageLinkClaims } from '@ecrm/core'
import { createSmtpChannel } from '../../src/channels/smtpChannel.js'
import { createMessageLinksHandler } from '../../src/messages/messageLinksHandler.js'
import { createMessageSender } from '../../src/messages/messageSender.js'
import { createRuleRunner } from '../../src/rules/ruleRunner.js'
import { createPgliteStore } from '../../src/store/pgliteStore.js'
import type { Store } from '../../src/store/storeTypes.js'
import { startSmtpServer } from '../channels/support/smtpTestServer.js'
import type { SmtpTestServer } from '../channels/support/smtpTestServer.js'
import { serveHandler } from './serveHandler.js'

const NOW = Date.UTC(2026, 2, 5, 12)
const SECRET = 'the link secret of this test shop, 32+ chars'
const PUBLIC = 'https://shop.example'

/**
 * Messages reach the routes as users get them: a rule fires on a stored event, its mail is
 * rendered with signed links (core's trackMessageLinks), the sender hands it to a real SMTP
 * server, and the tokens come out of the received HTML.
 */
describe('createMessageLinksHandler over HTTP', () => {
  let store: Store
  let smtp: SmtpTestServer
  let server: Awaited<ReturnType<typeof serveHandler>> | undefined
  let base: string
  let customer: string
  let mailHtml: string
  const messageId = (): string => mailHtml.match(/data-message="([^"]+)"/)?.[1] ?? ''
  beforeAll(async () => {
    smtp = await startSmtpServer()
    store = await createPgliteStore()
    const rule = defineRule({
      id: 'win_back',
      when: 'Signed Up',
      then: { send: [{ channel: 'newsletter', template: 'spring', campaign: 'spring' }] },
    })
    const runner = createRuleRunner({
      store,
      rules: [rule],
      pollIntervalMs: 0,
      clock: { now: () => NOW },
      messages: {
        channels: { newsletter: 'email' },
        render: async ({ messageId: id, firing }) => ({
          subject: 'Spring is here',
          text: 'Spring is here: https://shop.example/spring',
          html: await trackMessageLinks(
            `<html><body data-message="${id}"><p><a href="https://shop.example/spring?utm_campaign=spring">Spring</a></p></body></html>`,
            {
              base: PUBLIC,
              sign: (link) =>
                signMessageLink({ ...link, m: id, c: firing.customerId, exp: NOW + 30 * 86_400_000 }, SECRET),
            },
          ),
        }),
      },
    })
    await runner.start()
    const { stored } = await store.insertEvents(
      [
        {
          type: 'identify',
          messageId: 'ml-id',
          userId: 'ml-ada',
          traits: { email: 'ada@example.com' },
          context: { consent: { categories: { marketing: true } } },
          timestamp: '2026-03-01T10:00:00.000Z',
        } as EcrmEvent,
        {
          type: 'track',
          messageId: 'ml-su',
          userId: 'ml-ada',
          event: 'Signed Up',
          properties: {},
          timestamp: '2026-03-04T10:00:00.000Z',
        } as EcrmEvent,
      ],
      { returnStored: true },
    )
    await runner.processEvents(stored ?? [])
    runner.stop()
    const channel = createSmtpChannel({
      name: 'newsletter',
      host: '127.0.0.1',
      port: smtp.port,
      auth: { user: 'shop', pass: 'secret-password' },
      from: 'Shop <news@shop.example>',
      allowSelfSignedCertificate: true,
    })
    const { engine } = createMessageSender({ store, channels: { newsletter: channel }, clock: { now: () => NOW } })
    expect((await engine.pass()).sent).toBe(1)
    await channel.close?.()
    mailHtml = String(smtp.mails[0]?.parsed.html)
    customer =
      (await store.query<{ customer_id: string }>('select customer_id from ecrm_messages'))[0]?.customer_id ?? ''
    server = await serveHandler(createMessageLinksHandler({ store, secret: SECRET, now: () => NOW }))
    base = server.base
  }, 120_000)
  afterAll(async () => {
    await server?.close()
    await store?.close()
    await smtp?.close()
  })

  const pathOf = (kind: 'o' | 'c'): string => mailHtml.match(new RegExp(`${PUBLIC}(/v1/m/${kind}/[^"]+)"`))?.[1] ?? ''
  const claims = (k: MessageLinkClaims['k'], extra: Partial<MessageLinkClaims> = {}): MessageLinkClaims => ({
    m: messageId(),
    c: customer,
    k,
    exp: NOW + 86_400_000,
    ...extra,
  })
  const issue = (value: MessageLinkClaims): Promise<string> => signMessageLink(value, SECRET)
  const stored = (event: string) =>
    store.query<{ payload: EcrmEvent }>('select payload from ecrm_events where event = $1', [event])

  it('answers the open pixel with a no-store GIF and records one Email Opened with the message properties', async () => {
    for (let i = 0; i < 2; i += 1) {
      const response = await fetch(`${base}${pathOf('o')}`)
      expect(response.status).toBe(200)
      expect(response.headers.get('content-type')).toBe('image/gif')
      expect(response.headers.get('cache-control')).toBe('no-store')
      expect(new TextDecoder().decode((await response.arrayBuffer()).slice(0, 6))).toBe('GIF89a')
    }
    const rows = await stored('Email Opened')
    expect(rows).toHaveLength(1)
    expect(rows[0]?.payload).toMatchObject({
      userId: 'ml-ada',
      properties: {
        message_id: messageId(),
        email_id: messageId(),
        rule_id: 'win_back',
        campaign: 'spring',
        channel: 'newsletter',
        kind: 'email',
      },
    })
  })

  it("redirects the mail's click link to the signed URL only and records Email Link Clicked", async () => {
    const response = await fetch(`${base}${pathOf('c')}?u=https://evil.example/`, { redirect: 'manual' })
    expect(response.status).toBe(302)
    expect(response.headers.get('location')).toBe('https://shop.example/spring?utm_campaign=spring')
    expect((await stored('Email Link Clicked'))[0]?.payload.properties).toMatchObject({
      url: 'https://shop.example/spring?utm_campaign=spring',
      message_id: messageId(),
    })
  })

  it('refuses garbled, forged, expired and wrong-kind tokens with 400, 403, 410, 400 and stores nothing', async () => {
    const before = await store.query<{ n: number }>('select count(*)::int as n from ecrm_events')
    const expired = await issue(claims('click', { u: 'https://shop.example/', exp: NOW - 1 }))
    const openToken = await issue(claims('open'))
    const otherKey = await signMessageLink(
      claims('click', { u: 'https://evil.example/' }),
      'a different secret, thirty-two characters',
    )
    const unknownMessage = await issue(claims('click', { m: 'no-such:0', u: 'https://shop.example/' }))
    const answers = await Promise.all(
      [
        `/v1/m/c/garbled!`,
        `/v1/m/c/${otherKey}`,
        `/v1/m/c/${expired}`,
        `/v1/m/c/${openToken}`,
        `/v1/m/c/${unknownMessage}`,
      ].map((path) => fetch(base + path, { redirect: 'manual' })),
    )
    expect(answers.map((response) => response.status)).toEqual([400, 403, 410, 400, 410])
    expect(answers.every((response) => response.headers.get('location') === null)).toBe(true)
    expect(await store.query<{ n: number }>('select count(*)::int as n from ecrm_events')).toEqual(before)
  })

  it('shows the unsubscribe page in Persian for a fa token, right to left, with a confirm button', async () => {
    const token = await issue(claims('unsubscribe', { l: 'fa-IR' }))
    const response = await fetch(`${base}/v1/m/u/${token}`)
    const page = await response.text()
    expect(response.headers.get('content-type')).toMatch(/^text\/html/)
    expect(page).toContain('dir="rtl"')
    expect(page).toContain('لغو اشتراک')
    expect(page).toContain('name="List-Unsubscribe" value="One-Click"')
    expect(await stored('Unsubscribed')).toEqual([])
  })

  it('takes an RFC 8058 one-click POST once, and the profile records the email opt-out', async () => {
    const token = await issue(claims('unsubscribe'))
    const post = () =>
      fetch(`${base}/v1/m/u/${token}`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'List-Unsubscribe=One-Click',
      })
    expect((await post()).status).toBe(200)
    expect((await post()).status).toBe(200)
    expect(await stored('Unsubscribed')).toHaveLength(1)
    const profile = await store.getProfile('ml-ada')
    expect(profile?.consent.categories['marketing.email']).toEqual({ granted: false, at: NOW })
    expect(profile?.messages?.['email']).toMatchObject({ sent: 1, opened: 1, clicked: 1, unsubscribed: 1 })
    const wrong = await fetch(`${base}/v1/m/u/${token}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'List-Unsubscribe=Yes',
    })
    expect(wrong.status).toBe(400)
  })
})
