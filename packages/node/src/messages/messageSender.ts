import { createDeliveryEngine } from '@ecrm/core'
import type { Channel, ChannelOutcome, Clock, DeliveryEngine, EcrmEvent, ItemFate, Message, RetryOptions } from '@ecrm/core'
import type { Store } from '../store/storeTypes.js'
import { createSqlMessageQueue } from './sqlMessageQueue.js'

/** Options of {@link createMessageSender}. */
export interface MessageSenderOptions {
  readonly store: Pick<Store, 'query' | 'insertEvents'>
  /** The configured channels by name (a message's `channel`). */
  readonly channels: Readonly<Record<string, Channel>>
  /** @default Date */
  readonly clock?: Clock
  /** Messages leased at once. @default 20 */
  readonly batchSize?: number
  /** How long a leased message stays hidden from other senders, in ms: longer than a send can take. @default 60_000 */
  readonly leaseMs?: number
  /** @default core's RETRY_DEFAULTS */
  readonly retry?: RetryOptions
}

type Outcome = { readonly status: 'sent'; readonly providerId?: string } | { readonly status: 'failed' | 'suppressed'; readonly reason: string }

const EVENT_OF = { sent: 'Message Sent', failed: 'Message Failed', suppressed: 'Message Suppressed' } as const

/**
 * The message sender: core's delivery engine over the SQL message queue, sending each message
 * through its channel and recording the outcome in its row (sent with the provider's id, failed
 * with the reason, suppressed) and as a `Message Sent` / `Message Failed` / `Message Suppressed`
 * event (message id `<message id>:<status>`, so a repeat is a duplicate). Any number of senders
 * may run over one database. A recipient on the suppression list is never sent to.
 *
 * @example
 * const sender = createMessageSender({ store, channels: { email: createSmtpChannel({ ... }) } })
 * await sender.engine.pass() // or let `ecrm serve` poll
 */
export function createMessageSender(options: MessageSenderOptions): { readonly engine: DeliveryEngine } {
  const { store, channels } = options
  const clock = options.clock ?? { now: Date.now }

  async function record(message: Message, outcome: Outcome): Promise<void> {
    await store.query(
      `update ecrm_messages set status = $3, provider_id = $4, reason = $5, sent_at = $6
        where customer_id = $1 and message_id = $2`,
      [
        message.customerId,
        message.id,
        outcome.status,
        outcome.status === 'sent' ? (outcome.providerId ?? null) : null,
        outcome.status === 'sent' ? null : outcome.reason,
        outcome.status === 'sent' ? new Date(clock.now()).toISOString() : null,
      ],
    )
    const event = {
      type: 'track',
      event: EVENT_OF[outcome.status],
      messageId: `${message.id}:${outcome.status}`,
      userId: message.customerId,
      timestamp: new Date(clock.now()).toISOString(),
      properties: {
        message_id: message.id,
        rule_id: message.ruleId ?? null,
        campaign: message.campaign ?? null,
        channel: message.channel,
        ...(outcome.status === 'sent' ? { provider_id: outcome.providerId ?? null } : { reason: outcome.reason }),
      },
    } as unknown as EcrmEvent
    await store.insertEvents([event])
  }

  async function isSuppressed(message: Message): Promise<boolean> {
    const rows = await store.query('select 1 from ecrm_suppressions where kind = $1 and recipient = $2 limit 1', [message.kind, message.recipient])
    return rows.length > 0
  }

  async function sendOne(message: Message): Promise<ItemFate> {
    const channel = channels[message.channel]
    if (channel === undefined) {
      await record(message, { status: 'failed', reason: `channel "${message.channel}" is not configured` })
      return { kind: 'dead_letter', reason: 'unknown channel' }
    }
    if (await isSuppressed(message)) {
      await record(message, { status: 'suppressed', reason: 'suppression_list' })
      return { kind: 'delivered' }
    }
    const outcome: ChannelOutcome = await channel.send(message)
    if (outcome.status === 'retry') return { kind: 'retry', reason: outcome.reason, ...(outcome.retryAfterMs === undefined ? {} : { retryAfterMs: outcome.retryAfterMs }) }
    if (outcome.status === 'failed') {
      await record(message, { status: 'failed', reason: `${outcome.failure}: ${outcome.reason}` })
      if (outcome.failure === 'bounce' || outcome.failure === 'complaint') {
        await store.query(
          `insert into ecrm_suppressions (customer_id, kind, recipient, reason, at) values ($1, $2, $3, $4, $5) on conflict do nothing`,
          [message.customerId, message.kind, message.recipient, outcome.failure, new Date(clock.now()).toISOString()],
        )
      }
      return { kind: 'dead_letter', reason: outcome.reason }
    }
    await record(message, { status: 'sent', ...(outcome.providerId === undefined ? {} : { providerId: outcome.providerId }) })
    return { kind: 'delivered' }
  }

  const engine = createDeliveryEngine({
    queue: createSqlMessageQueue(store),
    clock,
    batchSize: options.batchSize ?? 20,
    leaseMs: options.leaseMs ?? 60_000,
    ...(options.retry === undefined ? {} : { retry: options.retry }),
    async send(items, settle) {
      const fates = new Map<string, ItemFate>()
      for (const item of items) {
        const fate = await sendOne(JSON.parse(item.payload) as Message)
        fates.set(item.id, fate)
        // Settle each message as it goes: a crash after it re-sends only the one in flight.
        await settle(new Map([[item.id, fate]]))
        if (fate.kind === 'retry') break
      }
      return fates
    },
  })
  return { engine }
}
