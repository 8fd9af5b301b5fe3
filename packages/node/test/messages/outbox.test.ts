import { afterEach, describe, expect, it } from 'vitest'
import { defineRule } from '@ecrm/core'
import type { Channel, EcrmEvent, RuleFiring } from '@ecrm/core'
import { createRuleRunner } from '../../src/rules/ruleRunner.js'
import { recordFiring } from '../../src/rules/firings.js'
import { createPgliteStore } from '../../src/store/pgliteStore.js'
import { createMessageSender } from '../../src/messages/messageSender.js'
import { createSqlMessageQueue } from '../../src/messages/sqlMessageQueue.js'
import type { MessageComposer } from '../../src/messages/composeMessages.js'
import type { Store } from '../../src/store/storeTypes.js'
import { createSmtpChannel, smtpMessageId } from '../../src/channels/smtpChannel.js'
import { startSmtpSink } from './smtpSink.js'

const welcome = defineRule({
  id: 'welcome',
  when: 'Signed Up',
  then: { send: [{ channel: 'email', template: 'welcome' }] },
})
const composer: MessageComposer = {
  channels: { email: 'email' },
  render: ({ template, profile, messageId }) => ({
    subject: `${template} ${String(profile.traits['name'])}`,
    text: `Hello ${String(profile.traits['name'])} (${messageId})`,
  }),
}

const cleanups: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

async function signUp(store: Store, userId: string, traits: Record<string, unknown>): Promise<readonly EcrmEvent[]> {
  const events = [
    {
      type: 'identify',
      messageId: `id-${userId}`,
      userId,
      traits,
      context: { consent: { categories: { marketing: true } } },
    },
    { type: 'track', messageId: `su-${userId}`, userId, event: 'Signed Up', properties: {} },
  ] as EcrmEvent[]
  const { stored } = await store.insertEvents(events, { returnStored: true })
  return stored ?? []
}

async function storeWithRunner(): Promise<{
  store: Store
  fire: (events: readonly EcrmEvent[]) => Promise<RuleFiring[]>
}> {
  const store = await createPgliteStore()
  cleanups.push(() => store.close())
  const runner = createRuleRunner({ store, rules: [welcome], pollIntervalMs: 0, messages: composer })
  await runner.start()
  cleanups.push(async () => runner.stop())
  return { store, fire: runner.processEvents }
}

describe('message outbox (PGlite)', { timeout: 60_000 }, () => {
  it('records a firing and its rendered, addressed message together; no email → suppressed no_recipient', async () => {
    const { store, fire } = await storeWithRunner()
    const [firing] = await fire(await signUp(store, 'u-1', { email: 'ana@example.com', name: 'Ana' }))
    await fire(await signUp(store, 'u-2', { name: 'Bo' }))
    const rows = await store.query<Record<string, unknown>>(
      'select customer_id, message_id, firing_id, recipient, status, reason, content from ecrm_messages order by customer_id',
    )
    expect(rows).toEqual([
      {
        customer_id: 'u-1',
        message_id: `${firing?.id}:0`,
        firing_id: firing?.id,
        recipient: 'ana@example.com',
        status: 'queued',
        reason: null,
        content: { subject: 'welcome Ana', text: `Hello Ana (${firing?.id}:0)` },
      },
      expect.objectContaining({ customer_id: 'u-2', recipient: null, status: 'suppressed', reason: 'no_recipient' }),
    ])
  })

  it('writes the messages only with a new firing, and nothing at all when the messages cannot be written', async () => {
    const store = await createPgliteStore()
    cleanups.push(() => store.close())
    const firing: RuleFiring = {
      id: 'f-1',
      ruleId: 'welcome',
      customerId: 'u-1',
      at: Date.UTC(2026, 0, 1),
      event: { type: 'track', event: 'Rule Fired' } as never,
    }
    const message = {
      id: 'f-1:0',
      customerId: 'u-1',
      channel: 'email',
      kind: 'email',
      recipient: 'a@example.com',
      template: 'welcome',
      locale: 'en',
      category: 'marketing',
      content: { text: 'hi' },
      firingId: 'f-1',
      ruleId: 'welcome',
      createdAt: firing.at,
    } as const
    await recordFiring(store, firing, 0, [message])
    await recordFiring(store, firing, 0, [{ ...message, id: 'f-1:1' }])
    expect(await store.query('select message_id from ecrm_messages')).toEqual([{ message_id: 'f-1:0' }])
    const broken = { ...firing, id: 'f-2' }
    await expect(
      recordFiring(store, broken, 0, [{ ...message, id: 'f-2:0', category: 'bulk' as never }]),
    ).rejects.toThrow(/category/)
    expect(await store.query("select firing_id from ecrm_firings where firing_id = 'f-2'")).toEqual([])
  })

  it('sends each queued message once to a real SMTP server, records it sent with a Message Sent event', async () => {
    const { store, fire } = await storeWithRunner()
    const smtp = await startSmtpSink()
    cleanups.push(smtp.close)
    const channel = createSmtpChannel({ host: '127.0.0.1', port: smtp.port, from: 'Shop <shop@ecrm.test>' })
    cleanups.push(async () => channel.close?.())
    const [firing] = await fire(await signUp(store, 'u-1', { email: 'ana@example.com', name: 'Ana' }))
    const mailId = smtpMessageId(`${firing?.id}:0`, 'ecrm.test')
    const { engine } = createMessageSender({ store, channels: { email: channel } })
    expect((await engine.pass()).sent).toBe(1)
    expect((await engine.pass()).sent).toBe(0)
    expect(smtp.mails.map((mail) => [mail.messageId, mail.to])).toEqual([[mailId, 'ana@example.com']])
    expect(smtp.mails[0]?.raw).toContain('Subject: welcome Ana')
    expect(await store.query('select status, provider_id, sent_at is not null as sent from ecrm_messages')).toEqual([
      { status: 'sent', provider_id: mailId, sent: true },
    ])
    const events = await store.query<{ payload: EcrmEvent }>(
      "select payload from ecrm_events where event = 'Message Sent'",
    )
    expect(events.map((row) => (row.payload as { properties?: unknown }).properties)).toEqual([
      {
        message_id: `${firing?.id}:0`,
        rule_id: 'welcome',
        campaign: 'welcome',
        channel: 'email',
        kind: 'email',
        provider_id: mailId,
      },
    ])
  })

  it('never sends to a suppressed address; a bounce suppresses the address; a retry is sent on a later pass', async () => {
    const { store, fire } = await storeWithRunner()
    await store.query(
      "insert into ecrm_suppressions (customer_id, kind, recipient, reason, at) values ('x', 'email', 'gone@example.com', 'bounce', now())",
    )
    await fire(await signUp(store, 'u-1', { email: 'gone@example.com', name: 'A' }))
    await fire(await signUp(store, 'u-2', { email: 'bad@example.com', name: 'B' }))
    await fire(await signUp(store, 'u-3', { email: 'later@example.com', name: 'C' }))
    const tried: string[] = []
    let failNext = true
    // A unit channel: isolates the sender's handling of each outcome.
    const channel: Channel = {
      name: 'email',
      kind: 'email',
      async send(message) {
        tried.push(message.recipient)
        if (message.recipient === 'bad@example.com')
          return { status: 'failed', failure: 'bounce', reason: '550 no such user' }
        if (failNext) {
          failNext = false
          return { status: 'retry', reason: 'connection refused' }
        }
        return { status: 'delivered' }
      },
    }
    let now = Date.now()
    const { engine } = createMessageSender({ store, channels: { email: channel }, clock: { now: () => now } })
    await engine.pass()
    now += 3_600_000
    await engine.pass()
    expect(tried).toEqual(['bad@example.com', 'later@example.com', 'later@example.com'])
    expect(
      await store.query('select customer_id, status, reason, attempts from ecrm_messages order by customer_id'),
    ).toEqual([
      { customer_id: 'u-1', status: 'suppressed', reason: 'suppressed_recipient', attempts: 0 },
      { customer_id: 'u-2', status: 'failed', reason: 'bounce: 550 no such user', attempts: 0 },
      { customer_id: 'u-3', status: 'sent', reason: null, attempts: 1 },
    ])
    expect(await store.query("select recipient, reason from ecrm_suppressions where customer_id = 'u-2'")).toEqual([
      { recipient: 'bad@example.com', reason: 'bounce' },
    ])
    expect(await store.query("select event from ecrm_events where event like 'Message %' order by event")).toEqual([
      { event: 'Message Failed' },
      { event: 'Message Sent' },
      { event: 'Message Suppressed' },
    ])

    // Erasure takes the customer's messages (address, rendered text) and keeps the suppression list.
    await store.forget({ userId: 'u-2' })
    expect(await store.query("select message_id from ecrm_messages where customer_id = 'u-2'")).toEqual([])
    expect(await store.query("select recipient from ecrm_suppressions where customer_id = 'u-2'")).toEqual([
      { recipient: 'bad@example.com' },
    ])
  })

  it('hides a leased message from other leases until the lease runs out, then hands it out again', async () => {
    const { store, fire } = await storeWithRunner()
    await fire(await signUp(store, 'u-1', { email: 'ana@example.com', name: 'Ana' }))
    const a = createSqlMessageQueue(store)
    const b = createSqlMessageQueue(store)
    const now = Date.now() + 1_000
    expect((await a.lease({ now, limit: 10, leaseMs: 30_000 })).length).toBe(1)
    expect(await b.lease({ now: now + 29_999, limit: 10, leaseMs: 30_000 })).toEqual([])
    expect(
      (await b.lease({ now: now + 30_000, limit: 10, leaseMs: 30_000 })).map(
        (item) => JSON.parse(item.payload).recipient,
      ),
    ).toEqual(['ana@example.com'])
  })
})
