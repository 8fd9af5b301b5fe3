import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { defineRule } from '@ecrm/core'
import type { EcrmEvent } from '@ecrm/core'
import { createRuleRunner } from '../../packages/node/src/rules/ruleRunner.js'
import { createPostgresStore } from '../../packages/node/src/store/postgresStore.js'
import type { Store } from '../../packages/node/src/store/storeTypes.js'
import { startSmtpSink } from '../../packages/node/test/messages/smtpSink.js'
import { hasPostgres, startPostgres } from './postgresServer.js'
import type { PostgresServer } from './postgresServer.js'

const CUSTOMERS = 40
const senderScript = fileURLToPath(new URL('./messageSenderProcess.mjs', import.meta.url))

function exited(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })))
}

describe.skipIf(!hasPostgres)('message senders on PostgreSQL 15: two processes, one SIGKILLed mid-campaign', () => {
  let server: PostgresServer
  let store: Store

  beforeAll(async () => {
    server = await startPostgres()
    store = await createPostgresStore(server.connectionString)
  }, 120_000)
  afterAll(async () => {
    await store?.close()
    server?.stop()
  })

  it('delivers every message of the campaign to the SMTP server exactly once, counted by Message-ID', async () => {
    const rule = defineRule({
      id: 'welcome',
      when: 'Signed Up',
      then: { send: [{ channel: 'email', template: 'welcome' }] },
    })
    const runner = createRuleRunner({
      store,
      rules: [rule],
      pollIntervalMs: 0,
      messages: {
        channels: { email: 'email' },
        render: ({ profile }) => ({ subject: 'Welcome', text: `Hello ${String(profile.traits['name'])}` }),
      },
    })
    await runner.start()
    const events = Array.from({ length: CUSTOMERS }, (_, i) => [
      {
        type: 'identify',
        messageId: `id-${i}`,
        userId: `u-${i}`,
        traits: { email: `c${i}@example.com`, name: `C${i}` },
        context: { consent: { categories: { marketing: true } } },
      },
      { type: 'track', messageId: `su-${i}`, userId: `u-${i}`, event: 'Signed Up', properties: {} },
    ]).flat() as EcrmEvent[]
    const { stored } = await store.insertEvents(events, { returnStored: true })
    expect((await runner.processEvents(stored ?? [])).length).toBe(CUSTOMERS)
    runner.stop()

    let a: ChildProcess | undefined
    let fromA = 0
    // Kill sender A while it is handing over its 6th mail, before the server's 250: the mail is
    // refused, its row stays leased by a dead process, and B must take it once the lease runs out.
    const smtp = await startSmtpSink({
      onMail: async (mail) => {
        if (mail.client !== 'sender-a') return true
        fromA += 1
        if (fromA < 6) return true
        a?.kill('SIGKILL')
        await new Promise((resolve) => setTimeout(resolve, 50))
        return false
      },
    })
    try {
      a = spawn(process.execPath, [senderScript, server.connectionString, String(smtp.port), 'sender-a'], {
        stdio: 'inherit',
      })
      const aExit = exited(a)
      // B starts once A has a lease (and mail) under way, so both share the campaign.
      while (fromA < 2) await new Promise((resolve) => setTimeout(resolve, 20))
      const b = spawn(process.execPath, [senderScript, server.connectionString, String(smtp.port), 'sender-b'], {
        stdio: 'inherit',
      })
      expect(await aExit).toEqual({ code: null, signal: 'SIGKILL' })
      expect(await exited(b)).toEqual({ code: 0, signal: null })

      const ids = smtp.mails.map((mail) => mail.messageId)
      expect(ids.length).toBe(CUSTOMERS)
      expect(new Set(ids).size).toBe(CUSTOMERS)
      expect(smtp.mails.filter((mail) => mail.client === 'sender-a').length).toBe(5)
      expect(smtp.mails.filter((mail) => mail.client === 'sender-b').length).toBe(CUSTOMERS - 5)
      expect(await store.query('select status, count(*)::int as n from ecrm_messages group by status')).toEqual([
        { status: 'sent', n: CUSTOMERS },
      ])
      expect(await store.query("select count(*)::int as n from ecrm_events where event = 'Message Sent'")).toEqual([
        { n: CUSTOMERS },
      ])
    } finally {
      a?.kill('SIGKILL')
      await smtp.close()
    }
  }, 180_000)
})
