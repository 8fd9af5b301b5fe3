import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { messageEventNames, messageEventProperties } from '@ecrm/core'
import type { EcrmEvent } from '@ecrm/core'
import { messageStats } from '../../src/messages/messageStats.js'
import type { Store } from '../../src/store/storeTypes.js'

const T0 = Date.UTC(2026, 2, 1, 9)
const DAY = 86_400_000
let sequence = 0

function track(userId: string, event: string, at: number, properties: Record<string, unknown>): EcrmEvent {
  sequence += 1
  return {
    type: 'track',
    messageId: `ms-${sequence}`,
    userId,
    event,
    properties,
    timestamp: new Date(at).toISOString(),
  } as EcrmEvent
}

const email = (id: string, ruleId = 'win_back') =>
  messageEventProperties({ id, channel: 'newsletter', kind: 'email', ruleId, campaign: 'spring' })

/** The same stats, asked of any store: memory of what happened, counted by the database. */
export function runMessageStatsContract(
  name: string,
  open: () => Promise<{ store: Store; cleanup?: () => Promise<void> }>,
): void {
  describe(`messageStats (${name})`, () => {
    let store: Store
    let cleanup: (() => Promise<void>) | undefined
    beforeAll(async () => {
      ;({ store, cleanup } = await open())
      await store.insertEvents([
        // Ada: sent, delivered, opened twice, clicked, then orders 40 EUR two days later (converted).
        track('ada', 'Product Viewed', T0 - DAY, { product_id: 'p1' }),
        track('ada', messageEventNames.sent, T0, email('m-ada')),
        track('ada', messageEventNames.delivered, T0 + 60_000, email('m-ada')),
        track('ada', messageEventNames.opened, T0 + 3_600_000, { ...email('m-ada'), email_id: 'm-ada' }),
        track('ada', messageEventNames.opened, T0 + 7_200_000, { ...email('m-ada'), email_id: 'm-ada' }),
        track('ada', messageEventNames.clicked, T0 + 7_300_000, {
          ...email('m-ada'),
          email_id: 'm-ada',
          url: 'https://shop.example/',
        }),
        track('ada', 'Order Completed', T0 + 2 * DAY, { order_id: 'o-ada', total: 40, currency: 'eur' }),
        // Bob: sent, unsubscribed; orders after the 7-day window (not converted).
        track('bob', messageEventNames.sent, T0 + DAY, email('m-bob')),
        track('bob', messageEventNames.unsubscribed, T0 + DAY + 60_000, email('m-bob')),
        track('bob', 'Order Completed', T0 + 9 * DAY, { order_id: 'o-bob', total: 99 }),
        // Cy: sent and bounced; ordered before the message (not converted).
        track('cy', 'Order Completed', T0 - 2 * DAY, { order_id: 'o-cy', total: 15 }),
        track('cy', messageEventNames.sent, T0 + DAY, email('m-cy')),
        track('cy', messageEventNames.bounced, T0 + DAY + 1_000, email('m-cy')),
        // Dee: a message of another rule, with an order in 1 day (converts that rule only).
        track('dee', messageEventNames.sent, T0 + DAY, email('m-dee', 'birthday')),
        track('dee', 'Order Completed', T0 + 2 * DAY, { order_id: 'o-dee', revenue: 12.5, currency: 'IRR' }),
        // Outside the period: sent a month later.
        track('ada', messageEventNames.sent, T0 + 40 * DAY, email('m-ada-2')),
      ])
    }, 120_000)
    afterAll(async () => {
      await store?.close()
      await cleanup?.()
    })

    it('counts sent, delivered, bounced, unique opens and clicks, unsubscribes, conversions and revenue of a rule', async () => {
      const stats = await messageStats(store, {
        ruleId: 'win_back',
        from: T0,
        to: T0 + 30 * DAY,
        conversionWindowDays: 7,
      })
      expect(stats).toEqual({
        sent: 3,
        delivered: 1,
        bounced: 1,
        opened: 1,
        clicked: 1,
        unsubscribed: 1,
        converted: 1,
        revenue: { EUR: 40 },
      })
    })

    it('widens the conversion window and narrows by campaign', async () => {
      const stats = await messageStats(store, {
        campaign: 'spring',
        from: T0,
        to: T0 + 30 * DAY,
        conversionWindowDays: 10,
      })
      expect(stats).toMatchObject({ sent: 4, converted: 3, revenue: { EUR: 40, XXX: 99, IRR: 12.5 } })
      expect(await messageStats(store, { campaign: 'autumn', from: T0, to: T0 + 30 * DAY })).toMatchObject({
        sent: 0,
        converted: 0,
        revenue: {},
      })
    })

    it('counts only messages sent in the period', async () => {
      expect(await messageStats(store, { from: T0 + 30 * DAY, to: T0 + 60 * DAY })).toMatchObject({
        sent: 1,
        opened: 0,
      })
    })

    it('refuses a period that is not a number, naming the option', async () => {
      await expect(messageStats(store, { from: Number.NaN, to: T0 })).rejects.toThrow(/options\.from/)
    })
  })
}
