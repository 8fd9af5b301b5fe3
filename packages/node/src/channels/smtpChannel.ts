/**
 * Email over SMTP with nodemailer: pooled connections, an HTML and a text part, a Message-ID
 * derived from the message id (so a resend is recognisably the same mail), the message's headers
 * (List-Unsubscribe and RFC 8058's List-Unsubscribe-Post), optional DKIM (RFC 6376).
 */
import { createTransport } from 'nodemailer'
import type { Channel, ChannelOutcome, Message } from '@ecrm/core'
import * as z from 'zod'
import { channelNameSchema, channelReason, parseChannelOptions, timeoutMsSchema } from './channelOptions.js'
import { classifySmtpFailure } from './smtpReply.js'
import type { SmtpFailure } from './smtpReply.js'

/** The SMTP options, with `secret` as the schema of passwords and keys (a string, or `{ env }` in config). */
export function smtpOptionsSchema<S extends z.ZodType>(secret: S) {
  return z.strictObject({
    /** @default 'email' */
    name: channelNameSchema.default('email'),
    host: z.string().min(1),
    /** @default 587 (465 when `secure`) */
    port: z.number().int().min(1).max(65_535).optional(),
    /** TLS from the first byte (port 465); otherwise STARTTLS when the server offers it. @default port === 465 */
    secure: z.boolean().optional(),
    /** Refuse to send unless STARTTLS succeeds. @default false */
    requireTLS: z.boolean().default(false),
    auth: z.strictObject({ user: z.string().min(1), pass: secret }).optional(),
    /** The From header, e.g. `"Shop <news@shop.example>"`. */
    from: z.string().min(3),
    replyTo: z.string().min(3).optional(),
    /** The right-hand side of Message-IDs. @default the domain of `from` */
    messageIdDomain: z
      .string()
      .regex(/^[A-Za-z0-9.-]+$/)
      .optional(),
    /** DKIM signing (relaxed/relaxed, rsa-sha256); the key is PEM. */
    dkim: z
      .strictObject({ domainName: z.string().min(1), keySelector: z.string().min(1), privateKey: secret })
      .optional(),
    /** Connections kept open, and messages sent on one before it is replaced. */
    pool: z
      .strictObject({
        maxConnections: z.number().int().min(1).max(100).default(5),
        maxMessages: z.number().int().min(1).default(100),
      })
      .default({ maxConnections: 5, maxMessages: 100 }),
    /** Connect, greeting and socket-idle timeout, in ms. @default 15_000 */
    timeoutMs: timeoutMsSchema,
    /** Accept a self-signed certificate (local relays only). @default false */
    allowSelfSignedCertificate: z.boolean().default(false),
  })
}

/** Schema of {@link SmtpChannelOptions}. */
export const smtpChannelOptionsSchema = smtpOptionsSchema(z.string().min(1))

/** Options of {@link createSmtpChannel}. */
export type SmtpChannelOptions = z.input<typeof smtpChannelOptionsSchema>

/**
 * The Message-ID of a message: `<id@domain>` with every character outside `[A-Za-z0-9_-]`
 * percent-encoded, since a message id (`<firing>:<step>`) may hold characters RFC 5322's
 * `id-left` does not allow. The same message always gets the same Message-ID.
 *
 * @example
 * smtpMessageId('f-1:0', 'shop.example') // '<f-1%3A0@shop.example>'
 */
export function smtpMessageId(messageId: string, domain: string): string {
  const left = Array.from(new TextEncoder().encode(messageId), (byte) => {
    const char = String.fromCharCode(byte)
    return /[A-Za-z0-9_-]/.test(char) ? char : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`
  }).join('')
  return `<${left}@${domain}>`
}

/**
 * An email {@link Channel} over SMTP. `send` never rejects: 5xx replies fail the message for good
 * (`invalid_recipient`, `bounce`, `rejected`, see {@link classifySmtpFailure}), 4xx replies and
 * connection trouble report `retry`. `close` ends the pool.
 *
 * @example
 * const email = createSmtpChannel({ host: 'smtp.shop.example', auth: { user: 'news', pass: process.env.SMTP_PASSWORD! }, from: 'Shop <news@shop.example>' })
 * await email.send(message) // { status: 'delivered', providerId: '<f-1%3A0@shop.example>' }
 */
export function createSmtpChannel(options: SmtpChannelOptions): Channel {
  const config = parseChannelOptions('createSmtpChannel()', smtpChannelOptionsSchema, options)
  const domain = config.messageIdDomain ?? /@([A-Za-z0-9.-]+)>?\s*$/.exec(config.from)?.[1] ?? config.host
  const secure = config.secure ?? config.port === 465
  const transport = createTransport({
    pool: true,
    host: config.host,
    port: config.port ?? (secure ? 465 : 587),
    secure,
    requireTLS: config.requireTLS,
    maxConnections: config.pool.maxConnections,
    maxMessages: config.pool.maxMessages,
    connectionTimeout: config.timeoutMs,
    greetingTimeout: config.timeoutMs,
    socketTimeout: config.timeoutMs,
    ...(config.auth === undefined ? {} : { auth: { user: config.auth.user, pass: config.auth.pass } }),
    ...(config.dkim === undefined ? {} : { dkim: config.dkim }),
    ...(config.allowSelfSignedCertificate ? { tls: { rejectUnauthorized: false } } : {}),
  })
  let closed = false

  const send = async (message: Message): Promise<ChannelOutcome> => {
    const messageId = smtpMessageId(message.id, domain)
    if (closed) return { status: 'retry', reason: channelReason(config.name, 'email', 'the channel is closed') }
    try {
      const info = await transport.sendMail({
        from: config.from,
        ...(config.replyTo === undefined ? {} : { replyTo: config.replyTo }),
        to: message.recipient,
        subject: message.content.subject ?? '',
        text: message.content.text,
        ...(message.content.html === undefined ? {} : { html: message.content.html }),
        messageId,
        date: new Date(message.createdAt),
        headers: { ...message.headers },
        // Never read files or URLs named in content: templates come from marketers, not the server.
        disableFileAccess: true,
        disableUrlAccess: true,
      })
      if (info.rejected.length > 0)
        return {
          status: 'failed',
          failure: 'invalid_recipient',
          reason: channelReason(config.name, 'email', `the server refused ${message.recipient}`),
        }
      return { status: 'delivered', providerId: messageId }
    } catch (error) {
      const outcome = classifySmtpFailure((error ?? {}) as SmtpFailure)
      return { ...outcome, reason: channelReason(config.name, 'email', outcome.reason) }
    }
  }

  return {
    name: config.name,
    kind: 'email',
    send,
    close: async () => {
      closed = true
      transport.close()
    },
  }
}
