import { messageEventNames } from '@ecrm/core'
import { smtpMessageId } from '@ecrm/node'
import type { Store } from '@ecrm/node'
import type { ReceivedMail } from './demoMailServer.js'

/** One `ecrm_messages` row as the Outbox page lists it. */
export interface OutboxMessageRow {
  readonly messageId: string
  readonly ruleId: string | null
  readonly status: 'queued' | 'sent' | 'failed' | 'suppressed' | 'deferred'
  readonly recipient: string
  readonly template: string
  readonly locale: string
  readonly subject: string
  /** When the firing wrote it, epoch ms. */
  readonly createdAt: number
  readonly sentAt: number | null
  /** Why it failed or was suppressed (e.g. `no_recipient`). */
  readonly reason: string | null
  readonly attempts: number
  /** Opens recorded by the open pixel (one per message) and link clicks (one per link). */
  readonly opened: number
  readonly clicked: number
  /** Unsubscribes through the message's List-Unsubscribe link (one per message). */
  readonly unsubscribed: number
}

/** One mail the demo's SMTP server received. */
export interface OutboxMailRow {
  readonly n: number
  readonly to: readonly string[]
  readonly subject: string
  readonly receivedAt: number
  /** The outbox message it is (from its Message-ID), when one matches. */
  readonly messageId: string | null
}

/** What `/dashboard/outbox` shows. */
export interface OutboxData {
  readonly now: number
  /** Newest first. */
  readonly messages: readonly OutboxMessageRow[]
  /** Newest first. */
  readonly mails: readonly OutboxMailRow[]
}

interface MessageRecord {
  message_id: string
  rule_id: string | null
  status: OutboxMessageRow['status']
  recipient: string | null
  template: string
  locale: string
  subject: string | null
  created_at: string | Date
  sent_at: string | Date | null
  reason: string | null
  attempts: number
}

/**
 * The Outbox page's data: the store's message outbox (what the rules wrote and what became of it)
 * beside what the SMTP server actually received, matched by the `Message-ID` the email channel
 * derives from the message id (`<message id@domain>`, percent-encoded).
 */
export async function computeOutbox(
  store: Pick<Store, 'query'>,
  received: readonly ReceivedMail[],
  now: number,
): Promise<OutboxData> {
  const [rows, responses] = await Promise.all([
    store.query<MessageRecord>(
      `select message_id, rule_id, status, recipient, template, locale, content->>'subject' as subject, created_at, sent_at, reason, attempts
         from ecrm_messages order by created_at desc, message_id desc limit 200`,
    ),
    // The customer's responses, as the collector's /v1/m/ routes recorded them.
    store.query<{ message_id: string; event: string; count: number }>(
      `select payload->'properties'->>'message_id' as message_id, event, count(*)::int as count
         from ecrm_events where event in ($1, $2, $3) group by 1, 2`,
      [messageEventNames.opened, messageEventNames.clicked, messageEventNames.unsubscribed],
    ),
  ])
  const countOf = (messageId: string, event: string): number =>
    responses.find((row) => row.message_id === messageId && row.event === event)?.count ?? 0
  const messages = rows.map((row) => ({
    messageId: row.message_id,
    ruleId: row.rule_id,
    status: row.status,
    recipient: row.recipient ?? '',
    template: row.template,
    locale: row.locale,
    subject: row.subject ?? '',
    createdAt: new Date(row.created_at).getTime(),
    sentAt: row.sent_at === null ? null : new Date(row.sent_at).getTime(),
    reason: row.reason,
    attempts: row.attempts,
    opened: countOf(row.message_id, messageEventNames.opened),
    clicked: countOf(row.message_id, messageEventNames.clicked),
    unsubscribed: countOf(row.message_id, messageEventNames.unsubscribed),
  }))
  // The channel's own encoding of the id, so matching never re-implements it.
  const byHeader = new Map<string, string>()
  const domains = new Set<string>()
  const messageIdOf = (header: string): string | null => {
    const domain = /@([^>]+)>?$/.exec(header)?.[1]
    if (domain === undefined) return null
    if (!domains.has(domain))
      for (const row of messages) byHeader.set(smtpMessageId(row.messageId, domain), row.messageId)
    domains.add(domain)
    return byHeader.get(header) ?? null
  }
  const mails = [...received].reverse().map((mail) => ({
    n: mail.n,
    to: mail.to,
    subject: mail.subject,
    receivedAt: mail.receivedAt,
    messageId: messageIdOf(mail.messageId),
  }))
  return { now, messages, mails }
}
