import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { defineRule } from '@ecrm/core'
import type { MessagePolicyInput } from '@ecrm/core'
import { createSmtpChannel } from '../../src/channels/smtpChannel.js'
import { createIngestHandler } from '../../src/ingest/ingestHandler.js'
import { toNodeListener } from '../../src/ingest/nodeListener.js'
import { createMessageSender } from '../../src/messages/messageSender.js'
import { serveMessages } from '../../src/messages/serveMessages.js'
import { createRuleRunner } from '../../src/rules/ruleRunner.js'
import { createPgliteStore } from '../../src/store/pgliteStore.js'
import type { Store } from '../../src/store/storeTypes.js'
import { loadTemplates } from '../../src/templates/loadTemplates.js'
import { startSmtpSink } from './smtpSink.js'

// The message policy through the whole pipeline: batches POSTed to the real ingest handler over
// HTTP, stored in PGlite, the rule runner writing firings and rendered messages into the outbox,
// the sender (with the policy) sending through the SMTP channel to a real SMTP server. One manual
// clock drives ingest, rules and sender, so "when" is exact.

const WRITE_KEY = 'wk-policy'
const POLICY: MessagePolicyInput = {
  consent: 'opt-in',
  caps: [{ per: 'day', max: 1 }],
  quietHours: { start: '21:00', end: '08:00' },
}
// Monday 2 March 2026, 12:00 UTC: 21:00 in Tokyo (quiet hours there), midday in UTC.
const T0 = Date.UTC(2026, 2, 2, 12, 0)
const HOUR = 3_600_000
const iso = (at: number): string => new Date(at).toISOString()

const TEMPLATES: Record<string, string> = {
  'account.en.liquid': '<p>Your account is ready, {{ profile.traits.name }}.</p>',
  'account.en.subject.liquid': 'Your account, {{ profile.traits.name }}',
  'promo.en.liquid': '<p>{{ profile.traits.name }}, 10% off with {{ offer.code }}.</p>',
  'promo.en.subject.liquid': 'A welcome offer for {{ profile.traits.name }}',
  'browse.en.liquid': '<p>Still looking, {{ profile.traits.name }}?</p>',
  'browse.en.subject.liquid': 'Still looking, {{ profile.traits.name }}?',
}

const rules = [
  defineRule({
    id: 'signup',
    when: 'Signed Up',
    then: {
      send: [
        { channel: 'email', template: 'account', category: 'transactional' },
        { channel: 'email', template: 'promo', campaign: 'welcome_offer' },
      ],
    },
  }),
  defineRule({
    id: 'browse',
    when: 'Product Viewed',
    then: { send: [{ channel: 'email', template: 'browse', campaign: 'browse_reminder' }] },
  }),
]

/** The scripted customers: who they are and what consent they gave at sign-up. */
const customers = [
  { id: 'ana', name: 'Ana', consent: { marketing: true } }, // consented
  { id: 'bo', name: 'Bo', consent: { marketing: false } }, // opted out of marketing
  { id: 'cy', name: 'Cy', consent: undefined }, // said nothing (the policy is opt-in)
  { id: 'di', name: 'Di', consent: { marketing: true } }, // on the suppression list
  { id: 'eli', name: 'Eli', consent: { marketing: true }, timezone: 'Asia/Tokyo' }, // in quiet hours at T0
  { id: 'fay', name: 'Fay', consent: { marketing: true } }, // gets two marketing mails in one day
] as const

describe('the message policy through ingest → store → rules → outbox → sender → SMTP', { timeout: 60_000 }, () => {
  let now = T0
  const clock = { now: () => now }
  let store: Store
  let smtp: Awaited<ReturnType<typeof startSmtpSink>>
  let collector: string
  let closeAll: () => Promise<void>
  let pass: () => Promise<unknown>
  // Which mail each pass delivered: [to, subject, clock time of the pass].
  const received: [string, string, string][] = []
  // What the sender's passes reported besides sent.
  const passTotals = { deferred: 0, suppressed: 0 }

  beforeAll(async () => {
    const folder = mkdtempSync(join(tmpdir(), 'ecrm-policy-templates-'))
    for (const [file, text] of Object.entries(TEMPLATES)) writeFileSync(join(folder, file), text)
    store = await createPgliteStore()
    smtp = await startSmtpSink()
    const email = createSmtpChannel({ host: '127.0.0.1', port: smtp.port, from: 'Shop <shop@ecrm.test>' })
    // What `ecrm serve` composes with: the templates, links signed and tracked, List-Unsubscribe headers.
    const served = serveMessages(
      {
        channels: { email },
        templates: await loadTemplates({ folder, offerSecret: 'offer-secret-for-the-policy-pipeline-test' }),
        baseUrl: 'http://collect.test',
        linkSecret: 'link-secret-for-the-policy-pipeline-test-0123',
      },
      store,
    )
    const runner = createRuleRunner({ store, rules, clock, pollIntervalMs: 0, messages: served.composer })
    await runner.start()
    const server = createServer(
      toNodeListener(
        createIngestHandler({ store, writeKeys: [WRITE_KEY], now: clock.now, onEvents: runner.processEvents }),
      ),
    )
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    collector = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/batch`
    const { engine } = createMessageSender({ store, channels: { email }, clock, policy: POLICY })
    pass = async () => {
      const before = smtp.mails.length
      const result = await engine.pass()
      // A pass claims as sent exactly the mails the SMTP server took: deferred and suppressed apart.
      expect(result.sent).toBe(smtp.mails.length - before)
      passTotals.deferred += result.deferred
      passTotals.suppressed += result.suppressed
      for (const mail of smtp.mails.slice(before))
        received.push([mail.to, /^Subject: (.*)$/m.exec(mail.raw)?.[1]?.trim() ?? '', iso(now)])
    }
    closeAll = async () => {
      runner.stop()
      await new Promise<void>((resolve) => server.close(() => resolve()))
      await email.close?.()
      await smtp.close()
      await store.close()
      rmSync(folder, { recursive: true, force: true })
    }
  }, 60_000)

  afterAll(async () => closeAll?.())

  async function post(batch: readonly Record<string, unknown>[]): Promise<void> {
    const response = await fetch(collector, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Basic ${Buffer.from(`${WRITE_KEY}:`).toString('base64')}`,
      },
      body: JSON.stringify({ batch: batch.map((event) => ({ timestamp: iso(now), ...event })) }),
    })
    expect(response.status).toBe(200)
  }

  const statuses = () =>
    store.query<{
      customer_id: string
      template: string
      status: string
      reason: string | null
      available_at: string
      sent_at: Date | null
    }>(
      'select customer_id, template, status, reason, available_at, sent_at from ecrm_messages order by customer_id, template',
    )
  const statusOf = async (customer: string, template: string) => {
    const row = (await statuses()).find(
      (candidate) => candidate.customer_id === customer && candidate.template === template,
    )
    return row === undefined
      ? undefined
      : {
          status: row.status,
          reason: row.reason,
          ...(row.status === 'deferred' ? { until: iso(Number(row.available_at)) } : {}),
          ...(row.sent_at === null ? {} : { sentAt: iso(new Date(row.sent_at).getTime()) }),
        }
  }

  it('at sign-up: marketing only to the consented outside quiet hours, transactional to all but the suppressed address', async () => {
    // An earlier hard bounce put Di's address on the list (the row the sender writes on a bounce).
    await store.query(
      `insert into ecrm_suppressions (customer_id, kind, recipient, reason, at) values ('di', 'email', 'di@example.com', 'bounce', $1)`,
      [iso(T0 - 24 * HOUR)],
    )
    for (const customer of customers) {
      const consent = customer.consent === undefined ? {} : { context: { consent: { categories: customer.consent } } }
      const timezone = 'timezone' in customer ? { timezone: customer.timezone } : {}
      await post([
        {
          type: 'identify',
          messageId: `id-${customer.id}`,
          userId: customer.id,
          traits: { email: `${customer.id}@example.com`, name: customer.name, ...timezone },
          ...consent,
        },
        { type: 'track', messageId: `su-${customer.id}`, userId: customer.id, event: 'Signed Up', properties: {} },
      ])
    }
    await pass()
    // One pass sends in the outbox's order of due time; mails due at the same instant in any order.
    expect([...received].sort()).toEqual(
      [
        ['ana@example.com', 'Your account, Ana', iso(T0)],
        ['ana@example.com', 'A welcome offer for Ana', iso(T0)],
        ['bo@example.com', 'Your account, Bo', iso(T0)],
        ['cy@example.com', 'Your account, Cy', iso(T0)],
        ['eli@example.com', 'Your account, Eli', iso(T0)],
        ['fay@example.com', 'Your account, Fay', iso(T0)],
        ['fay@example.com', 'A welcome offer for Fay', iso(T0)],
      ].sort(),
    )
    expect(await statusOf('bo', 'promo')).toEqual({ status: 'suppressed', reason: 'opted_out' })
    expect(await statusOf('cy', 'promo')).toEqual({ status: 'suppressed', reason: 'no_consent' })
    // The suppression list holds for every category, a transactional message too.
    expect(await statusOf('di', 'account')).toEqual({ status: 'suppressed', reason: 'suppressed_recipient' })
    expect(await statusOf('di', 'promo')).toEqual({ status: 'suppressed', reason: 'suppressed_recipient' })
    // 21:00 in Tokyo: the offer waits for 08:00 there (23:00 UTC), the account mail did not wait.
    expect(await statusOf('eli', 'promo')).toEqual({
      status: 'deferred',
      reason: 'quiet_hours',
      until: '2026-03-02T23:00:00.000Z',
    })
    const suppressedEvents = await store.query<{ user_id: string; reason: string }>(
      `select user_id, payload->'properties'->>'reason' as reason from ecrm_events where event = 'Message Suppressed' order by user_id, reason`,
    )
    expect(suppressedEvents).toEqual([
      { user_id: 'bo', reason: 'opted_out' },
      { user_id: 'cy', reason: 'no_consent' },
      { user_id: 'di', reason: 'suppressed_recipient' },
      { user_id: 'di', reason: 'suppressed_recipient' },
    ])
    expect(passTotals).toEqual({ deferred: 1, suppressed: 4 })
  })

  it("a second marketing mail the same day waits past the day's cap (and past quiet hours) to 08:00 the next day", async () => {
    now = T0 + HOUR / 2
    const sentBefore = received.length
    await post([
      {
        type: 'track',
        messageId: 'pv-fay',
        userId: 'fay',
        event: 'Product Viewed',
        properties: { product_id: 'sku-1' },
      },
    ])
    await pass()
    expect(received.length).toBe(sentBefore)
    // The day's one marketing mail went at 12:00; the next day starts at midnight UTC, inside the
    // quiet hours, so the reminder waits until they end.
    expect(await statusOf('fay', 'browse')).toEqual({
      status: 'deferred',
      reason: 'frequency_cap',
      until: '2026-03-03T08:00:00.000Z',
    })
  })

  it('sends each deferred mail when its time comes, not before, and nothing else', async () => {
    const sentBefore = received.length
    now = Date.UTC(2026, 2, 2, 22, 59)
    await pass()
    expect(received.length).toBe(sentBefore)
    now = Date.UTC(2026, 2, 2, 23, 0)
    await pass()
    now = Date.UTC(2026, 2, 3, 7, 59)
    await pass()
    expect(received.slice(sentBefore)).toEqual([
      ['eli@example.com', 'A welcome offer for Eli', '2026-03-02T23:00:00.000Z'],
    ])
    now = Date.UTC(2026, 2, 3, 8, 0)
    await pass()
    now = Date.UTC(2026, 2, 4, 12, 0)
    await pass()
    expect(received.slice(sentBefore)).toEqual([
      ['eli@example.com', 'A welcome offer for Eli', '2026-03-02T23:00:00.000Z'],
      ['fay@example.com', 'Still looking, Fay?', '2026-03-03T08:00:00.000Z'],
    ])
    expect(await statusOf('eli', 'promo')).toEqual({ status: 'sent', reason: null, sentAt: '2026-03-02T23:00:00.000Z' })
    expect(await statusOf('fay', 'browse')).toEqual({
      status: 'sent',
      reason: null,
      sentAt: '2026-03-03T08:00:00.000Z',
    })

    // Who received what, in all: each mail once, nobody else anything.
    const byCustomer: Record<string, string[]> = {}
    for (const [to, subject] of received) (byCustomer[to] ??= []).push(subject)
    for (const subjects of Object.values(byCustomer)) subjects.sort()
    expect(byCustomer).toEqual({
      'ana@example.com': ['A welcome offer for Ana', 'Your account, Ana'],
      'bo@example.com': ['Your account, Bo'],
      'cy@example.com': ['Your account, Cy'],
      'eli@example.com': ['A welcome offer for Eli', 'Your account, Eli'],
      'fay@example.com': ['A welcome offer for Fay', 'Still looking, Fay?', 'Your account, Fay'],
    })
    expect(smtp.mails.length).toBe(received.length)
  })
})
