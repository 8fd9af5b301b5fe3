import { afterEach, describe, expect, it } from 'vitest'
import { createHttpSmsChannel } from '../../src/channels/httpSmsChannel.js'
import { startProviderServer } from './support/providerServer.js'
import type { ProviderAnswer } from './support/providerServer.js'
import { message } from './support/messages.js'

const cleanups: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup()
})

const sms = message({ channel: 'sms', kind: 'sms', recipient: '+989123456789', content: { text: 'Hi "Sara" & co' } })

async function server(answers: ProviderAnswer[] = []) {
  const started = await startProviderServer(() => answers.shift() ?? { status: 202, body: { queued: true } })
  cleanups.push(started.close)
  return started
}

describe('createHttpSmsChannel against a local HTTP server', () => {
  it('POSTs the JSON body template filled with to, text and id, with the configured headers', async () => {
    const provider = await server()
    const channel = createHttpSmsChannel({
      url: `${provider.base}/send`,
      headers: { authorization: 'Bearer s3cret' },
      body: { to: '{{to}}', message: { text: '{{ text }}', ref: 'ecrm-{{id}}' }, flash: false, keep: '{{other}}' },
    })
    expect(await channel.send(sms)).toEqual({ status: 'delivered' })
    const [request] = provider.requests
    expect([request?.method, request?.path, request?.headers.authorization, request?.headers['content-type']]).toEqual([
      'POST',
      '/send',
      'Bearer s3cret',
      'application/json',
    ])
    expect(JSON.parse(request?.body ?? '')).toEqual({
      to: '+989123456789',
      message: { text: 'Hi "Sara" & co', ref: 'ecrm-firing-1:0' },
      flash: false,
      keep: '{{other}}',
    })
  })

  it('sends a form, or query parameters for GET', async () => {
    const provider = await server()
    await createHttpSmsChannel({
      url: `${provider.base}/f`,
      format: 'form',
      body: { to: '{{to}}', text: '{{text}}' },
    }).send(sms)
    await createHttpSmsChannel({
      url: `${provider.base}/g?user=shop`,
      method: 'GET',
      body: { to: '{{to}}', text: '{{text}}' },
    }).send(sms)
    expect(Object.fromEntries(new URLSearchParams(provider.requests[0]?.body))).toEqual({
      to: '+989123456789',
      text: 'Hi "Sara" & co',
    })
    expect(provider.requests[0]?.headers['content-type']).toBe('application/x-www-form-urlencoded')
    const query = new URL(provider.requests[1]?.path ?? '', provider.base)
    expect([provider.requests[1]?.method, query.pathname, Object.fromEntries(query.searchParams)]).toEqual([
      'GET',
      '/g',
      { user: 'shop', to: '+989123456789', text: 'Hi "Sara" & co' },
    ])
  })

  it('retries 429 (Retry-After) and 5xx, fails other 4xx for good', async () => {
    const provider = await server([
      { status: 429, headers: { 'retry-after': '3' } },
      { status: 500, body: 'oops' },
      { status: 400, body: { error: 'bad number' } },
    ])
    const channel = createHttpSmsChannel({ url: provider.base, body: { to: '{{to}}' } })
    expect(await channel.send(sms)).toMatchObject({ status: 'retry', retryAfterMs: 3000 })
    expect(await channel.send(sms)).toMatchObject({ status: 'retry', reason: 'sms channel sms: HTTP 500: oops' })
    expect(await channel.send(sms)).toEqual({
      status: 'failed',
      failure: 'rejected',
      reason: 'sms channel sms: HTTP 400: {"error":"bad number"}',
    })
  })

  it('names bad options', () => {
    expect(() => createHttpSmsChannel({ url: 'ftp://x', body: {} })).toThrow(/url/)
  })
})
