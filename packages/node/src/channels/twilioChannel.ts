/**
 * SMS through Twilio's Programmable Messaging API
 * (https://www.twilio.com/docs/messaging/api/message-resource#create-a-message-resource):
 * `POST {base}/2010-04-01/Accounts/{AccountSid}/Messages.json`, HTTP basic auth (Account SID or
 * API key SID, and its secret), form fields `To`, `From` or `MessagingServiceSid`, `Body`,
 * `StatusCallback`. 201 answers the Message resource (`sid`); errors answer
 * `{ code, message, more_info, status }` (https://www.twilio.com/docs/api/errors).
 */
import type { Channel, ChannelOutcome, Message } from '@ecrm/core'
import * as z from 'zod'
import { channelNameSchema, channelReason, parseChannelOptions, timeoutMsSchema } from './channelOptions.js'
import { jsonBody, providerRequest, transientOutcome } from './providerRequest.js'

/**
 * The Twilio options, with `secret` as the schema of the auth token (a string, or `{ env }` in
 * config). Refine the result with {@link hasOneTwilioSender} (kept apart so config can extend it).
 */
export function twilioOptionsSchema<S extends z.ZodType>(secret: S) {
  return z.strictObject({
    /** @default 'sms' */
    name: channelNameSchema.default('sms'),
    accountSid: z.string().regex(/^AC[0-9a-fA-F]{32}$/, 'an Account SID (AC + 32 hex digits)'),
    /** The auth token, or an API key's secret with `apiKeySid`. */
    authToken: secret,
    /** Authenticate with an API key (SK…) instead of the Account SID. */
    apiKeySid: z
      .string()
      .regex(/^SK[0-9a-fA-F]{32}$/, 'an API key SID (SK + 32 hex digits)')
      .optional(),
    /** The sending number (E.164) or alphanumeric sender id. */
    from: z.string().min(1).optional(),
    /** A Messaging Service (MG…) that picks the sender. */
    messagingServiceSid: z
      .string()
      .regex(/^MG[0-9a-fA-F]{32}$/, 'a Messaging Service SID (MG + 32 hex digits)')
      .optional(),
    /**
     * Where Twilio posts status changes: the collector's Twilio route (`createTwilioStatusHandler`);
     * `message_id`, `customer_id`, `channel`, `rule_id` and `campaign` are added as query parameters.
     */
    statusCallback: z.url({ protocol: /^https?$/ }).optional(),
    /** @default 'https://api.twilio.com' */
    baseUrl: z.url({ protocol: /^https?$/ }).default('https://api.twilio.com'),
    timeoutMs: timeoutMsSchema,
  })
}

/** Twilio needs exactly one sender: a `from` number or a `messagingServiceSid` (see {@link twilioSenderIssue}). */
export function hasOneTwilioSender(options: {
  readonly from?: string | undefined
  readonly messagingServiceSid?: string | undefined
}): boolean {
  return (options.from === undefined) !== (options.messagingServiceSid === undefined)
}

/** The issue {@link hasOneTwilioSender} raises. */
export const twilioSenderIssue: { error: string; path: PropertyKey[] } = {
  error: 'give exactly one of from and messagingServiceSid',
  path: ['from'],
}

/** Schema of {@link TwilioChannelOptions}. */
export const twilioChannelOptionsSchema = twilioOptionsSchema(z.string().min(1)).refine(
  hasOneTwilioSender,
  twilioSenderIssue,
)

/** Options of {@link createTwilioChannel}. */
export type TwilioChannelOptions = z.input<typeof twilioChannelOptionsSchema>

// Twilio error codes (https://www.twilio.com/docs/api/errors) that mean this number cannot get this SMS.
const INVALID_RECIPIENT = new Set([21211, 21214, 21217, 21401, 21407, 21614, 21612])
// The recipient replied STOP (21610): never text them again, so the number enters the suppression list.
const UNSUBSCRIBED = 21610
// The account's configuration, not the customer: retried until it is fixed (attempts are capped).
const CONFIGURATION = new Set([20003, 20005, 20404, 21606, 21608, 21659, 30002])

type NotDelivered = Exclude<ChannelOutcome, { status: 'delivered' }>

/**
 * What a Twilio 4xx error means: `invalid_recipient` for a number that cannot receive (21211 invalid
 * To, 21614 not a mobile, 21612 unreachable route...), `complaint` for 21610 (the recipient
 * unsubscribed with STOP; complaints enter the suppression list), retry for 20429 (too many
 * requests) and account configuration (20003 bad credentials, 21606 From not yours...), `rejected`
 * for any other request Twilio refuses as written.
 *
 * @example
 * classifyTwilioError(400, 21610, 'Attempt to send to unsubscribed recipient') // { status: 'failed', failure: 'complaint', ... }
 */
export function classifyTwilioError(httpStatus: number, code: number | undefined, said: string): NotDelivered {
  const reason = `Twilio ${code ?? httpStatus}: ${said}`
  if (code === UNSUBSCRIBED)
    return { status: 'failed', failure: 'complaint', reason: `${reason} (the recipient unsubscribed)` }
  if (code !== undefined && INVALID_RECIPIENT.has(code))
    return { status: 'failed', failure: 'invalid_recipient', reason }
  if (code === 20429) return { status: 'retry', reason }
  if (httpStatus === 401 || (code !== undefined && CONFIGURATION.has(code)))
    return { status: 'retry', reason: `${reason} (check the channel's account and sender)` }
  return { status: 'failed', failure: 'rejected', reason }
}

interface TwilioReply {
  readonly sid?: string
  readonly code?: number
  readonly message?: string
}

/**
 * An SMS {@link Channel} over Twilio. `send` never rejects: 201 is delivered (provider id: the
 * Message SID, which status callbacks name); no answer, 429 (with `Retry-After`) and 5xx retry;
 * 4xx errors per {@link classifyTwilioError}.
 *
 * @example
 * const sms = createTwilioChannel({ accountSid: 'AC…', authToken: process.env.TWILIO_AUTH_TOKEN!, from: '+15005550006' })
 * await sms.send(message) // { status: 'delivered', providerId: 'SM…' }
 */
export function createTwilioChannel(options: TwilioChannelOptions): Channel {
  const config = parseChannelOptions('createTwilioChannel()', twilioChannelOptionsSchema, options)
  const url = `${config.baseUrl.replace(/\/+$/, '')}/2010-04-01/Accounts/${config.accountSid}/Messages.json`
  const authorization = `Basic ${Buffer.from(`${config.apiKeySid ?? config.accountSid}:${config.authToken}`).toString('base64')}`

  const callbackOf = (message: Message): string | undefined => {
    if (config.statusCallback === undefined) return undefined
    const callback = new URL(config.statusCallback)
    callback.searchParams.set('message_id', message.id)
    callback.searchParams.set('customer_id', message.customerId)
    callback.searchParams.set('channel', message.channel)
    if (message.ruleId !== undefined) callback.searchParams.set('rule_id', message.ruleId)
    if (message.campaign !== undefined) callback.searchParams.set('campaign', message.campaign)
    return callback.href
  }

  const send = async (message: Message): Promise<ChannelOutcome> => {
    const form = new URLSearchParams({ To: message.recipient, Body: message.content.text })
    if (config.from !== undefined) form.set('From', config.from)
    if (config.messagingServiceSid !== undefined) form.set('MessagingServiceSid', config.messagingServiceSid)
    const callback = callbackOf(message)
    if (callback !== undefined) form.set('StatusCallback', callback)
    const reply = await providerRequest(
      url,
      {
        method: 'POST',
        headers: { authorization, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: form,
      },
      config.timeoutMs,
    )
    const said = (detail: string): string => channelReason(config.name, 'sms', detail)
    const transient = transientOutcome(reply, Date.now())
    if (transient !== undefined) return { ...transient, reason: said(transient.reason) }
    if (reply.type !== 'response') return { status: 'retry', reason: said('no reply') }
    const body = jsonBody(reply) as TwilioReply | undefined
    if (reply.status >= 200 && reply.status < 300)
      return body?.sid === undefined ? { status: 'delivered' } : { status: 'delivered', providerId: body.sid }
    const outcome = classifyTwilioError(reply.status, body?.code, body?.message ?? reply.body.slice(0, 200))
    return { ...outcome, reason: said(outcome.reason) }
  }

  return { name: config.name, kind: 'sms', send }
}
