/**
 * SMS through Kavenegar's REST API (https://kavenegar.com/rest.html): `POST
 * {base}/v1/{API-KEY}/sms/send.json` with `receptor`, `sender`, `message` form fields, or
 * `verify/lookup.json` with `receptor`, `template`, `token` for a template registered with
 * Kavenegar. The reply's `return.status` (also the HTTP status) says what happened.
 */
import type { Channel, ChannelOutcome, Message } from '@ecrm/core'
import * as z from 'zod'
import { channelNameSchema, channelReason, parseChannelOptions, timeoutMsSchema } from './channelOptions.js'
import { jsonBody, providerRequest, transientOutcome } from './providerRequest.js'

/** The Kavenegar options, with `secret` as the schema of the API key (a string, or `{ env }` in config). */
export function kavenegarOptionsSchema<S extends z.ZodType>(secret: S) {
  return z.strictObject({
    /** @default 'sms' */
    name: channelNameSchema.default('sms'),
    apiKey: secret,
    /** The sending line (e.g. `'10004346'`). @default the account's default line */
    sender: z
      .string()
      .regex(/^\d{3,20}$/, 'a Kavenegar line number (digits)')
      .optional(),
    /** Send through a template registered in Kavenegar's panel (`verify/lookup.json`); the rendered text is its `token`. */
    lookup: z.strictObject({ template: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/) }).optional(),
    /** @default 'https://api.kavenegar.com' */
    baseUrl: z.url({ protocol: /^https?$/ }).default('https://api.kavenegar.com'),
    timeoutMs: timeoutMsSchema,
  })
}

/** Schema of {@link KavenegarChannelOptions}. */
export const kavenegarChannelOptionsSchema = kavenegarOptionsSchema(z.string().min(1))

/** Options of {@link createKavenegarChannel}. */
export type KavenegarChannelOptions = z.input<typeof kavenegarChannelOptionsSchema>

type NotDelivered = Exclude<ChannelOutcome, { status: 'delivered' }>

/**
 * What a Kavenegar `return.status` other than 200 means, per the status table of
 * https://kavenegar.com/rest.html. Account and configuration trouble (disabled account, bad API
 * key, IP not allowed, no credit, server busy) is retried: it is the sender's to fix, and
 * suppressing the customer would be wrong. A bad receptor fails as `invalid_recipient`; a request
 * Kavenegar will never accept as written (bad sender line, message, template, token) as `rejected`.
 *
 * @example
 * classifyKavenegarStatus(411, 'receptor نامعتبر است') // { status: 'failed', failure: 'invalid_recipient', ... }
 */
export function classifyKavenegarStatus(status: number, said: string): NotDelivered {
  const reason = `Kavenegar ${status}: ${said}`
  switch (status) {
    case 411: // receptor invalid
      return { status: 'failed', failure: 'invalid_recipient', reason }
    case 401: // account disabled
    case 402: // operation failed
    case 403: // API key invalid
    case 404: // method unknown
    case 405: // GET/POST not allowed
    case 407: // no access to this method (e.g. IP not in the allowed list)
    case 409: // server cannot answer, try later
    case 416: // originating IP does not match the settings
    case 418: // not enough credit
    case 426: // method needs the advanced plan
      return { status: 'retry', reason: status === 409 ? reason : `${reason} (check the channel's account and apiKey)` }
    default:
      // 400/406 parameters missing, 412 sender invalid, 413 message invalid, 414 request too
      // large, 415/417/419 bad index, date or arrays, 422 invalid characters, 424 template not found,
      // 428/431/432 template token invalid, 607 tag invalid: the same request will fail again.
      return { status: 'failed', failure: 'rejected', reason }
  }
}

/**
 * Kavenegar's receptor form: Iranian numbers nationally (`09123456789`, as its docs write them),
 * others with the `00` international prefix. Input is E.164 (what `recipientOf('sms')` gives).
 */
export function kavenegarReceptor(e164: string): string {
  return e164.startsWith('+98') ? `0${e164.slice(3)}` : `00${e164.replace(/^\+/, '')}`
}

interface KavenegarReply {
  readonly return?: { readonly status?: number; readonly message?: string }
  readonly entries?: readonly { readonly messageid?: number | string; readonly status?: number }[]
}

/**
 * An SMS {@link Channel} over Kavenegar. `sms/send` carries `localid` = the message id, the
 * documented duplicate guard: Kavenegar answers a repeated `localid` with the first send's entry
 * instead of texting again, so a retry after a lost reply never doubles an SMS (`verify/lookup`
 * has no such field). `send` never rejects: `return.status` 200 is delivered
 * (provider id: the entry's `messageid`, which Kavenegar's delivery callbacks name); no answer,
 * HTTP 5xx/429 and account trouble retry; see {@link classifyKavenegarStatus} for the rest.
 *
 * @example
 * const sms = createKavenegarChannel({ apiKey: process.env.KAVENEGAR_API_KEY!, sender: '10004346' })
 * await sms.send(message) // { status: 'delivered', providerId: '8792343' }
 */
export function createKavenegarChannel(options: KavenegarChannelOptions): Channel {
  const config = parseChannelOptions('createKavenegarChannel()', kavenegarChannelOptionsSchema, options)
  const base = `${config.baseUrl.replace(/\/+$/, '')}/v1/${encodeURIComponent(config.apiKey)}`

  const send = async (message: Message): Promise<ChannelOutcome> => {
    const receptor = kavenegarReceptor(message.recipient)
    const form =
      config.lookup === undefined
        ? new URLSearchParams({
            receptor,
            message: message.content.text,
            localid: message.id,
            ...(config.sender === undefined ? {} : { sender: config.sender }),
          })
        : new URLSearchParams({ receptor, template: config.lookup.template, token: message.content.text })
    const reply = await providerRequest(
      `${base}/${config.lookup === undefined ? 'sms/send' : 'verify/lookup'}.json`,
      {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8', accept: 'application/json' },
        body: form,
      },
      config.timeoutMs,
    )
    const said = (detail: string): string => channelReason(config.name, 'sms', detail)
    const body = reply.type === 'response' ? (jsonBody(reply) as KavenegarReply | undefined) : undefined
    const status = body?.return?.status
    if (status === undefined) {
      const transient = transientOutcome(reply, Date.now())
      if (transient !== undefined) return { ...transient, reason: said(transient.reason) }
      // An answer that is not Kavenegar's JSON (a proxy page): nothing proves it was sent, and the engine caps attempts.
      return {
        status: 'retry',
        reason: said(`unreadable reply (HTTP ${reply.type === 'response' ? reply.status : '?'})`),
      }
    }
    if (status === 200) {
      const id = body?.entries?.[0]?.messageid
      return id === undefined ? { status: 'delivered' } : { status: 'delivered', providerId: String(id) }
    }
    const outcome = classifyKavenegarStatus(status, body?.return?.message ?? '')
    return { ...outcome, reason: said(outcome.reason) }
  }

  return { name: config.name, kind: 'sms', send }
}
