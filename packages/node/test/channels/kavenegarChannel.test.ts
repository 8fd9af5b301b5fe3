import { afterEach, describe, expect, it } from 'vitest'
import { createKavenegarChannel, classifyKavenegarStatus } from '../../src/channels/kavenegarChannel.js'
import { KAVENEGAR_KEY, startKavenegarServer } from './support/kavenegarServer.js'
import { message } from './support/messages.js'

const cleanups: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup()
})

const sms = message({
  channel: 'sms',
  kind: 'sms',
  recipient: '+989123456789',
  content: { text: 'سلام سارا، کد تخفیف شما: WB-42' },
})

async function server(override?: Parameters<typeof startKavenegarServer>[0]) {
  const started = await startKavenegarServer(override)
  cleanups.push(started.close)
  return started
}

describe('createKavenegarChannel against a local Kavenegar (documented REST API)', () => {
  it('POSTs receptor, sender, message and localid (the message id) as a form to /v1/{API-KEY}/sms/send.json and reports the messageid', async () => {
    const kavenegar = await server()
    const channel = createKavenegarChannel({ apiKey: KAVENEGAR_KEY, sender: '10004346', baseUrl: kavenegar.base })
    expect(await channel.send(sms)).toEqual({ status: 'delivered', providerId: '8792343' })
    const [request] = kavenegar.requests
    expect(request?.method).toBe('POST')
    expect(request?.path).toBe(`/v1/${KAVENEGAR_KEY}/sms/send.json`)
    expect(request?.headers['content-type']).toMatch(/^application\/x-www-form-urlencoded/)
    expect(Object.fromEntries(new URLSearchParams(request?.body))).toEqual({
      receptor: '09123456789',
      sender: '10004346',
      message: 'سلام سارا، کد تخفیف شما: WB-42',
      localid: sms.id,
    })
  })

  it('a send repeated (the sender retrying after a lost reply) carries the same localid, so Kavenegar texts once and both sends name one messageid', async () => {
    const kavenegar = await server()
    const channel = createKavenegarChannel({ apiKey: KAVENEGAR_KEY, baseUrl: kavenegar.base })
    const first = await channel.send(sms)
    const again = await channel.send(sms)
    expect(again).toEqual(first)
    expect(kavenegar.requests.map((request) => new URLSearchParams(request.body).get('localid'))).toEqual([
      sms.id,
      sms.id,
    ])
    expect(kavenegar.texted).toHaveLength(1)
  })

  it('sends a non-Iranian number with the 00 prefix, and a template through verify/lookup.json', async () => {
    const kavenegar = await server()
    const channel = createKavenegarChannel({
      apiKey: KAVENEGAR_KEY,
      baseUrl: kavenegar.base,
      lookup: { template: 'winback' },
    })
    expect((await channel.send({ ...sms, recipient: '+447700900123', content: { text: 'WB-42' } })).status).toBe(
      'delivered',
    )
    expect(kavenegar.requests[0]?.path).toBe(`/v1/${KAVENEGAR_KEY}/verify/lookup.json`)
    expect(Object.fromEntries(new URLSearchParams(kavenegar.requests[0]?.body))).toEqual({
      receptor: '00447700900123',
      template: 'winback',
      token: 'WB-42',
    })
  })

  it('fails an invalid receptor (411) for good, and retries a wrong API key (403) rather than blaming the customer', async () => {
    const kavenegar = await server()
    const good = createKavenegarChannel({ apiKey: KAVENEGAR_KEY, baseUrl: kavenegar.base })
    expect(await good.send({ ...sms, recipient: '+98912' })).toEqual({
      status: 'failed',
      failure: 'invalid_recipient',
      reason: 'sms channel sms: Kavenegar 411: دریافت کننده نامعتبر است',
    })
    const wrongKey = createKavenegarChannel({ apiKey: 'not-the-key', baseUrl: kavenegar.base })
    expect(await wrongKey.send(sms)).toMatchObject({
      status: 'retry',
      reason: expect.stringMatching(/Kavenegar 403: .*check the channel's account and apiKey/),
    })
  })

  it('retries 418 (no credit), 409 (server busy), a 502 proxy page and a refused connection; honours Retry-After on 429', async () => {
    const answers = [
      { status: 418, body: { return: { status: 418, message: 'اعتبار حساب شما کافی نیست' }, entries: null } },
      {
        status: 409,
        body: { return: { status: 409, message: 'سرور قادر به پاسخگوئی نیست بعدا تلاش کنید' }, entries: null },
      },
      { status: 502, body: '<html>Bad Gateway</html>' },
      { status: 429, headers: { 'retry-after': '7' }, body: '' },
    ]
    const kavenegar = await server(() => answers.shift())
    const channel = createKavenegarChannel({ apiKey: KAVENEGAR_KEY, baseUrl: kavenegar.base })
    expect(await channel.send(sms)).toMatchObject({ status: 'retry', reason: expect.stringContaining('Kavenegar 418') })
    expect(await channel.send(sms)).toMatchObject({ status: 'retry', reason: expect.stringContaining('Kavenegar 409') })
    expect(await channel.send(sms)).toMatchObject({ status: 'retry', reason: expect.stringContaining('HTTP 502') })
    expect(await channel.send(sms)).toMatchObject({ status: 'retry', retryAfterMs: 7000 })
    const closed = await startKavenegarServer()
    await closed.close()
    const unreachable = createKavenegarChannel({ apiKey: KAVENEGAR_KEY, baseUrl: closed.base })
    expect(await unreachable.send(sms)).toMatchObject({
      status: 'retry',
      reason: expect.stringContaining('ECONNREFUSED'),
    })
  })

  it('maps every documented return.status', () => {
    const kinds = (codes: number[]) =>
      codes.map((code) => {
        const o = classifyKavenegarStatus(code, '')
        return o.status === 'failed' ? o.failure : o.status
      })
    expect(kinds([411])).toEqual(['invalid_recipient'])
    expect(kinds([401, 402, 403, 404, 405, 407, 409, 416, 418, 426])).toEqual(Array(10).fill('retry'))
    expect(kinds([400, 406, 412, 413, 414, 415, 417, 419, 422, 424, 428, 431, 432, 607])).toEqual(
      Array(14).fill('rejected'),
    )
  })

  it('names the bad option', () => {
    expect(() => createKavenegarChannel({ apiKey: '', sender: 'abc' } as never)).toThrow(
      /createKavenegarChannel\(\) options.*apiKey.*sender/s,
    )
  })
})
