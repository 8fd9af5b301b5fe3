import { capLookback, createDeliveryEngine, decideSend, messagePolicySchema } from '@ecrm/core'
import type {
  Channel,
  ChannelOutcome,
  Clock,
  CustomerProfile,
  DeliveryEngine,
  DeliveryPassResult,
  DeliveryStats,
  ItemFate,
  Message,
  MessagePolicyInput,
  RetryOptions,
  SendDecision,
} from '@ecrm/core'
import type { SqlExecutor, Store } from '../store/storeTypes.js'
import { eventIdsOf, messageEventOf } from './messageSubject.js'
import { createSqlMessageQueue } from './sqlMessageQueue.js'
import { addSuppression } from './suppressions.js'

/** Options of {@link createMessageSender}. */
export interface MessageSenderOptions {
  readonly store: Pick<Store, 'query' | 'insertEvents' | 'getProfile' | 'transaction'>
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
  /**
   * Consent, caps, quiet hours and GPC for marketing messages (core's `messagePolicySchema`;
   * invalid → throws naming the field). @default `{ consent: 'opt-in', caps: [], respectGpc: true }`
   */
  readonly policy?: MessagePolicyInput
}

/** What one {@link MessageSenderEngine.pass} did: `sent` counts only messages a channel took. */
export interface MessagePassResult extends DeliveryPassResult {
  /** Messages put off by quiet hours or a frequency cap (their row is `deferred`, due again later). */
  readonly deferred: number
  /** Messages not sent for good by the policy (consent, GPC, the suppression list, no recipient). */
  readonly suppressed: number
}

/** The sender's counters since it was created, `sent` excluding deferred and suppressed messages. */
export interface MessageSenderStats extends DeliveryStats {
  readonly deferred: number
  readonly suppressed: number
}

/** Core's delivery engine as the message sender drives it, with deferred and suppressed counted apart from sent. */
export interface MessageSenderEngine extends DeliveryEngine {
  readonly pass: () => Promise<MessagePassResult>
  readonly stats: () => MessageSenderStats
}

type Outcome =
  | { readonly status: 'sent'; readonly providerId?: string }
  | { readonly status: 'failed' | 'suppressed'; readonly reason: string }

/** An arbitrary constant: the advisory-lock class of the per-customer send lock. */
const CUSTOMER_LOCK = 4_242_016

const EVENT_OF = { sent: 'Message Sent', failed: 'Message Failed', suppressed: 'Message Suppressed' } as const

/**
 * The message sender: core's delivery engine over the SQL message queue, sending each message
 * through its channel and recording the outcome in its row (sent with the provider's id, failed
 * with the reason, suppressed) and as a `Message Sent` / `Message Failed` / `Message Suppressed`
 * event (message id `<message id>:<status>`, so a repeat is a duplicate) under the customer's
 * own user or anonymous id. Before each send core's `decideSend` applies the message policy:
 * suppressed (row and event carry the reason: `opted_out`, `gpc`, `no_consent`,
 * `suppressed_recipient`, `no_recipient`) or deferred (row `deferred`, due again at the end of
 * the quiet hours or when the cap's window frees; no attempt counted). Any number of senders may
 * run over one database.
 *
 * @example
 * const sender = createMessageSender({ store, channels: { email: createSmtpChannel({ ... }) } })
 * await sender.engine.pass() // or let `ecrm serve` poll
 */
export function createMessageSender(options: MessageSenderOptions): { readonly engine: MessageSenderEngine } {
  const { store, channels } = options
  const clock = options.clock ?? { now: Date.now }

  const policy = messagePolicySchema.parse(options.policy ?? {})
  // Deferred messages are settled by their row (status, available_at), not by the queue's remove.
  const deferred = new Set<string>()
  // The engine settles a deferred or suppressed message as delivered (its row says otherwise):
  // counted here so that `sent` never claims them.
  const withheld = { deferred: 0, suppressed: 0 }
  const iso = (at: number): string => new Date(at).toISOString()

  async function record(message: Message, profile: CustomerProfile | undefined, outcome: Outcome): Promise<void> {
    await store.query(
      `update ecrm_messages set status = $3, provider_id = $4, reason = $5, sent_at = $6
        where customer_id = $1 and message_id = $2`,
      [
        message.customerId,
        message.id,
        outcome.status,
        outcome.status === 'sent' ? (outcome.providerId ?? null) : null,
        outcome.status === 'sent' ? null : outcome.reason,
        outcome.status === 'sent' ? iso(clock.now()) : null,
      ],
    )
    // The event goes under the ids the store knows the customer by (the row's key may be the
    // store's own customer id, which is no userId); an erased customer gets no event, since one
    // under a made-up id would create a customer.
    const ids = profile === undefined ? undefined : eventIdsOf(profile)
    if (ids === undefined) return
    const properties = {
      message_id: message.id,
      rule_id: message.ruleId ?? null,
      campaign: message.campaign ?? null,
      channel: message.channel,
      kind: message.kind,
      ...(outcome.status === 'sent' ? { provider_id: outcome.providerId ?? null } : { reason: outcome.reason }),
    }
    await store.insertEvents([
      messageEventOf(ids, `${message.id}:${outcome.status}`, EVENT_OF[outcome.status], clock.now(), properties),
    ])
  }

  async function isSuppressed(tx: SqlExecutor, message: Message): Promise<boolean> {
    const rows = await tx.query('select 1 from ecrm_suppressions where kind = $1 and recipient = $2 limit 1', [
      message.kind,
      message.recipient,
    ])
    return rows.length > 0
  }

  /**
   * The policy's decision, with the customer's marketing send times on this kind counted in SQL
   * over all their ids, taken in `tx` under the customer's advisory lock; a send is reserved in
   * the same transaction (its row's `sent_at` set while still leased) and a deferral written, so
   * two senders racing on one customer cannot both pass a cap: the second waits for the lock and
   * then counts the first's reservation.
   */
  async function decide(tx: SqlExecutor, message: Message, profile: CustomerProfile): Promise<SendDecision> {
    const now = clock.now()
    // Two-key form: its own key space, apart from the migrations' single-key lock.
    await tx.query('select pg_advisory_xact_lock($1, hashtext($2))', [CUSTOMER_LOCK, profile.id])
    const suppressed = message.recipient !== '' && (await isSuppressed(tx, message))
    const keys = [profile.id, ...profile.identities.userIds, ...profile.identities.anonymousIds]
    const since = capLookback(policy, profile, now)
    // A queued or deferred row with sent_at is a reservation (in flight, or its sender crashed
    // and it will be sent again): it counts; failed and suppressed rows have no sent_at.
    const sentAt =
      message.category === 'marketing' && since < now
        ? (
            await tx.query<{ sent_at: string | Date }>(
              `select sent_at from ecrm_messages
                where customer_id = any($1::text[]) and kind = $2 and category = 'marketing'
                  and status in ('sent', 'queued', 'deferred') and sent_at >= $3 and message_id <> $4`,
              [keys, message.kind, iso(since), message.id],
            )
          ).map((row) => new Date(row.sent_at).getTime())
        : []
    const decision = decideSend(message, profile, policy, { now, sentAt, isSuppressed: suppressed })
    if (decision.action === 'send') {
      await tx.query('update ecrm_messages set sent_at = $3 where customer_id = $1 and message_id = $2', [
        message.customerId,
        message.id,
        iso(now),
      ])
    }
    if (decision.action === 'defer') {
      await tx.query(
        `update ecrm_messages set status = 'deferred', reason = $3, available_at = $4, lease_until = null, sent_at = null
          where customer_id = $1 and message_id = $2`,
        [message.customerId, message.id, decision.reason, decision.until],
      )
    }
    return decision
  }

  async function sendOne(message: Message): Promise<ItemFate> {
    const profile = await store.getProfile(message.customerId)
    const channel = channels[message.channel]
    if (channel === undefined) {
      await record(message, profile, { status: 'failed', reason: `channel "${message.channel}" is not configured` })
      return { kind: 'dead_letter', reason: 'unknown channel' }
    }
    const decision: SendDecision =
      profile === undefined
        ? { action: 'suppress', reason: 'no_recipient' }
        : await store.transaction((tx) => decide(tx, message, profile))
    if (decision.action === 'suppress') {
      await record(message, profile, { status: 'suppressed', reason: decision.reason })
      withheld.suppressed += 1
      return { kind: 'delivered' }
    }
    if (decision.action === 'defer') {
      deferred.add(message.id)
      withheld.deferred += 1
      return { kind: 'delivered' }
    }
    const outcome: ChannelOutcome = await channel.send(message)
    if (outcome.status === 'retry') {
      // Not sent: the reservation must not hold the customer's cap while it waits.
      await store.query('update ecrm_messages set sent_at = null where customer_id = $1 and message_id = $2', [
        message.customerId,
        message.id,
      ])
      return {
        kind: 'retry',
        reason: outcome.reason,
        ...(outcome.retryAfterMs === undefined ? {} : { retryAfterMs: outcome.retryAfterMs }),
      }
    }
    if (outcome.status === 'failed') {
      await record(message, profile, { status: 'failed', reason: `${outcome.failure}: ${outcome.reason}` })
      if (outcome.failure === 'bounce' || outcome.failure === 'complaint') {
        await addSuppression(store, message.customerId, {
          kind: message.kind,
          recipient: message.recipient,
          reason: outcome.failure,
          at: clock.now(),
        })
      }
      return { kind: 'dead_letter', reason: outcome.reason }
    }
    await record(message, profile, {
      status: 'sent',
      ...(outcome.providerId === undefined ? {} : { providerId: outcome.providerId }),
    })
    return { kind: 'delivered' }
  }

  const sqlQueue = createSqlMessageQueue(store)
  const engine = createDeliveryEngine({
    queue: {
      ...sqlQueue,
      remove: (ids) => sqlQueue.remove(ids.filter((id) => !deferred.delete(id))),
    },
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
  return {
    engine: {
      ...engine,
      async pass() {
        const before = { ...withheld }
        const result = await engine.pass()
        const passDeferred = withheld.deferred - before.deferred
        const passSuppressed = withheld.suppressed - before.suppressed
        return {
          ...result,
          sent: result.sent - passDeferred - passSuppressed,
          deferred: passDeferred,
          suppressed: passSuppressed,
        }
      },
      stats() {
        const stats = engine.stats()
        return { ...stats, sent: stats.sent - withheld.deferred - withheld.suppressed, ...withheld }
      },
    },
  }
}
