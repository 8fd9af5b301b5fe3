import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { defineRule } from '@ecrm/core'
import type { EcrmEvent } from '@ecrm/core'
import { createMessageSender } from '../../packages/node/src/messages/messageSender.js'
import type { MessagePassResult } from '../../packages/node/src/messages/messageSender.js'
import { createRuleRunner } from '../../packages/node/src/rules/ruleRunner.js'
import { createPostgresStore } from '../../packages/node/src/store/postgresStore.js'
import type { Store } from '../../packages/node/src/store/storeTypes.js'
import { startSmtpSink } from '../../packages/node/test/messages/smtpSink.js'
import { nodemailerChannel } from '../support/nodemailerChannel.mjs'
import { hasPostgres, startPostgres } from './postgresServer.js'
import type { PostgresServer } from './postgresServer.js'

const DUE = 4

describe.skipIf(!hasPostgres)('frequency caps across senders on PostgreSQL 15', () => {
  let server: PostgresServer
  const stores: Store[] = []

  beforeAll(async () => {
    server = await startPostgres()
    // Two stores, two connection pools: two senders as two processes would run them.
    stores.push(await createPostgresStore(server.connectionString))
    stores.push(await createPostgresStore(server.connectionString))
  }, 120_000)
  afterAll(async () => {
    await Promise.all(stores.map((store) => store.close()))
    server?.stop()
  })

  it('two senders racing on one customer with a cap of 1 marketing mail a day send exactly one; the rest are deferred, none dropped', async () => {
    const [first, second] = stores as [Store, Store]
    const rule = defineRule({
      id: 'promo',
      when: 'Viewed Product',
      then: { send: [{ channel: 'email', template: 'promo', category: 'marketing' }] },
    })
    const runner = createRuleRunner({
      store: first,
      rules: [rule],
      pollIntervalMs: 0,
      messages: { channels: { email: 'email' }, render: () => ({ subject: 'Offer', text: 'Today only' }) },
    })
    await runner.start()
    const events = [
      {
        type: 'identify',
        messageId: 'id-1',
        userId: 'u-1',
        traits: { email: 'ana@example.com' },
        context: { consent: { categories: { marketing: true } } },
      },
      ...Array.from({ length: DUE }, (_, i) => ({
        type: 'track',
        messageId: `v-${i}`,
        userId: 'u-1',
        event: 'Viewed Product',
        properties: { sku: `s-${i}` },
      })),
    ] as EcrmEvent[]
    const { stored } = await first.insertEvents(events, { returnStored: true })
    expect((await runner.processEvents(stored ?? [])).length).toBe(DUE)
    runner.stop()

    // The SMTP server holds each mail a moment, so both senders are mid-send at once: without
    // the per-customer lock both pass the cap check and two mails arrive.
    const smtp = await startSmtpSink({
      onMail: async () => {
        await new Promise((resolve) => setTimeout(resolve, 300))
        return true
      },
    })
    const channels = [nodemailerChannel(smtp.port, 'sender-a'), nodemailerChannel(smtp.port, 'sender-b')]
    try {
      const policy = { caps: [{ per: 'day' as const, max: 1 }] }
      const senders = [first, second].map(
        (store, i) => createMessageSender({ store, channels: { email: channels[i]! }, policy, batchSize: 1 }).engine,
      )
      const results: MessagePassResult[] = []
      for (let round = 0; round < DUE; round += 1)
        results.push(...(await Promise.all(senders.map((engine) => engine.pass()))))
      // The passes' counts say what happened: one send, the rest deferred (never counted as sent).
      const total = (key: 'sent' | 'deferred' | 'suppressed') => results.reduce((sum, result) => sum + result[key], 0)
      expect([total('sent'), total('deferred'), total('suppressed')]).toEqual([1, DUE - 1, 0])
      expect(senders.reduce((sum, engine) => sum + engine.stats().deferred, 0)).toBe(DUE - 1)

      expect(smtp.mails).toHaveLength(1)
      expect(
        await first.query(
          'select status, reason, count(*)::int as n from ecrm_messages group by status, reason order by status',
        ),
      ).toEqual([
        { status: 'deferred', reason: 'frequency_cap', n: DUE - 1 },
        { status: 'sent', reason: null, n: 1 },
      ])
      // Deferred to when the day's window frees (the next day in the customer's zone), not dropped.
      const [window] = await first.query<{ due: string; sent: Date }>(
        `select min(available_at)::text as due, (select sent_at from ecrm_messages where status = 'sent') as sent
           from ecrm_messages where status = 'deferred'`,
      )
      expect(Number(window?.due)).toBeGreaterThan(new Date(window!.sent).getTime())
      expect(await first.query("select count(*)::int as n from ecrm_events where event = 'Message Sent'")).toEqual([
        { n: 1 },
      ])
    } finally {
      await Promise.all(channels.map((channel) => channel.close?.()))
      await smtp.close()
    }
  }, 120_000)
})
