/**
 * The message model and the channel port: what ecrm sends to a customer (an email, an SMS, a web
 * push, a webhook or CRM call) and what a channel reports back. Pure types; channels live in the
 * runtimes (`@ecrm/node`), rendering, policy and delivery in core.
 */

/**
 * Why a message is sent. Marketing messages need the customer's consent (an opt-out always wins)
 * and obey frequency caps and quiet hours; transactional ones (an order confirmation, a password
 * reset) skip caps, quiet hours and marketing consent, never the suppression list (hard bounces,
 * complaints).
 */
export type MessageCategory = 'transactional' | 'marketing'

/** The kinds of channel ecrm knows. */
export type ChannelKind = 'email' | 'sms' | 'push' | 'webhook' | 'crm'

/** Rendered content of a message, ready for its channel. */
export interface MessageContent {
  /** Email subject, push title. */
  readonly subject?: string
  /** Email HTML part (links rewritten for click tracking, open pixel added). */
  readonly html?: string
  /** Email text part, SMS body, push body. */
  readonly text: string
  /** Push: the URL the notification opens. */
  readonly url?: string
}

/** A message as the outbox holds it: addressed, rendered, keyed for exactly-once delivery. */
export interface Message {
  /** The idempotency key: `<firing id>:<step>` (the SMTP Message-ID and provider key derive from it). */
  readonly id: string
  /** The store's customer id. */
  readonly customerId: string
  /** The configured channel's name (e.g. `"email"`, `"sms"`). */
  readonly channel: string
  readonly kind: ChannelKind
  /** An email address, an E.164 phone number, a push subscription (JSON text) or a URL. */
  readonly recipient: string
  /** The template's name (file name without extension). */
  readonly template: string
  /** BCP 47 locale the template variant was chosen for, e.g. `"fa-IR"`. */
  readonly locale: string
  readonly category: MessageCategory
  readonly content: MessageContent
  /** The rule (or journey) firing this message belongs to. */
  readonly firingId?: string
  readonly ruleId?: string
  /** Campaign name for reports (`utm_campaign` of its links). */
  readonly campaign?: string
  /** Channel-specific headers, e.g. `List-Unsubscribe` and `List-Unsubscribe-Post` for email. */
  readonly headers?: Readonly<Record<string, string>>
  /** Epoch ms the message was created (with its firing). */
  readonly createdAt: number
}

/** Why a message failed for good. */
export type MessageFailure = 'bounce' | 'invalid_recipient' | 'rejected' | 'complaint' | 'unsupported'

/** What a channel reports for one message. Channels never throw: they report. */
export type ChannelOutcome =
  /** Handed to the provider, which accepted it; `providerId` is its id (for status callbacks). */
  | { readonly status: 'delivered'; readonly providerId?: string }
  /** Try again later (network error, 5xx, 429); `retryAfterMs` when the provider said when. */
  | { readonly status: 'retry'; readonly reason: string; readonly retryAfterMs?: number }
  /** Failed for good: never retried. A `bounce` or `complaint` also enters the suppression list. */
  | { readonly status: 'failed'; readonly failure: MessageFailure; readonly reason: string }

/** A configured way to reach customers. */
export interface Channel {
  readonly name: string
  readonly kind: ChannelKind
  /** Sends one message. Idempotent by `message.id` where the provider allows (Message-ID, idempotency keys). Never rejects. */
  readonly send: (message: Message) => Promise<ChannelOutcome>
  /** Releases connections (SMTP pools). Idempotent. */
  readonly close?: () => Promise<void>
}
