/**
 * HubSpot CRM, per HubSpot's public API reference (CRM API v3, read 2026):
 * - contacts batch upsert: `POST /crm/v3/objects/contacts/batch/upsert`, inputs `{ id, idProperty, properties }`
 *   https://developers.hubspot.com/docs/api-reference/legacy/crm/objects/contacts/batch/upsert-contacts
 * - deals batch upsert by a unique property: `POST /crm/v3/objects/deals/batch/upsert`
 * - GDPR delete: `POST /crm/v3/objects/contacts/gdpr-delete` `{ objectId, idProperty: 'email' }`
 *   https://developers.hubspot.com/docs/api-reference/legacy/crm/objects/contacts/gdpr/gdpr-delete-contact
 * - custom event occurrences: `POST /events/v3/send/batch` `{ inputs: [{ eventName, email, occurredAt, properties }] }`
 *   https://developers.hubspot.com/docs/api-reference/legacy/events/send-event-data/guide
 * - auth: private-app access token as `Authorization: Bearer <token>`; rate-limit headers
 *   `X-HubSpot-RateLimit-Remaining` / `-Interval-Milliseconds`, 429 body `{ errorType: 'RATE_LIMIT', policyName }`
 *   https://developers.hubspot.com/docs/guides/apps/api-usage/usage-details
 */
import type { EcrmEvent } from '../model/envelope.js'
import type { Destination, DestinationRequest, Interpretation } from './destinationTypes.js'
import {
  amountOf,
  applyTraitsMap,
  chunk,
  crmActionOf,
  emailOf,
  groupBy,
  leadTraitsOf,
  mergeTraitsMap,
  occurredAtOf,
  propertiesOf,
  traitsOf,
} from './eventFields.js'
import type { TraitsMap } from './eventFields.js'
import { hubspotRecordFates } from './recordFates.js'
import { jsonRequest, mapOneByBatch, parseJsonSafe, withAuthorization } from './vendorHelpers.js'

/** Default trait → HubSpot contact property map (HubSpot's default contact properties). */
export const HUBSPOT_TRAITS_MAP: TraitsMap = {
  email: 'email',
  first_name: 'firstname',
  last_name: 'lastname',
  phone: 'phone',
  title: 'jobtitle',
  website: 'website',
  'company.name': 'company',
  'address.street': 'address',
  'address.city': 'city',
  'address.state': 'state',
  'address.postal_code': 'zip',
  'address.country': 'country',
}

/** Options of {@link hubspotDestination}. */
export interface HubspotDestinationOptions {
  /** A private-app access token with `crm.objects.contacts.write` and `crm.objects.deals.write`. Server-side only. */
  readonly accessToken: string
  /** Trait paths → contact properties, on top of {@link HUBSPOT_TRAITS_MAP} (`null` drops one). */
  readonly traitsMap?: TraitsMap
  /**
   * The unique deal property that holds the ecrm `order_id` (create it once: a single-line text
   * property with "unique values" on). `null` sends no deals. @default 'ecrm_order_id'
   */
  readonly dealIdProperty?: string | null
  /** Deal pipeline and stage of a completed order. @default { pipeline: 'default', stage: 'closedwon' } */
  readonly dealStage?: { readonly pipeline: string; readonly stage: string }
  /**
   * ecrm track names → fully qualified custom event names (`pe<portalId>_<name>`, created in
   * HubSpot first). Unlisted tracks are not sent. @default {}
   */
  readonly customEvents?: Readonly<Record<string, string>>
  /** The consent category needed. @default 'marketing' */
  readonly category?: string
  /** @default 'hubspot' */
  readonly name?: string
  /** @default 'https://api.hubapi.com' */
  readonly baseUrl?: string
}

/**
 * Delivers to HubSpot: identify and `Lead Captured` → contact batch upsert by email (a lead gets
 * `lifecyclestage: 'lead'`), `Order Completed` → deal batch upsert by `order_id`, listed tracks →
 * custom event occurrences, `Data Erasure Requested` → GDPR delete. Events without an email are
 * skipped (HubSpot's contact key). Deals are not associated with contacts (needs HubSpot ids).
 *
 * @example
 * const hubspot = hubspotDestination({ accessToken: process.env.HUBSPOT_TOKEN!, customEvents: { 'Product Viewed': 'pe123_product_viewed' } })
 */
export function hubspotDestination(options: HubspotDestinationOptions): Destination {
  const base = (options.baseUrl ?? 'https://api.hubapi.com').replace(/\/+$/, '')
  const traitsMap = mergeTraitsMap(HUBSPOT_TRAITS_MAP, options.traitsMap)
  const dealIdProperty = options.dealIdProperty === undefined ? 'ecrm_order_id' : options.dealIdProperty
  const stage = options.dealStage ?? { pipeline: 'default', stage: 'closedwon' }
  const customEvents = options.customEvents ?? {}

  const contactOf = (
    event: EcrmEvent,
  ): { id: string; properties: Record<string, string | number | boolean> } | null => {
    const email = emailOf(event)
    if (email === undefined) return null
    const action = crmActionOf(event)
    const traits = action === 'lead' ? leadTraitsOf(event) : traitsOf(event)
    const properties = { ...applyTraitsMap(traits, traitsMap), email }
    return {
      id: email,
      properties: action === 'lead' ? { ...properties, lifecyclestage: 'lead', hs_lead_status: 'NEW' } : properties,
    }
  }

  const dealOf = (
    event: EcrmEvent,
    now: number,
  ): { id: string; properties: Record<string, string | number> } | null => {
    if (dealIdProperty === null) return null
    const props = propertiesOf(event)
    const orderId = typeof props.order_id === 'string' ? props.order_id : undefined
    if (orderId === undefined) return null
    const amount = amountOf(props.total) ?? amountOf(props.revenue)
    const properties: Record<string, string | number> = {
      [dealIdProperty]: orderId,
      dealname: `Order ${orderId}`,
      pipeline: stage.pipeline,
      dealstage: stage.stage,
      closedate: new Date(occurredAtOf(event, now)).toISOString(),
    }
    if (amount !== undefined) properties.amount = amount
    if (typeof props.currency === 'string') properties.deal_currency_code = props.currency
    return { id: orderId, properties }
  }

  const mapBatch = (events: readonly EcrmEvent[], { now }: { now: number }): DestinationRequest[] => {
    const groups = groupBy(events, crmActionOf)
    const requests: DestinationRequest[] = []
    const upserts = [...(groups.get('contact') ?? []), ...(groups.get('lead') ?? []), ...(groups.get('order') ?? [])]
    // One input per email: HubSpot refuses a batch naming the same record twice.
    const contacts = new Map<string, { properties: Record<string, string | number | boolean>; ids: string[] }>()
    for (const event of upserts) {
      const contact = contactOf(event)
      if (contact === null) continue
      const known = contacts.get(contact.id)
      if (known === undefined) contacts.set(contact.id, { properties: contact.properties, ids: [event.messageId] })
      else
        contacts.set(contact.id, {
          properties: { ...known.properties, ...contact.properties },
          ids: [...known.ids, event.messageId],
        })
    }
    for (const part of chunk([...contacts], 100)) {
      requests.push({
        ...jsonRequest(
          'POST',
          `${base}/crm/v3/objects/contacts/batch/upsert`,
          {
            inputs: part.map(([id, contact]) => ({ idProperty: 'email', id, properties: contact.properties })),
          },
          part.flatMap(([, contact]) => contact.ids),
        ),
        recordFates: hubspotRecordFates(
          part.map(([key, contact]) => ({ key, eventIds: contact.ids })),
          'email',
        ),
      })
    }
    const deals = new Map<string, { properties: Record<string, string | number>; ids: string[] }>()
    for (const event of groups.get('order') ?? []) {
      const deal = dealOf(event, now)
      if (deal !== null)
        deals.set(deal.id, { properties: deal.properties, ids: [...(deals.get(deal.id)?.ids ?? []), event.messageId] })
    }
    for (const part of chunk([...deals], 100)) {
      if (dealIdProperty === null) break
      requests.push({
        ...jsonRequest(
          'POST',
          `${base}/crm/v3/objects/deals/batch/upsert`,
          {
            inputs: part.map(([id, deal]) => ({ idProperty: dealIdProperty, id, properties: deal.properties })),
          },
          part.flatMap(([, deal]) => deal.ids),
        ),
        recordFates: hubspotRecordFates(
          part.map(([key, deal]) => ({ key, eventIds: deal.ids })),
          dealIdProperty,
        ),
      })
    }
    const occurrences = (groups.get('activity') ?? []).filter(
      (event) => event.type === 'track' && customEvents[event.event] !== undefined && emailOf(event) !== undefined,
    )
    for (const part of chunk(occurrences, 500)) {
      requests.push(
        jsonRequest(
          'POST',
          `${base}/events/v3/send/batch`,
          {
            inputs: part.map((event) => ({
              eventName: customEvents[(event as { event: string }).event],
              email: emailOf(event),
              occurredAt: new Date(occurredAtOf(event, now)).toISOString(),
              properties: scalarProperties(propertiesOf(event)),
            })),
          },
          part.map((event) => event.messageId),
        ),
      )
    }
    for (const event of groups.get('erasure') ?? []) {
      const email = emailOf(event)
      if (email === undefined) continue
      // 404: nothing to delete is as good as deleted.
      requests.push({
        ...jsonRequest(
          'POST',
          `${base}/crm/v3/objects/contacts/gdpr-delete`,
          { objectId: email, idProperty: 'email' },
          [event.messageId],
        ),
        okStatuses: [404],
      })
    }
    return requests
  }

  return {
    name: options.name ?? 'hubspot',
    category: options.category ?? 'marketing',
    batchSize: 100,
    auth: {
      kind: 'token',
      authorize: (request) => withAuthorization(request, `Bearer ${options.accessToken}`),
    },
    map: mapOneByBatch(mapBatch),
    mapBatch,
    interpret: interpretHubspot,
  }
}

/**
 * HubSpot's rate limits: a 429 names its window (`policyName`: SECONDLY/TEN_SECONDLY/DAILY) and
 * often carries no Retry-After, so the wait comes from `X-HubSpot-RateLimit-Interval-Milliseconds`
 * (or an hour for the daily cap); a success with `X-HubSpot-RateLimit-Remaining: 0` pauses for
 * one interval so the next call does not hit the limit.
 */
export function interpretHubspot(response: {
  status: number
  headers: Readonly<Record<string, string>>
  body: string
}): Interpretation | undefined {
  const intervalMs = Number(response.headers['x-hubspot-ratelimit-interval-milliseconds'])
  if (response.status === 429) {
    if (response.headers['retry-after'] !== undefined) return undefined
    const body = parseJsonSafe(response.body) as { policyName?: unknown } | undefined
    if (body?.policyName === 'DAILY') return { kind: 'retry', retryAfterMs: 3_600_000 }
    return { kind: 'retry', retryAfterMs: Number.isFinite(intervalMs) && intervalMs > 0 ? intervalMs : 10_000 }
  }
  if (response.status >= 200 && response.status < 300 && response.headers['x-hubspot-ratelimit-remaining'] === '0') {
    return { kind: 'delivered', pauseMs: Number.isFinite(intervalMs) && intervalMs > 0 ? intervalMs : 10_000 }
  }
  return undefined
}

function scalarProperties(properties: Record<string, unknown>): Record<string, string | number | boolean> {
  const result: Record<string, string | number | boolean> = {}
  for (const [key, value] of Object.entries(properties)) {
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') result[key] = value
  }
  return result
}
