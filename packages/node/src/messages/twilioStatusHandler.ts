import { messageEventNames, isChannelKind } from '@ecrm/core'
import type { JsonObject } from '@ecrm/core'
import { errorResponse, jsonResponse } from '../ingest/responses.js'
import { readBodyLimited } from '../ingest/readBody.js'
import type { Store } from '../store/storeTypes.js'
import { customerIdsOf, messageEventOf } from './messageSubject.js'
import type { SuppressionEntry } from './suppressions.js'
import { isTwilioSignatureValid } from './twilioSignature.js'

/** Options of {@link createTwilioStatusHandler}. */
export interface TwilioStatusHandlerOptions {
  readonly store: Pick<Store, 'insertEvents' | 'getProfile'>
  /** The account's auth token(s); more than one while rotating. */
  readonly authTokens: readonly string[]
  /**
   * The public origin Twilio calls (e.g. `https://crm.shop.example`), when a proxy in front
   * rewrites scheme or host: Twilio signs the URL it requested. @default the request's own URL
   */
  readonly publicOrigin?: string
  /** Called for a bounced message's recipient (the suppression list), with the callback URL's customer_id. @default none */
  readonly suppress?: (entry: SuppressionEntry, customerId: string) => Promise<void>
  /** Epoch ms. @default Date.now */
  readonly now?: () => number
}

// Final statuses only; queued, sending, sent and the rest are steps on the way.
// https://www.twilio.com/docs/messaging/guides/track-outbound-message-status
const outcomes: Readonly<Record<string, string>> = {
  delivered: messageEventNames.delivered,
  undelivered: messageEventNames.bounced,
  failed: messageEventNames.bounced,
}

/**
 * Answers Twilio's message status callbacks (a form-encoded POST with `MessageSid`,
 * `MessageStatus`, `ErrorCode`, `To`): `delivered` becomes `Message Delivered`, `undelivered`
 * and `failed` become `Message Bounced` (and `suppress` the number). Which message it is comes
 * from the callback URL the SMS channel gave Twilio, `?message_id=…&customer_id=…` plus
 * `rule_id`, `campaign`, `channel`: Twilio's signature covers the URL, so these cannot be forged.
 * A bad or missing `X-Twilio-Signature` gets 403 and stores nothing; an unknown customer 410.
 * Events have stable ids (`twilio:<MessageSid>:<status>`): Twilio's retries store one.
 *
 * @example
 * const twilio = createTwilioStatusHandler({ store, authTokens: [process.env.TWILIO_AUTH_TOKEN] })
 * // StatusCallback: https://crm.shop.example/v1/m/twilio?message_id=f1:0&customer_id=…&channel=sms
 */
export function createTwilioStatusHandler(
  options: TwilioStatusHandlerOptions,
): (request: Request) => Promise<Response> {
  const { store, authTokens, now = Date.now } = options
  if (authTokens.length === 0 || authTokens.some((token) => token.length === 0)) {
    throw new TypeError('createTwilioStatusHandler: options.authTokens must hold at least one non-empty auth token')
  }
  return async (request) => {
    if (request.method !== 'POST')
      return errorResponse(
        405,
        'method_not_allowed',
        'Twilio status callbacks are POST requests',
        {},
        { allow: 'POST' },
      )
    const body = await readBodyLimited(request, 64_000)
    if (!body.ok)
      return errorResponse(
        413,
        'payload_too_large',
        `A status callback is a small form; this one has ${body.bytes} bytes (at most 64000)`,
      )
    const params = new URLSearchParams(body.text)
    const url = new URL(request.url)
    const signed =
      options.publicOrigin === undefined ? url.href : new URL(url.pathname + url.search, options.publicOrigin).href
    if (!isTwilioSignatureValid(authTokens, signed, params, request.headers.get('x-twilio-signature'))) {
      return errorResponse(
        403,
        'invalid_signature',
        `X-Twilio-Signature does not match ${signed} and the posted parameters (check the auth token, and publicOrigin behind a proxy)`,
      )
    }
    const sid = params.get('MessageSid')
    const status = params.get('MessageStatus')
    const messageId = url.searchParams.get('message_id')
    const customerId = url.searchParams.get('customer_id')
    if (sid === null || status === null || messageId === null || customerId === null) {
      return errorResponse(
        400,
        'invalid_callback',
        'A status callback needs MessageSid and MessageStatus, and its URL message_id and customer_id',
      )
    }
    const event = outcomes[status]
    if (event === undefined) return jsonResponse(200, { recorded: false, status })
    const ids = await customerIdsOf(store, customerId)
    if (ids === undefined)
      return errorResponse(410, 'unknown_customer', `customer_id ${customerId} is not (or no longer) in the store`)
    const at = now()
    const properties: JsonObject = {
      message_id: messageId,
      channel: url.searchParams.get('channel') ?? 'sms',
      kind: 'sms',
      provider: 'twilio',
      provider_id: sid,
      status,
    }
    const kind = url.searchParams.get('kind')
    if (isChannelKind(kind)) properties['kind'] = kind
    for (const name of ['rule_id', 'campaign'] as const) {
      const value = url.searchParams.get(name)
      if (value !== null) properties[name] = value
    }
    const errorCode = params.get('ErrorCode')
    if (errorCode !== null && errorCode !== '') properties['error_code'] = errorCode
    await store.insertEvents([messageEventOf(ids, `twilio:${sid}:${status}`, event, at, properties)])
    const to = params.get('To')
    if (event === messageEventNames.bounced && to !== null && options.suppress !== undefined) {
      await options.suppress(
        {
          kind: String(properties['kind']),
          recipient: to,
          reason: `twilio ${status}${errorCode ? ` ${errorCode}` : ''}`,
          at,
        },
        customerId,
      )
    }
    return jsonResponse(200, { recorded: true, event })
  }
}
