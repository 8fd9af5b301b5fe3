import { describe, expect, it } from 'vitest'
import { createChannels } from '../../src/channels/channelConfig.js'
import { KAVENEGAR_KEY, startKavenegarServer } from './support/kavenegarServer.js'
import { message } from './support/messages.js'

describe('createChannels', () => {
  it('creates each configured channel under its name with secrets from the environment', async () => {
    const kavenegar = await startKavenegarServer()
    try {
      const channels = createChannels(
        {
          sms: { type: 'kavenegar', apiKey: { env: 'KAVENEGAR_API_KEY' }, sender: '10004346', baseUrl: kavenegar.base },
          backup: {
            type: 'http-sms',
            url: `${kavenegar.base}/other`,
            headers: { authorization: { env: 'SMS_TOKEN' } },
            body: { to: '{{to}}' },
          },
          email: {
            type: 'smtp',
            host: '127.0.0.1',
            from: 'Shop <news@shop.example>',
            auth: { user: 'news', pass: { env: 'SMTP_PASSWORD' } },
          },
        },
        { KAVENEGAR_API_KEY: KAVENEGAR_KEY, SMS_TOKEN: 'Bearer t', SMTP_PASSWORD: 'p' },
      )
      expect(Object.values(channels).map((channel) => [channel.name, channel.kind])).toEqual([
        ['sms', 'sms'],
        ['backup', 'sms'],
        ['email', 'email'],
      ])
      expect(
        (await channels['sms']?.send(message({ channel: 'sms', kind: 'sms', recipient: '+989123456789' })))?.status,
      ).toBe('delivered')
      expect(kavenegar.requests[0]?.path).toBe(`/v1/${KAVENEGAR_KEY}/sms/send.json`)
      await channels['backup']?.send(message({ recipient: '+989123456789' }))
      expect(kavenegar.requests[1]?.headers.authorization).toBe('Bearer t')
      await channels['email']?.close?.()
    } finally {
      await kavenegar.close()
    }
  })

  it('names a missing environment variable and a bad option by path', () => {
    expect(() =>
      createChannels(
        {
          sms: {
            type: 'twilio',
            accountSid: `AC${'0'.repeat(32)}`,
            authToken: { env: 'TWILIO_AUTH_TOKEN' },
            from: '+15005550006',
          },
        },
        {},
      ),
    ).toThrow(/channels\.sms\.authToken.*environment variable TWILIO_AUTH_TOKEN is not set/)
    expect(() => createChannels({ sms: { type: 'kavenegar', apiKey: 'plain-text-key' } } as never, {})).toThrow(
      /channels\.sms\.apiKey/,
    )
    expect(() => createChannels({ sms: { type: 'carrier-pigeon' } } as never, {})).toThrow(/channels\.sms\.type/)
  })
})

describe('docs/messages.md "Channels in config"', () => {
  it('builds the documented example as written, and refuses it without its secrets', async () => {
    const { readFileSync } = await import('node:fs')
    const markdown = readFileSync(new URL('../../../../docs/messages.md', import.meta.url), 'utf8')
    const section = markdown.slice(markdown.indexOf('## Channels in config'))
    const json = /```json\n([\s\S]*?)```/.exec(section)?.[1] ?? ''
    const { channels: config } = JSON.parse(json) as { channels: Parameters<typeof createChannels>[0] }
    const channels = createChannels(config, { KAVENEGAR_API_KEY: 'k', TWILIO_AUTH_TOKEN: 't', SMTP_PASSWORD: 'p' })
    expect(Object.values(channels).map((channel) => [channel.name, channel.kind])).toEqual([
      ['sms', 'sms'],
      ['sms-intl', 'sms'],
      ['email', 'email'],
    ])
    await channels['email']?.close?.()
    expect(() => createChannels(config, { TWILIO_AUTH_TOKEN: 't' })).toThrow(
      /channels\.sms\.apiKey \(environment variable KAVENEGAR_API_KEY is not set\).*channels\.email\.auth\.pass/s,
    )
  })
})
