import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { customerProfileSchema, messageEventNames, messageEventProperties } from '@ecrm/core'
import type { EcrmEvent } from '@ecrm/core'
import { createIngestHandler } from '../../src/ingest/ingestHandler.js'
import { createPgliteStore } from '../../src/store/pgliteStore.js'
import type { Store } from '../../src/store/storeTypes.js'

const SECRET = 'sk_message_profile_0123456789'
const T0 = Date.UTC(2026, 2, 1, 10)
const DAY = 86_400_000
let sequence = 0

function track(
  who: { userId?: string; anonymousId?: string },
  event: string,
  at: number,
  properties: Record<string, unknown> = {},
): EcrmEvent {
  sequence += 1
  return {
    type: 'track',
    messageId: `mp-${sequence}`,
    event,
    properties,
    timestamp: new Date(at).toISOString(),
    ...who,
  } as EcrmEvent
}

const message = {
  id: 'firing-1:0',
  channel: 'newsletter',
  kind: 'email',
  ruleId: 'win_back',
  campaign: 'spring',
} as const

describe('the messages summary of a stored profile', () => {
  let store: Store
  let handler: (request: Request) => Promise<Response>
  beforeAll(async () => {
    store = await createPgliteStore()
    handler = createIngestHandler({ store, writeKeys: ['wk'], secretKeys: [SECRET] })
  }, 120_000)
  afterAll(async () => {
    await store?.close()
  })

  const post = async (batch: EcrmEvent[]): Promise<void> => {
    const response = await handler(
      new Request('http://collect.test/v1/batch', {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${SECRET}` },
        body: JSON.stringify({ batch }),
      }),
    )
    expect(await response.clone().json()).toMatchObject({ rejected: [] })
    expect(response.status).toBe(200)
  }

  it('counts lifecycle events without moving lastSeenAt, sessions, activity or day buckets', async () => {
    const who = { userId: 'mp-ada' }
    await post([track(who, 'Product Viewed', T0, { product_id: 'p1' })])
    const before = await store.getProfile('mp-ada')
    const properties = messageEventProperties(message)
    await post([
      track(who, messageEventNames.sent, T0 + 12 * DAY, properties),
      track(who, messageEventNames.delivered, T0 + 12 * DAY + 1_000, properties),
      track(who, messageEventNames.sent, T0 + 13 * DAY, {
        ...properties,
        message_id: 'firing-2:0',
        kind: 'sms',
        channel: 'sms',
      }),
      track(who, messageEventNames.bounced, T0 + 13 * DAY + 1_000, {
        ...properties,
        message_id: 'firing-2:0',
        kind: 'sms',
        channel: 'sms',
      }),
      track(who, messageEventNames.suppressed, T0 + 14 * DAY, properties),
    ])
    const after = await store.getProfile('mp-ada')
    expect(after?.lastSeenAt).toBe(before?.lastSeenAt)
    expect(after?.firstSeenAt).toBe(before?.firstSeenAt)
    expect(after?.sessions).toEqual(before?.sessions)
    expect(after?.activity).toEqual(before?.activity)
    expect(after?.events).toEqual(before?.events)
    expect(after?.messages?.['email']).toMatchObject({
      sent: 1,
      delivered: 1,
      suppressed: 1,
      opened: 0,
      lastSentAt: T0 + 12 * DAY,
    })
    expect(after?.messages?.['sms']).toMatchObject({ sent: 1, bounced: 1, lastSentAt: T0 + 13 * DAY })
    // "Inactive for 10 days" still sees the customer's last visit, not the messages.
    expect(await store.segment({ '>': [{ days_since: { var: 'lastSeenAt' } }, 10] }, { now: T0 + 15 * DAY })).toContain(
      after?.id,
    )
    expect(customerProfileSchema.parse(after)).toEqual(after)
  })

  it('counts opens and clicks as engagement too', async () => {
    const who = { userId: 'mp-bob' }
    await post([track(who, 'Product Viewed', T0, { product_id: 'p1' })])
    await post([
      track(who, messageEventNames.opened, T0 + 3 * DAY, { ...messageEventProperties(message), email_id: message.id }),
      track(who, messageEventNames.clicked, T0 + 3 * DAY + 5_000, {
        ...messageEventProperties(message),
        email_id: message.id,
        url: 'https://shop.example/spring',
      }),
    ])
    const profile = await store.getProfile('mp-bob')
    expect(profile?.lastSeenAt).toBe(T0 + 3 * DAY + 5_000)
    expect(profile?.events.totals['Email Opened']).toBe(1)
    expect(profile?.messages?.['email']).toMatchObject({
      opened: 1,
      clicked: 1,
      lastOpenedAt: T0 + 3 * DAY,
      lastClickedAt: T0 + 3 * DAY + 5_000,
    })
  })

  it('adds up both summaries when an identify merges two customers', async () => {
    await post([track({ anonymousId: 'mp-device' }, messageEventNames.sent, T0, messageEventProperties(message))])
    await post([
      track({ userId: 'mp-cy' }, messageEventNames.sent, T0 + DAY, {
        ...messageEventProperties(message),
        message_id: 'firing-3:0',
      }),
    ])
    await post([
      {
        type: 'identify',
        messageId: 'mp-merge',
        userId: 'mp-cy',
        anonymousId: 'mp-device',
        traits: {},
        timestamp: new Date(T0 + 2 * DAY).toISOString(),
      } as EcrmEvent,
    ])
    const profile = await store.getProfile('mp-cy')
    expect(profile?.identities.anonymousIds).toContain('mp-device')
    expect(profile?.messages?.['email']).toMatchObject({ sent: 2, lastSentAt: T0 + DAY })
  })
})
