import { afterEach, describe, expect, it } from 'vitest'
import { defineRule } from '@ecrm/core'
import type { EcrmEvent } from '@ecrm/core'
import { createRuleRunner } from '../../src/rules/ruleRunner.js'
import { createPgliteStore } from '../../src/store/pgliteStore.js'
import { createMessageSender } from '../../src/messages/messageSender.js'
import { createChannels } from '../../src/channels/channelConfig.js'
import { KAVENEGAR_KEY, startKavenegarServer } from '../channels/support/kavenegarServer.js'

const cleanups: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

describe('an SMS from a rule, end to end (PGlite → rule runner → outbox → sender → Kavenegar)', {
  timeout: 60_000,
}, () => {
  it('texts the phone the customer identified with, in the documented Kavenegar request, and records it sent', async () => {
    const kavenegar = await startKavenegarServer()
    cleanups.push(kavenegar.close)
    const store = await createPgliteStore()
    cleanups.push(() => store.close())
    const rule = defineRule({
      id: 'welcome_sms',
      when: 'Signed Up',
      then: { send: [{ channel: 'sms', template: 'welcome' }] },
    })
    const runner = createRuleRunner({
      store,
      rules: [rule],
      pollIntervalMs: 0,
      messages: {
        channels: { sms: 'sms' },
        render: ({ profile }) => ({ text: `خوش آمدید ${String(profile.traits['name'])}` }),
      },
    })
    await runner.start()
    cleanups.push(async () => runner.stop())
    const events = [
      {
        type: 'identify',
        messageId: 'id-1',
        userId: 'u-1',
        traits: { name: 'Sara', phone: '+98 912 345 6789' },
        context: { consent: { categories: { 'marketing.sms': true } } },
      },
      { type: 'track', messageId: 'su-1', userId: 'u-1', event: 'Signed Up', properties: {} },
    ] as EcrmEvent[]
    const { stored } = await store.insertEvents(events, { returnStored: true })
    const [firing] = await runner.processEvents(stored ?? [])
    const channels = createChannels(
      { sms: { type: 'kavenegar', apiKey: { env: 'KAVENEGAR_API_KEY' }, sender: '10004346', baseUrl: kavenegar.base } },
      { KAVENEGAR_API_KEY: KAVENEGAR_KEY },
    )
    const { engine } = createMessageSender({ store, channels })
    expect((await engine.pass()).sent).toBe(1)
    expect(
      kavenegar.requests.map((request) => [
        request.method,
        request.path,
        Object.fromEntries(new URLSearchParams(request.body)),
      ]),
    ).toEqual([
      [
        'POST',
        `/v1/${KAVENEGAR_KEY}/sms/send.json`,
        { receptor: '09123456789', sender: '10004346', message: 'خوش آمدید Sara', localid: `${firing?.id}:0` },
      ],
    ])
    expect(await store.query('select message_id, recipient, status, provider_id from ecrm_messages')).toEqual([
      { message_id: `${firing?.id}:0`, recipient: '+989123456789', status: 'sent', provider_id: '8792343' },
    ])
  })

  it('an invalid number fails for good (411) without a retry storm', async () => {
    const kavenegar = await startKavenegarServer((_, form) =>
      form.get('receptor') === '09123456789'
        ? { status: 411, body: { return: { status: 411, message: 'دریافت کننده نامعتبر است' }, entries: null } }
        : undefined,
    )
    cleanups.push(kavenegar.close)
    const store = await createPgliteStore()
    cleanups.push(() => store.close())
    const runner = createRuleRunner({
      store,
      rules: [defineRule({ id: 'r', when: 'Signed Up', then: { send: [{ channel: 'sms', template: 't' }] } })],
      pollIntervalMs: 0,
      messages: { channels: { sms: 'sms' }, render: () => ({ text: 'hi' }) },
    })
    await runner.start()
    cleanups.push(async () => runner.stop())
    const { stored } = await store.insertEvents(
      [
        {
          type: 'identify',
          messageId: 'id-1',
          userId: 'u-1',
          traits: { phone: '+989123456789' },
          context: { consent: { categories: { marketing: true } } },
        },
        { type: 'track', messageId: 'su-1', userId: 'u-1', event: 'Signed Up', properties: {} },
      ] as EcrmEvent[],
      { returnStored: true },
    )
    await runner.processEvents(stored ?? [])
    const { engine } = createMessageSender({
      store,
      channels: createChannels(
        { sms: { type: 'kavenegar', apiKey: { env: 'K' }, baseUrl: kavenegar.base } },
        { K: KAVENEGAR_KEY },
      ),
    })
    await engine.pass()
    await engine.pass()
    expect(kavenegar.requests).toHaveLength(1)
    expect(await store.query('select status, reason from ecrm_messages')).toEqual([
      { status: 'failed', reason: expect.stringContaining('invalid_recipient: sms channel sms: Kavenegar 411') },
    ])
  })
})
