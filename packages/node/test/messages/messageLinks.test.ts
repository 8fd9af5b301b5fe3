import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { messageEventProperties } from '@ecrm/core'
import type { EcrmEvent } from '@ecrm/core'
import { createMessageLinksHandler } from '../../src/messages/messageLinksHandler.js'
import type { MessageLinkCheck, MessageLinkClaims } from '../../src/messages/messageLinksHandler.js'
import { createPgliteStore } from '../../src/store/pgliteStore.js'
import type { Store } from '../../src/store/storeTypes.js'
import { serveHandler } from './serveHandler.js'

const NOW = Date.UTC(2026, 2, 5, 12)

/**
 * Tokens as opaque keys of a table: this suite isolates the routes from token crypto (core's
 * signMessageLink / verifyMessageLink own that and are tested there).
 */
function createTokenTable(): { issue: (claims: MessageLinkClaims) => string; verify: (token: string, now: number) => Promise<MessageLinkCheck> } {
  const table = new Map<string, MessageLinkClaims>()
  return {
    issue(claims) {
      const token = `t${table.size + 1}`
      table.set(token, claims)
      return token
    },
    async verify(token, now) {
      if (!/^t\d+$/.test(token)) return { ok: false, reason: 'malformed' }
      const claims = table.get(token)
      if (claims === undefined) return { ok: false, reason: 'forged' }
      return claims.exp <= now ? { ok: false, reason: 'expired' } : { ok: true, claims }
    },
  }
}

describe('createMessageLinksHandler over HTTP', () => {
  let store: Store
  let server: Awaited<ReturnType<typeof serveHandler>> | undefined
  let base: string
  let customer: string
  const tokens = createTokenTable()
  beforeAll(async () => {
    store = await createPgliteStore()
    await store.insertEvents([
      { type: 'identify', messageId: 'ml-id', userId: 'ml-ada', traits: { email: 'ada@example.com' }, timestamp: '2026-03-01T10:00:00.000Z' } as EcrmEvent,
      { type: 'track', messageId: 'ml-sent', userId: 'ml-ada', event: 'Message Sent', properties: messageEventProperties({ id: 'f1:0', channel: 'newsletter', kind: 'email', ruleId: 'win_back', campaign: 'spring' }), timestamp: '2026-03-04T10:00:00.000Z' } as EcrmEvent,
    ])
    customer = (await store.getProfile('ml-ada'))!.id
    server = await serveHandler(createMessageLinksHandler({ store, verify: tokens.verify, now: () => NOW }))
    base = server.base
  }, 120_000)
  afterAll(async () => {
    await server?.close()
    await store?.close()
  })

  const claims = (k: MessageLinkClaims['k'], extra: Partial<MessageLinkClaims> = {}): MessageLinkClaims => ({ m: 'f1:0', c: customer, k, exp: NOW + 86_400_000, ...extra })
  const stored = (event: string) => store.query<{ payload: EcrmEvent }>('select payload from ecrm_events where event = $1', [event])

  it('answers the open pixel with a no-store GIF and records one Email Opened with the message properties', async () => {
    const token = tokens.issue(claims('open'))
    for (let i = 0; i < 2; i += 1) {
      const response = await fetch(`${base}/v1/m/o/${token}.gif`)
      expect(response.status).toBe(200)
      expect(response.headers.get('content-type')).toBe('image/gif')
      expect(response.headers.get('cache-control')).toBe('no-store')
      expect(new TextDecoder().decode((await response.arrayBuffer()).slice(0, 6))).toBe('GIF89a')
    }
    const rows = await stored('Email Opened')
    expect(rows).toHaveLength(1)
    expect(rows[0]?.payload).toMatchObject({ userId: 'ml-ada', properties: { message_id: 'f1:0', email_id: 'f1:0', rule_id: 'win_back', campaign: 'spring', channel: 'newsletter', kind: 'email' } })
  })

  it('redirects a click to the signed URL only and records Email Link Clicked', async () => {
    const token = tokens.issue(claims('click', { u: 'https://shop.example/spring?utm_campaign=spring' }))
    const response = await fetch(`${base}/v1/m/c/${token}?u=https://evil.example/`, { redirect: 'manual' })
    expect(response.status).toBe(302)
    expect(response.headers.get('location')).toBe('https://shop.example/spring?utm_campaign=spring')
    expect((await stored('Email Link Clicked'))[0]?.payload.properties).toMatchObject({ url: 'https://shop.example/spring?utm_campaign=spring', message_id: 'f1:0' })
  })

  it('refuses garbled, forged, expired and wrong-kind tokens with 400, 403, 410, 400 and stores nothing', async () => {
    const before = await store.query<{ n: number }>('select count(*)::int as n from ecrm_events')
    const expired = tokens.issue(claims('click', { u: 'https://shop.example/', exp: NOW - 1 }))
    const openToken = tokens.issue(claims('open'))
    const answers = await Promise.all([`/v1/m/c/garbled!`, `/v1/m/c/t999`, `/v1/m/c/${expired}`, `/v1/m/c/${openToken}`].map((path) => fetch(base + path, { redirect: 'manual' })))
    expect(answers.map((response) => response.status)).toEqual([400, 403, 410, 400])
    expect(answers.every((response) => response.headers.get('location') === null)).toBe(true)
    expect(await store.query<{ n: number }>('select count(*)::int as n from ecrm_events')).toEqual(before)
  })

  it('shows the unsubscribe page in Persian for a fa token, right to left, with a confirm button', async () => {
    const token = tokens.issue(claims('unsubscribe', { l: 'fa-IR' }))
    const response = await fetch(`${base}/v1/m/u/${token}`)
    const page = await response.text()
    expect(response.headers.get('content-type')).toMatch(/^text\/html/)
    expect(page).toContain('dir="rtl"')
    expect(page).toContain('لغو اشتراک')
    expect(page).toContain('name="List-Unsubscribe" value="One-Click"')
    expect(await stored('Unsubscribed')).toEqual([])
  })

  it('takes an RFC 8058 one-click POST once, and the profile records the email opt-out', async () => {
    const token = tokens.issue(claims('unsubscribe'))
    const post = () => fetch(`${base}/v1/m/u/${token}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'List-Unsubscribe=One-Click' })
    expect((await post()).status).toBe(200)
    expect((await post()).status).toBe(200)
    expect(await stored('Unsubscribed')).toHaveLength(1)
    const profile = await store.getProfile('ml-ada')
    expect(profile?.consent.categories['marketing.email']).toEqual({ granted: false, at: NOW })
    expect(profile?.messages?.['email']).toMatchObject({ sent: 1, opened: 1, clicked: 1, unsubscribed: 1 })
    const wrong = await fetch(`${base}/v1/m/u/${token}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'List-Unsubscribe=Yes' })
    expect(wrong.status).toBe(400)
  })
})
