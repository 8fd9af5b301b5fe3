import type { JsonObject } from '../model/envelope.js'
import type { ChannelKind, Message } from './messageTypes.js'

/**
 * The track events a message's life writes: the sender's outcomes, the providers' status
 * callbacks, and the customer's responses (opens, clicks, unsubscribes) answered by the collector.
 */
export const messageEventNames = {
  sent: 'Message Sent',
  delivered: 'Message Delivered',
  bounced: 'Message Bounced',
  failed: 'Message Failed',
  suppressed: 'Message Suppressed',
  opened: 'Email Opened',
  clicked: 'Email Link Clicked',
  unsubscribed: 'Unsubscribed',
} as const

/** What happened to a message, as the profile's `messages` summary counts it. */
export type MessageEventKind = keyof typeof messageEventNames

const kindsByName = new Map<string, MessageEventKind>(
  Object.entries(messageEventNames).map(([kind, name]) => [name, kind as MessageEventKind]),
)

/** The {@link MessageEventKind} of an event name, or `undefined` for any other event. */
export function messageEventKindOf(name: string): MessageEventKind | undefined {
  return kindsByName.get(name)
}

/**
 * Whether an event is the system's record of a message (sent, delivered, bounced, failed,
 * suppressed) rather than something the customer did: such events never move the profile's
 * `lastSeenAt`, sessions, activity or day buckets, so "inactive for N days" rules are not reset
 * by the messages they send.
 */
export function isMessageLifecycleEvent(name: string): boolean {
  const kind = kindsByName.get(name)
  return kind !== undefined && kind !== 'opened' && kind !== 'clicked' && kind !== 'unsubscribed'
}

const channelKinds: ReadonlySet<string> = new Set<ChannelKind>(['email', 'sms', 'push', 'webhook', 'crm'])

/** Whether `value` names a {@link ChannelKind}. */
export function isChannelKind(value: unknown): value is ChannelKind {
  return typeof value === 'string' && channelKinds.has(value)
}

/** The fields of a message every event about it carries. */
export type MessageEventSubject = Pick<Message, 'id' | 'channel' | 'kind' | 'ruleId' | 'campaign'>

/**
 * The properties every message event carries: `message_id`, `channel` (the configured channel's
 * name), `kind` (its {@link ChannelKind}), and `rule_id` / `campaign` when the message has them.
 * Stats and the profile's `messages` summary read these.
 *
 * @example
 * track({ event: messageEventNames.sent, properties: messageEventProperties(message) })
 */
export function messageEventProperties(message: MessageEventSubject): JsonObject {
  const properties: JsonObject = { message_id: message.id, channel: message.channel, kind: message.kind }
  if (message.ruleId !== undefined) properties['rule_id'] = message.ruleId
  if (message.campaign !== undefined) properties['campaign'] = message.campaign
  return properties
}
