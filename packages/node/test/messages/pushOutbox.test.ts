import { afterEach, describe, expect, it } from 'vitest'
import { defineRule } from '@ecrm/core'
import type { EcrmEvent } from '@ecrm/core'
import { createRuleRunner } from '../../src/rules/ruleRunner.js'
import { createPgliteStore } from '../../src/store/pgliteStore.js'
import { createMessageSender } from '../../src/messages/messageSender.js'
import { createChannels } from '../../src/channels/channelConfig.js'
import { startProviderServer } from '../channels/support/providerServer.js'
import { userAgentKeys } from '../channels/support/pushDecrypt.js'
import webPush from 'web-push'

const cleanups: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

describe('an expired push subscription, end to end', { timeout: 90_000 }, () => {
  it('410 from the push service puts the subscription on the suppression list; the next customer with it is not sent to', async () => {
    const service = await startProviderServer(() => ({ status: 410 }))
    cleanups.push(service.close)
    const store = await createPgliteStore()
    cleanups.push(() => store.close())
    const runner = createRuleRunner({
      store,
      rules: [
        defineRule({ id: 'cart_push', when: 'Signed Up', then: { send: [{ channel: 'push', template: 'cart' }] } }),
      ],
      pollIntervalMs: 0,
      messages: { channels: { push: 'push' }, render: () => ({ subject: 'Cart', text: 'Come back' }) },
    })
    await runner.start()
    cleanups.push(async () => runner.stop())
    const webPushTrait = {
      endpoint: `${service.base}/push/s-1`,
      expirationTime: null,
      keys: userAgentKeys().subscriptionKeys,
    }
    const vapid = webPush.generateVAPIDKeys()
    const { engine } = createMessageSender({
      store,
      channels: createChannels(
        {
          push: {
            type: 'web-push',
            vapid: {
              subject: 'mailto:ops@shop.example',
              publicKey: vapid.publicKey,
              privateKey: { env: 'VAPID_PRIVATE_KEY' },
            },
            allowedHosts: [new URL(service.base).host],
          },
        },
        { VAPID_PRIVATE_KEY: vapid.privateKey },
      ),
    })
    for (const userId of ['u-1', 'u-2']) {
      const { stored } = await store.insertEvents(
        [
          {
            type: 'identify',
            messageId: `id-${userId}`,
            userId,
            traits: { webPush: webPushTrait },
            context: { consent: { categories: { marketing: true } } },
          },
          { type: 'track', messageId: `su-${userId}`, userId, event: 'Signed Up', properties: {} },
        ] as EcrmEvent[],
        { returnStored: true },
      )
      await runner.processEvents(stored ?? [])
      await engine.pass()
    }
    expect(service.requests).toHaveLength(1)
    expect(await store.query('select customer_id, status, reason from ecrm_messages order by customer_id')).toEqual([
      { customer_id: 'u-1', status: 'failed', reason: 'bounce: push channel push: expired_subscription (HTTP 410)' },
      { customer_id: 'u-2', status: 'suppressed', reason: 'suppressed_recipient' },
    ])
    expect(await store.query('select kind, reason from ecrm_suppressions')).toEqual([
      { kind: 'push', reason: 'bounce' },
    ])
  })
})
