import { generateKeyPairSync } from 'node:crypto'
import { createServer } from 'node:net'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createSmtpChannel, smtpMessageId } from '../../src/channels/smtpChannel.js'
import { verifyDkim } from './support/dkimVerify.js'
import { message } from './support/messages.js'
import { startSmtpServer } from './support/smtpTestServer.js'
import type { SmtpTestServer } from './support/smtpTestServer.js'

let server: SmtpTestServer
beforeAll(async () => {
  server = await startSmtpServer()
})
afterAll(() => server.close())

const channelOptions = () => ({
  host: '127.0.0.1',
  port: server.port,
  auth: { user: 'shop', pass: 'secret-password' },
  from: 'Shop <news@shop.example>',
  allowSelfSignedCertificate: true,
})

const unsubscribe = {
  'List-Unsubscribe':
    '<https://collect.shop.example/v1/m/u/token-1>, <mailto:unsubscribe@shop.example?subject=unsubscribe>',
  'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
}

describe('createSmtpChannel', () => {
  it('sends the HTML and text parts, the Message-ID and the unsubscribe headers through a real SMTP server', async () => {
    const channel = createSmtpChannel(channelOptions())
    const outcome = await channel.send(message({ headers: unsubscribe }))
    await channel.close?.()
    expect(outcome).toEqual({ status: 'delivered', providerId: '<firing-1%3A0@shop.example>' })
    const mail = server.mails.at(-1)
    expect(mail?.to).toEqual(['sara@shop.example'])
    expect(mail?.from).toBe('news@shop.example')
    const parsed = mail!.parsed
    expect(parsed.subject).toBe('Welcome')
    expect(parsed.text?.trim()).toBe('Hello Sara')
    expect(parsed.html).toBe('<p>Hello <b>Sara</b></p>')
    expect(parsed.messageId).toBe('<firing-1%3A0@shop.example>')
    expect(parsed.date?.getTime()).toBe(Date.UTC(2026, 11, 7, 8, 0, 0))
    // mailparser folds List-* headers into one `list` object; read the one-click header from the MIME.
    expect(mail!.raw).toMatch(/^List-Unsubscribe-Post: List-Unsubscribe=One-Click\r$/m)
    expect(parsed.headers.get('list')).toMatchObject({
      unsubscribe: { url: 'https://collect.shop.example/v1/m/u/token-1' },
    })
    // Unfolded (RFC 5322 §2.2.3): a long header may be wrapped over lines.
    expect(mail!.raw.replace(/\r\n[ \t]+/g, ' ')).toMatch(
      /^List-Unsubscribe: <https:\/\/collect\.shop\.example\/v1\/m\/u\/token-1>, <mailto:unsubscribe@shop\.example\?subject=unsubscribe>\r$/m,
    )
    expect(mail!.raw).toMatch(/^Content-Type: multipart\/alternative;/m)
  })

  it('keeps Persian (UTF-8) subject, text and HTML intact', async () => {
    const channel = createSmtpChannel(channelOptions())
    const html =
      '<html dir="rtl" lang="fa"><body><p>سارا جان، سبد خرید شما منتظر است. کد تخفیف: <b>۱۲۳۴</b></p></body></html>'
    const outcome = await channel.send(
      message({
        id: 'firing-2:0',
        locale: 'fa-IR',
        content: {
          subject: 'سبد خرید شما ۲۰٪ تخفیف دارد',
          text: 'سارا جان، سبد خرید شما منتظر است. کد تخفیف: ۱۲۳۴',
          html,
        },
      }),
    )
    await channel.close?.()
    expect(outcome.status).toBe('delivered')
    const parsed = server.mails.at(-1)!.parsed
    expect(parsed.subject).toBe('سبد خرید شما ۲۰٪ تخفیف دارد')
    expect(parsed.text?.trim()).toBe('سارا جان، سبد خرید شما منتظر است. کد تخفیف: ۱۲۳۴')
    expect(parsed.html).toBe(html)
    // Non-ASCII headers travel as RFC 2047 encoded words, never raw 8-bit.
    expect(server.mails.at(-1)!.raw).toMatch(/^Subject: =\?UTF-8\?[BQ]\?/m)
  })

  it('fails a recipient the server refuses with 550 for good, without retrying', async () => {
    const channel = createSmtpChannel(channelOptions())
    const before = server.mails.length
    const outcome = await channel.send(message({ recipient: 'nobody@unknown.example' }))
    await channel.close?.()
    expect(outcome).toMatchObject({ status: 'failed', failure: 'invalid_recipient' })
    expect(outcome.status === 'failed' && outcome.reason).toMatch(/^email channel email: SMTP RCPT TO: 550 5\.1\.1 /)
    expect(server.mails.length).toBe(before)
  })

  it('retries a 4xx reply (greylisting)', async () => {
    const channel = createSmtpChannel(channelOptions())
    const outcome = await channel.send(message({ recipient: 'later@greylist.example' }))
    await channel.close?.()
    expect(outcome).toMatchObject({ status: 'retry', reason: expect.stringMatching(/451 4\.7\.1 Greylisted/) })
  })

  it('retries when the server is down, and when it never answers', async () => {
    // A port nothing listens on: bind, read the port, close.
    const probe = createServer()
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', () => resolve()))
    const downPort = (probe.address() as AddressInfo).port
    await new Promise<void>((resolve) => probe.close(() => resolve()))
    const down = createSmtpChannel({ ...channelOptions(), port: downPort })
    expect(await down.send(message())).toMatchObject({ status: 'retry', reason: expect.stringMatching(/ECONNREFUSED/) })
    await down.close?.()

    // A server that accepts the connection and never greets: the greeting timeout must fire.
    const silent = createServer(() => {})
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', () => resolve()))
    const mute = createSmtpChannel({
      ...channelOptions(),
      port: (silent.address() as AddressInfo).port,
      timeoutMs: 300,
    })
    expect(await mute.send(message())).toMatchObject({
      status: 'retry',
      reason: expect.stringMatching(/[Gg]reeting never received|[Tt]imeout/),
    })
    await mute.close?.()
    silent.close()
  })

  it('retries (and does not fail the recipient) when the login is refused', async () => {
    const channel = createSmtpChannel({ ...channelOptions(), auth: { user: 'shop', pass: 'wrong-password' } })
    const outcome = await channel.send(message())
    await channel.close?.()
    expect(outcome).toMatchObject({ status: 'retry', reason: expect.stringMatching(/535.*check the channel's auth/) })
  })

  it('pools connections: ten mails over at most two connections', async () => {
    const channel = createSmtpChannel({ ...channelOptions(), pool: { maxConnections: 2 } })
    const before = server.connections()
    const outcomes = await Promise.all(
      Array.from({ length: 10 }, (_, index) => channel.send(message({ id: `pool:${index}` }))),
    )
    await channel.close?.()
    expect(outcomes.every((outcome) => outcome.status === 'delivered')).toBe(true)
    expect(server.connections() - before).toBeLessThanOrEqual(2)
    expect(server.mails.filter((mail) => mail.parsed.messageId?.startsWith('<pool%3A')).length).toBe(10)
  })

  it('signs with DKIM, covering List-Unsubscribe and List-Unsubscribe-Post (RFC 8058 §4)', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
    const channel = createSmtpChannel({
      ...channelOptions(),
      dkim: {
        domainName: 'shop.example',
        keySelector: 'ecrm',
        privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      },
    })
    expect(
      (
        await channel.send(
          message({
            id: 'dkim:0',
            headers: unsubscribe,
            content: { subject: 'Tschüss سلام', text: 'Hi  there \nline two', html: '<p>Hi</p>' },
          }),
        )
      ).status,
    ).toBe('delivered')
    await channel.close?.()
    const raw = server.mails.at(-1)!.raw
    const checked = verifyDkim(raw, publicKey.export({ type: 'spki', format: 'pem' }).toString())
    expect(checked.domain).toBe('shop.example')
    expect(checked.selector).toBe('ecrm')
    expect(checked.signedHeaders.map((name) => name.toLowerCase())).toEqual(
      expect.arrayContaining(['from', 'subject', 'message-id', 'list-unsubscribe', 'list-unsubscribe-post']),
    )
    // The check can fail: one changed byte in the body breaks it.
    expect(() =>
      verifyDkim(raw.replace('line two', 'line 2'), publicKey.export({ type: 'spki', format: 'pem' }).toString()),
    ).toThrow(/body hash/)
  })

  it('refuses bad options naming the option', () => {
    expect(() => createSmtpChannel({ ...channelOptions(), port: 0 })).toThrow(/createSmtpChannel\(\) options: port/)
    expect(() => createSmtpChannel({ host: '127.0.0.1', from: '' } as never)).toThrow(/from/)
  })
})

describe('smtpMessageId', () => {
  it('is stable and RFC 5322 safe for any message id', () => {
    expect(smtpMessageId('f-1:0', 'shop.example')).toBe('<f-1%3A0@shop.example>')
    expect(smtpMessageId('سلام', 'shop.example')).toMatch(/^<(%[0-9A-F]{2})+@shop\.example>$/)
  })
})
