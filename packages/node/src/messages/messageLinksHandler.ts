import { messageEventNames, verifyMessageLink } from '@ecrm/core'
import type { EcrmEvent, JsonObject, MessageLinkSecret } from '@ecrm/core'
import { errorResponse } from '../ingest/responses.js'
import { readBodyLimited } from '../ingest/readBody.js'
import type { Store } from '../store/storeTypes.js'
import { customerIdsOf, messageEventOf } from './messageSubject.js'
import { unsubscribeAskPage, unsubscribeDonePage } from './unsubscribePage.js'

/** Options of {@link createMessageLinksHandler}. */
export interface MessageLinksHandlerOptions {
  readonly store: Pick<Store, 'insertEvents' | 'getProfile' | 'query'>
  /** The link secret the tokens were signed with (core's `signMessageLink`); at least 32 bytes. */
  readonly secret: MessageLinkSecret
  /** Epoch ms. @default Date.now */
  readonly now?: () => number
}

// The smallest transparent GIF (43 bytes): 1×1, one transparent colour.
const PIXEL = Uint8Array.from(atob('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7'), (char) =>
  char.charCodeAt(0),
)

const refusals = {
  malformed: [400, 'This link is damaged (copy the whole link from the email)'],
  forged: [403, 'This link was not issued by this shop'],
  expired: [410, 'This link has expired'],
} as const

/**
 * Answers the links in sent messages: `GET /v1/m/o/<token>.gif` (the open pixel, records
 * `Email Opened`), `GET /v1/m/c/<token>` (302 to the URL the token signed, never another one;
 * records `Email Link Clicked`), `GET /v1/m/u/<token>` (an unsubscribe page, English or Persian)
 * and `POST /v1/m/u/<token>` (RFC 8058 one-click, body `List-Unsubscribe=One-Click`: records
 * `Unsubscribed` with `context.consent.categories['marketing.email'] = false`, so the profile
 * records the opt-out). A malformed token gets 400, a forged one 403, an expired one 410, and
 * nothing is stored. Event ids are stable (one open, one click per link, one unsubscribe per
 * message): a reloaded pixel or a repeated POST stores one event.
 *
 * @example
 * const links = createMessageLinksHandler({ store, secret: process.env.ECRM_LINK_SECRET })
 * // in front of the ingest handler: url.pathname.startsWith(MESSAGE_LINKS_PREFIX) ? links(request) : ingest(request)
 */
export function createMessageLinksHandler(
  options: MessageLinksHandlerOptions,
): (request: Request) => Promise<Response> {
  const { store, secret, now = Date.now } = options
  return async (request) => {
    const path = new URL(request.url).pathname
    const match = /^\/v1\/m\/([ocu])\/([^/]+)$/.exec(path)
    if (match === null) return errorResponse(404, 'not_found', `No message link route at ${path}`)
    const [, route, rawToken = ''] = match
    const token = route === 'o' ? rawToken.replace(/\.gif$/, '') : rawToken
    const expected = route === 'o' ? 'open' : route === 'c' ? 'click' : 'unsubscribe'
    const allowed = route === 'u' ? ['GET', 'POST'] : ['GET']
    if (!allowed.includes(request.method))
      return errorResponse(
        405,
        'method_not_allowed',
        `${path} answers ${allowed.join(' and ')}`,
        {},
        { allow: allowed.join(', ') },
      )
    const at = now()
    const check = await verifyMessageLink(token, secret, at)
    if (!check.ok) return refusal(check.reason)
    const { claims } = check
    if (claims.k !== expected || (claims.k === 'click' && claims.u === undefined)) return refusal('malformed')
    if (route === 'u' && request.method === 'GET') return html(200, unsubscribeAskPage(claims.l ?? 'en'))
    if (route === 'u') {
      const body = await readBodyLimited(request, 4_096)
      if (!body.ok || new URLSearchParams(body.text).get('List-Unsubscribe') !== 'One-Click') {
        return errorResponse(
          400,
          'invalid_unsubscribe',
          'A one-click unsubscribe posts List-Unsubscribe=One-Click (RFC 8058)',
        )
      }
    }
    const ids = await customerIdsOf(store, claims.c)
    if (ids === undefined) return errorResponse(410, 'unknown_customer', 'This customer is no longer known here')
    const properties = await messagePropertiesOf(store, claims.m, claims.c)
    if (properties === undefined) return errorResponse(410, 'unknown_message', 'This message is no longer known here')
    let event: EcrmEvent
    if (claims.k === 'open') {
      event = messageEventOf(ids, `open:${claims.m}`, messageEventNames.opened, at, {
        ...properties,
        email_id: claims.m,
      })
    } else if (claims.k === 'click') {
      event = messageEventOf(
        ids,
        `click:${claims.m}:${await digestOf(claims.u ?? '')}`,
        messageEventNames.clicked,
        at,
        { ...properties, email_id: claims.m, url: claims.u ?? '' },
      )
    } else {
      const kind = typeof properties['kind'] === 'string' ? properties['kind'] : 'email'
      event = {
        ...messageEventOf(ids, `unsubscribe:${claims.m}`, messageEventNames.unsubscribed, at, properties),
        context: { consent: { categories: { [`marketing.${kind}`]: false } } },
      } as EcrmEvent
    }
    await store.insertEvents([event])
    if (claims.k === 'open')
      return new Response(PIXEL, { status: 200, headers: { 'content-type': 'image/gif', 'cache-control': 'no-store' } })
    if (claims.k === 'click')
      return new Response(null, { status: 302, headers: { location: claims.u ?? '', 'cache-control': 'no-store' } })
    return html(200, unsubscribeDonePage(claims.l ?? 'en'))
  }
}

function refusal(reason: keyof typeof refusals): Response {
  const [status, message] = refusals[reason]
  return errorResponse(status, `link_${reason}`, message)
}

function html(status: number, body: string): Response {
  return new Response(body, {
    status,
    headers: {
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
      'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'",
    },
  })
}

/**
 * The rule, campaign, channel and kind of a message from its outbox row, by its key (message id,
 * customer key); `undefined` when the row is gone (the customer was erased).
 */
async function messagePropertiesOf(
  store: Pick<Store, 'query'>,
  messageId: string,
  customerKey: string,
): Promise<JsonObject | undefined> {
  const [row] = await store.query<{ rule_id: string | null; campaign: string | null; channel: string; kind: string }>(
    'select rule_id, campaign, channel, kind from ecrm_messages where customer_id = $1 and message_id = $2',
    [customerKey, messageId],
  )
  if (row === undefined) return undefined
  return {
    message_id: messageId,
    channel: row.channel,
    kind: row.kind,
    ...(row.rule_id === null ? {} : { rule_id: row.rule_id }),
    ...(row.campaign === null ? {} : { campaign: row.campaign }),
  }
}

async function digestOf(text: string): Promise<string> {
  const bytes = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)))
  return Array.from(bytes.subarray(0, 8), (byte) => byte.toString(16).padStart(2, '0')).join('')
}
