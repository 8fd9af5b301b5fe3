import type { Message } from '@ecrm/core'
import type { ComposedMessage } from './composeMessages.js'

/** A row of `ecrm_messages` as the queue and the sender read it. */
export interface MessageRow {
  customer_id: string
  message_id: string
  firing_id: string | null
  rule_id: string | null
  channel: string
  kind: Message['kind']
  recipient: string | null
  template: string
  locale: string
  category: Message['category']
  campaign: string | null
  content: Message['content']
  headers: Record<string, string>
  status: 'queued' | 'sent' | 'failed' | 'suppressed' | 'deferred'
  attempts: number
  available_at: string | number
  created_at: string | Date
}

/** The message a row holds. */
export function messageOfRow(row: MessageRow): Message {
  return {
    id: row.message_id,
    customerId: row.customer_id,
    channel: row.channel,
    kind: row.kind,
    recipient: row.recipient ?? '',
    template: row.template,
    locale: row.locale,
    category: row.category,
    content: row.content,
    headers: row.headers,
    createdAt: new Date(row.created_at).getTime(),
    ...(row.firing_id === null ? {} : { firingId: row.firing_id }),
    ...(row.rule_id === null ? {} : { ruleId: row.rule_id }),
    ...(row.campaign === null ? {} : { campaign: row.campaign }),
  }
}

/**
 * The messages as one JSON array parameter for `jsonb_to_recordset`: the whole batch goes in the
 * one statement that records its firing.
 */
export function messagesParam(messages: readonly ComposedMessage[]): string {
  return JSON.stringify(
    messages.map((message) => ({
      customer_id: message.customerId,
      message_id: message.id,
      firing_id: message.firingId ?? null,
      rule_id: message.ruleId ?? null,
      channel: message.channel,
      kind: message.kind,
      recipient: message.suppressedReason === undefined ? message.recipient : null,
      template: message.template,
      locale: message.locale,
      category: message.category,
      campaign: message.campaign ?? null,
      content: message.content,
      headers: message.headers ?? {},
      status: message.suppressedReason === undefined ? 'queued' : 'suppressed',
      reason: message.suppressedReason ?? null,
      available_at: message.createdAt,
      created_at: new Date(message.createdAt).toISOString(),
    })),
  )
}

/** The `insert … select` of {@link messagesParam}'s array (parameter `$n`), ignoring ids already stored. */
export function insertMessagesSql(param: string, guard = ''): string {
  return `insert into ecrm_messages (customer_id, message_id, firing_id, rule_id, channel, kind, recipient, template, locale,
            category, campaign, content, headers, status, reason, available_at, created_at)
     select m.customer_id, m.message_id, m.firing_id, m.rule_id, m.channel, m.kind, m.recipient, m.template, m.locale,
            m.category, m.campaign, m.content, m.headers, m.status, m.reason, m.available_at, m.created_at
       from jsonb_to_recordset(${param}::jsonb) as m(customer_id text, message_id text, firing_id text, rule_id text,
            channel text, kind text, recipient text, template text, locale text, category text, campaign text,
            content jsonb, headers jsonb, status text, reason text, available_at bigint, created_at timestamptz)
      ${guard}
     on conflict do nothing`
}
