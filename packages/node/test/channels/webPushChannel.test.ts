import { afterEach, describe, expect, it } from 'vitest'
import webPush from 'web-push'
import { createWebPushChannel, isAllowedPushEndpoint } from '../../src/channels/webPushChannel.js'
import { startProviderServer } from './support/providerServer.js'
import type { ProviderAnswer } from './support/providerServer.js'
import { decryptAes128gcm, userAgentKeys, verifyVapid } from './support/pushDecrypt.js'
import { message } from './support/messages.js'

const cleanups: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup()
})

const vapidKeys = webPush.generateVAPIDKeys()
const vapid = { subject: 'mailto:ops@shop.example', publicKey: vapidKeys.publicKey, privateKey: vapidKeys.privateKey }

async function pushService(answers: ProviderAnswer[] = []) {
  const service = await startProviderServer(
    () => answers.shift() ?? { status: 201, headers: { location: '/m/abc123' } },
  )
  cleanups.push(service.close)
  const keys = userAgentKeys()
  const recipient = JSON.stringify({
    endpoint: `${service.base}/push/sub-1`,
    expirationTime: null,
    keys: keys.subscriptionKeys,
  })
  const channel = createWebPushChannel({ vapid, allowedHosts: [new URL(service.base).host] })
  return {
    service,
    keys,
    channel,
    push: message({
      channel: 'push',
      kind: 'push',
      recipient,
      content: { subject: 'Your cart', text: 'سبد خرید شما منتظر است', url: 'https://shop.example/cart' },
    }),
  }
}

describe('createWebPushChannel to a local push endpoint', () => {
  it('POSTs an aes128gcm body the subscriber can decrypt (RFC 8291) with a valid VAPID JWT (RFC 8292)', async () => {
    const { service, keys, channel, push } = await pushService()
    expect(await channel.send(push)).toEqual({ status: 'delivered', providerId: '/m/abc123' })
    const [request] = service.requests
    expect([request?.method, request?.path, request?.headers['content-encoding'], request?.headers.ttl]).toEqual([
      'POST',
      '/push/sub-1',
      'aes128gcm',
      '86400',
    ])
    expect(JSON.parse(decryptAes128gcm(request?.raw ?? Buffer.alloc(0), keys))).toEqual({
      title: 'Your cart',
      body: 'سبد خرید شما منتظر است',
      url: 'https://shop.example/cart',
      id: 'firing-1:0',
    })
    const { claims, k } = verifyVapid(request?.headers.authorization)
    expect(k).toBe(vapid.publicKey)
    expect(claims.aud).toBe(service.base)
    expect(claims.sub).toBe('mailto:ops@shop.example')
    expect(claims.exp * 1000).toBeGreaterThan(Date.now())
  })

  it('a wrong subscriber key cannot decrypt it', async () => {
    const { service, channel, push } = await pushService()
    await channel.send(push)
    expect(() => decryptAes128gcm(service.requests[0]?.raw ?? Buffer.alloc(0), userAgentKeys())).toThrow()
  })

  it('410 and 404 fail as bounce expired_subscription (the sender suppresses it); 429 retries after Retry-After; 500 retries', async () => {
    const { channel, push } = await pushService([
      { status: 410 },
      { status: 404 },
      { status: 429, headers: { 'retry-after': '30' } },
      { status: 500 },
      { status: 400, body: 'bad' },
    ])
    expect(await channel.send(push)).toEqual({
      status: 'failed',
      failure: 'bounce',
      reason: 'push channel push: expired_subscription (HTTP 410)',
    })
    expect(await channel.send(push)).toMatchObject({ status: 'failed', failure: 'bounce' })
    expect(await channel.send(push)).toMatchObject({ status: 'retry', retryAfterMs: 30_000 })
    expect(await channel.send(push)).toMatchObject({ status: 'retry' })
    expect(await channel.send(push)).toMatchObject({ status: 'failed', failure: 'rejected' })
  })

  it('never POSTs to an endpoint outside the allowlist (a forged webPush trait)', async () => {
    const { service, push } = await pushService()
    const strict = createWebPushChannel({ vapid })
    expect(await strict.send(push)).toMatchObject({
      status: 'failed',
      failure: 'rejected',
      reason: expect.stringContaining('not a known push service'),
    })
    expect(await strict.send({ ...push, recipient: '{"endpoint":"x"}' })).toMatchObject({
      status: 'failed',
      failure: 'invalid_recipient',
    })
    expect(service.requests).toHaveLength(0)
    expect(isAllowedPushEndpoint('https://fcm.googleapis.com/fcm/send/abc', [])).toBe(true)
    expect(isAllowedPushEndpoint('https://updates.push.services.mozilla.com/wpush/v2/x', [])).toBe(true)
    expect(isAllowedPushEndpoint('https://fcm.googleapis.com.evil.example/x', [])).toBe(false)
    expect(isAllowedPushEndpoint('http://fcm.googleapis.com/x', [])).toBe(false)
    expect(isAllowedPushEndpoint('https://169.254.169.254/latest', [])).toBe(false)
  })
})
