import { timingSafeEqual } from 'node:crypto'
import { messageEventNames } from '@ecrm/core'
import type { JsonObject } from '@ecrm/core'
import { errorResponse, jsonResponse } from '../ingest/responses.js'
import { readBodyLimited } from '../ingest/readBody.js'
import type { Store } from '../store/storeTypes.js'
import { customerIdsOf, messageEventOf } from './messageSubject.js'
import { addSuppression } from './suppressions.js'

/** Options of {@link createKavenegarStatusHandler}. */
export interface KavenegarStatusHandlerOptions {
  readonly store: Pick<Store, 'insertEvents' | 'getProfile' | 'query'>
  /**
   * The secret last segment of the delivery URL set in Kavenegar's panel
   * (`<baseUrl>/v1/m/kavenegar/<token>`): Kavenegar signs nothing, so the URL is the credential.
   * At least 16 characters.
   */
  readonly token: string
  /** The Kavenegar channels' names: only their messages' `provider_id`s are looked up. */
  readonly channels: readonly string[]
  /** Epoch ms. @default Date.now */
  readonly now?: () => number
}

/** What a final Kavenegar status means for ecrm: the event to record, and whether the number is suppressed. */
export interface KavenegarOutcome {
  readonly event: string
  readonly suppress: boolean
}

/**
 * The final statuses of Kavenegar's status table (https://kavenegar.com/rest.html, `sms/status`:
 * 1 queued, 2 scheduled, 4/5 handed to the operator, 6 failed, 10 delivered, 11 not delivered,
 * 13 cancelled by the sender, 14 blocked by the recipient, 100 unknown id). Only 10, 6, 11 and 14
 * are outcomes; 14 (the recipient blocked the line) also suppresses the number, since sending on
 * would only be blocked again, while 6 and 11 (phone off, operator trouble) may pass.
 *
 * @example
 * kavenegarOutcomeOf(10) // { event: 'Message Delivered', suppress: false }
 * kavenegarOutcomeOf(4)  // undefined (still on its way)
 */
export function kavenegarOutcomeOf(status: number): KavenegarOutcome | undefined {
  if (status === 10) return { event: messageEventNames.delivered, suppress: false }
  if (status === 6 || status === 11) return { event: messageEventNames.bounced, suppress: false }
  if (status === 14) return { event: messageEventNames.bounced, suppress: true }
  return undefined
}

interface SentRow {
  readonly customer_id: string
  readonly message_id: string
  readonly rule_id: string | null
  readonly campaign: string | null
  readonly channel: string
  readonly kind: string
  readonly recipient: string | null
}

const sameText = (a: string, b: string): boolean => {
  const left = Buffer.from(a)
  const right = Buffer.from(b)
  return left.length === right.length && timingSafeEqual(left, right)
}

/**
 * Answers Kavenegar's delivery callbacks at `…/kavenegar/<token>`: `messageid` and `status`, as
 * form fields of a POST or the query of a GET. The message is the outbox row whose `provider_id`
 * is that `messageid` (what `sms/send` answered) on one of `channels`; status 10 becomes
 * `Message Delivered`, 6, 11 and 14 `Message Bounced` (see {@link kavenegarOutcomeOf}), stored
 * for the row's customer with `message_id`, `rule_id`, `campaign`, `channel`. A wrong token gets
 * 404 (the route does not exist for a guesser), an unknown `messageid` 404, and nothing changes.
 * Event ids are stable (`kavenegar:<messageid>:<status>`): a repeated callback stores one.
 *
 * @example
 * const kavenegar = createKavenegarStatusHandler({ store, token: process.env.KAVENEGAR_STATUS_TOKEN!, channels: ['sms'] })
 * // Kavenegar panel, delivery URL: https://crm.shop.example/v1/m/kavenegar/<token>
 */
export function createKavenegarStatusHandler(
  options: KavenegarStatusHandlerOptions,
): (request: Request) => Promise<Response> {
  const { store, token, channels, now = Date.now } = options
  if (token.length < 16)
    throw new TypeError(
      'createKavenegarStatusHandler: options.token must be at least 16 characters (it is the only credential of the callback URL)',
    )
  return async (request) => {
    const url = new URL(request.url)
    if (!sameText(url.pathname.slice(url.pathname.lastIndexOf('/') + 1), token))
      return errorResponse(404, 'not_found', 'No such route')
    if (request.method !== 'POST' && request.method !== 'GET')
      return errorResponse(
        405,
        'method_not_allowed',
        'Kavenegar delivery callbacks are POST (or GET) requests',
        {},
        { allow: 'POST, GET' },
      )
    let params = url.searchParams
    if (request.method === 'POST') {
      const body = await readBodyLimited(request, 16_000)
      if (!body.ok)
        return errorResponse(
          413,
          'payload_too_large',
          `A delivery callback is a small form; this one has ${body.bytes} bytes (at most 16000)`,
        )
      params = new URLSearchParams(body.text)
    }
    const providerId = params.get('messageid')
    const status = Number(params.get('status'))
    if (providerId === null || !/^\d{1,20}$/.test(providerId) || !Number.isInteger(status)) {
      return errorResponse(
        400,
        'invalid_callback',
        'A Kavenegar delivery callback needs messageid (digits) and status (a number)',
      )
    }
    const outcome = kavenegarOutcomeOf(status)
    if (outcome === undefined) return jsonResponse(200, { recorded: false, status })
    const [row] = await store.query<SentRow>(
      `select customer_id, message_id, rule_id, campaign, channel, kind, recipient from ecrm_messages
        where provider_id = $1 and channel = any($2::text[]) limit 1`,
      [providerId, [...channels]],
    )
    if (row === undefined)
      return errorResponse(
        404,
        'unknown_message',
        `No message sent through ${channels.join(', ')} has Kavenegar messageid ${providerId}`,
      )
    const ids = await customerIdsOf(store, row.customer_id)
    if (ids === undefined)
      return errorResponse(
        410,
        'unknown_customer',
        `The customer of message ${row.message_id} is not (or no longer) in the store`,
      )
    const at = now()
    const properties: JsonObject = {
      message_id: row.message_id,
      channel: row.channel,
      kind: row.kind,
      provider: 'kavenegar',
      provider_id: providerId,
      status: String(status),
    }
    if (row.rule_id !== null) properties['rule_id'] = row.rule_id
    if (row.campaign !== null) properties['campaign'] = row.campaign
    await store.insertEvents([messageEventOf(ids, `kavenegar:${providerId}:${status}`, outcome.event, at, properties)])
    if (outcome.suppress && row.recipient !== null) {
      await addSuppression(store, row.customer_id, {
        kind: row.kind,
        recipient: row.recipient,
        reason: `kavenegar ${status}`,
        at,
      })
    }
    return jsonResponse(200, { recorded: true, event: outcome.event })
  }
}
