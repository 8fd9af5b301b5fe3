/**
 * Zoho CRM, per the Zoho CRM REST API v8 documentation (read 2026):
 * - upsert, up to 100 records, by duplicate check fields: `POST {api_domain}/crm/v8/{Module}/upsert`
 *   `{ data: [...], duplicate_check_fields: ['Email'] }` https://www.zoho.com/crm/developer/docs/api/v8/upsert-records.html
 * - search by email: `GET /crm/v8/{Module}/search?email=...` (204 when nothing matches)
 * - delete by ids: `DELETE /crm/v8/{Module}?ids=1,2` (Zoho has no delete-by-email)
 * - auth header `Authorization: Zoho-oauthtoken <token>`; tokens from a refresh token:
 *   `POST {accounts}/oauth/v2/token?refresh_token&client_id&client_secret&grant_type=refresh_token`,
 *   answer `{ access_token, expires_in: 3600, api_domain }` https://www.zoho.com/crm/developer/docs/api/v8/refresh.html
 * - errors `{ code, message, status: 'error' }`; `INVALID_TOKEN` on 401; 429 when over the API credit window.
 */
import type { EcrmEvent } from '../model/envelope.js'
import type { Destination, DestinationRequest, DestinationResponse, Interpretation } from './destinationTypes.js'
import {
  amountOf,
  applyTraitsMap,
  chunk,
  crmActionOf,
  emailOf,
  groupBy,
  isoDate,
  leadTraitsOf,
  mergeTraitsMap,
  occurredAtOf,
  propertiesOf,
  splitName,
  traitsOf,
} from './eventFields.js'
import type { TraitsMap } from './eventFields.js'
import { encodeForm, parseOAuthToken, resolveUrl } from './tokenSource.js'
import { zohoRecordFates } from './recordFates.js'
import { jsonRequest, mapOneByBatch, parseJsonSafe, withAuthorization } from './vendorHelpers.js'

/** Default trait → Contacts/Leads field map (Zoho's standard field API names). */
export const ZOHO_TRAITS_MAP: TraitsMap = {
  email: 'Email',
  phone: 'Phone',
  title: 'Title',
  birthday: 'Date_of_Birth',
  'address.street': 'Mailing_Street',
  'address.city': 'Mailing_City',
  'address.state': 'Mailing_State',
  'address.postal_code': 'Mailing_Zip',
  'address.country': 'Mailing_Country',
}

/** Options of {@link zohoDestination}. */
export interface ZohoDestinationOptions {
  /** Self Client or server app credentials, and a refresh token with `ZohoCRM.modules.ALL`. */
  readonly clientId: string
  readonly clientSecret: string
  readonly refreshToken: string
  /** Your data centre's accounts URL. @default 'https://accounts.zoho.com' */
  readonly accountsUrl?: string
  /** The API domain when the token answer gives none. @default 'https://www.zohoapis.com' */
  readonly apiDomain?: string
  /** Deals field (unique) that holds `order_id`. `null` sends no deals. @default 'Ecrm_Order_Id' */
  readonly orderIdField?: string | null
  /** Stage of a completed order's deal. @default 'Closed Won' */
  readonly closedStage?: string
  readonly traitsMap?: TraitsMap
  /** @default 'marketing' */
  readonly category?: string
  /** @default 'zoho' */
  readonly name?: string
}

/**
 * Delivers to Zoho CRM: identify → Contacts upsert and `Lead Captured` → Leads upsert, both
 * de-duplicated on Email; `Order Completed` → Deals upsert on `orderIdField`; `Data Erasure
 * Requested` → search Contacts and Leads by email, then delete what was found. Zoho has no custom
 * timeline event API, so other tracks are not sent.
 *
 * @example
 * zohoDestination({ clientId, clientSecret, refreshToken, accountsUrl: 'https://accounts.zoho.eu' })
 */
export function zohoDestination(options: ZohoDestinationOptions): Destination {
  const accountsUrl = (options.accountsUrl ?? 'https://accounts.zoho.com').replace(/\/+$/, '')
  const apiDomain = (options.apiDomain ?? 'https://www.zohoapis.com').replace(/\/+$/, '')
  const orderField = options.orderIdField === undefined ? 'Ecrm_Order_Id' : options.orderIdField
  const traitsMap = mergeTraitsMap(ZOHO_TRAITS_MAP, options.traitsMap)

  const person = (event: EcrmEvent, module: 'Contacts' | 'Leads'): Record<string, unknown> | null => {
    const email = emailOf(event)
    if (email === undefined) return null
    const traits = module === 'Leads' ? leadTraitsOf(event) : traitsOf(event)
    const fields: Record<string, unknown> = { ...applyTraitsMap(traits, traitsMap), Email: email }
    const { first, last } = splitName(traits)
    if (module === 'Leads') {
      for (const name of Object.keys(fields)) {
        if (name.startsWith('Mailing_')) {
          fields[name.slice('Mailing_'.length)] = fields[name]
          delete fields[name]
        }
      }
      delete fields.Date_of_Birth
      const company = traits.company as { name?: unknown } | string | undefined
      fields.Company =
        typeof company === 'string' ? company : typeof company?.name === 'string' ? company.name : '[not provided]'
    }
    // Last_Name is mandatory in both modules.
    return { ...fields, ...(first === undefined ? {} : { First_Name: first }), Last_Name: last ?? '[not provided]' }
  }

  const upsert = (
    module: string,
    checkField: string,
    rows: readonly [Record<string, unknown>, string][],
  ): DestinationRequest[] =>
    chunk(rows, 100).map((part) => ({
      ...jsonRequest(
        'POST',
        `/crm/v8/${module}/upsert`,
        { data: part.map(([record]) => record), duplicate_check_fields: [checkField] },
        part.map(([, id]) => id),
      ),
      recordFates: zohoRecordFates(part.map(([, id]) => [id])),
    }))

  const erase = (event: EcrmEvent): DestinationRequest[] => {
    const email = emailOf(event)
    if (email === undefined) return []
    return (['Contacts', 'Leads'] as const).map((module) => ({
      method: 'GET',
      url: `/crm/v8/${module}/search?email=${encodeURIComponent(email)}`,
      eventIds: [event.messageId],
      // 204: no record with that email, nothing to delete.
      okStatuses: [204],
      followUp: (response: DestinationResponse) => {
        const ids = recordIds(response.body)
        return ids.length === 0 ? [] : [{ method: 'DELETE', url: `/crm/v8/${module}?ids=${ids.join(',')}` }]
      },
    }))
  }

  const mapBatch = (events: readonly EcrmEvent[], { now }: { now: number }): DestinationRequest[] => {
    const groups = groupBy(events, crmActionOf)
    const rows = (action: 'contact' | 'lead', module: 'Contacts' | 'Leads'): [Record<string, unknown>, string][] =>
      (groups.get(action) ?? []).flatMap((event) => {
        const record = person(event, module)
        return record === null ? [] : [[record, event.messageId] as [Record<string, unknown>, string]]
      })
    const requests = [
      ...upsert('Contacts', 'Email', rows('contact', 'Contacts')),
      ...upsert('Leads', 'Email', rows('lead', 'Leads')),
    ]
    if (orderField !== null) {
      const deals = (groups.get('order') ?? []).flatMap((event) => {
        const props = propertiesOf(event)
        if (typeof props.order_id !== 'string') return []
        const amount = amountOf(props.total) ?? amountOf(props.revenue)
        const record: Record<string, unknown> = {
          [orderField]: props.order_id,
          Deal_Name: `Order ${props.order_id}`,
          Stage: options.closedStage ?? 'Closed Won',
          Closing_Date: isoDate(occurredAtOf(event, now)),
          ...(amount === undefined ? {} : { Amount: amount }),
        }
        return [[record, event.messageId] as [Record<string, unknown>, string]]
      })
      requests.push(...upsert('Deals', orderField, deals))
    }
    for (const event of groups.get('erasure') ?? []) requests.push(...erase(event))
    return requests
  }

  return {
    name: options.name ?? 'zoho',
    category: options.category ?? 'marketing',
    batchSize: 100,
    auth: {
      kind: 'oauth2',
      tokenRequest: () => ({
        method: 'POST',
        // Zoho documents the parameters in the query string of this POST.
        url: `${accountsUrl}/oauth/v2/token?${encodeForm({ refresh_token: options.refreshToken, client_id: options.clientId, client_secret: options.clientSecret, grant_type: 'refresh_token' })}`,
        headers: { Accept: 'application/json' },
      }),
      parseToken: (body, now) => parseOAuthToken(body, now, 'api_domain'),
      authorize: (request, token) =>
        withAuthorization(
          { ...request, url: resolveUrl(token.instanceUrl ?? apiDomain, request.url) },
          `Zoho-oauthtoken ${token.accessToken}`,
        ),
    },
    map: mapOneByBatch(mapBatch),
    mapBatch,
    interpret: interpretZoho,
  }
}

/** Zoho's signals: `INVALID_TOKEN` / `AUTHENTICATION_FAILURE` (renew), otherwise the shared policy. */
export function interpretZoho(response: { status: number; body: string }): Interpretation | undefined {
  const code = (parseJsonSafe(response.body) as { code?: unknown } | undefined)?.code
  if (response.status === 401 || code === 'INVALID_TOKEN' || code === 'AUTHENTICATION_FAILURE')
    return { kind: 'reauthorize' }
  return undefined
}

function recordIds(body: string): string[] {
  const data = (parseJsonSafe(body) as { data?: unknown } | undefined)?.data
  if (!Array.isArray(data)) return []
  return data.flatMap((record) => {
    const id = (record as { id?: unknown })?.id
    return typeof id === 'string' || typeof id === 'number' ? [String(id)] : []
  })
}
