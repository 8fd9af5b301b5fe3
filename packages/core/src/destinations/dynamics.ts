/**
 * Microsoft Dynamics 365 (Dataverse Web API v9.2), per Microsoft Learn (read 2026):
 * - upsert by alternate key: `PATCH {org}/api/data/v9.2/contacts(emailaddress1='a%40b.example')`
 *   (creates when missing, updates when found; 204) and delete by the same key:
 *   https://learn.microsoft.com/power-apps/developer/data-platform/webapi/update-delete-entities-using-web-api
 * - create: `POST /api/data/v9.2/leads`; lookups bound with `"parentcontactid@odata.bind": "/contacts(...)"`
 * - headers `OData-MaxVersion: 4.0`, `OData-Version: 4.0`, `Accept`/`Content-Type: application/json`
 * - service protection limits: 429 with `Retry-After` (seconds)
 *   https://learn.microsoft.com/power-apps/developer/data-platform/api-limits
 * - auth: Microsoft identity platform client credentials,
 *   `POST https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token` form
 *   `client_id, client_secret, scope={org}/.default, grant_type=client_credentials`; answer `{ access_token, expires_in }`
 */
import type { EcrmEvent } from '../model/envelope.js'
import type { Destination, DestinationRequest, Interpretation } from './destinationTypes.js'
import {
  amountOf,
  applyTraitsMap,
  crmActionOf,
  emailOf,
  isoDate,
  leadTraitsOf,
  mergeTraitsMap,
  occurredAtOf,
  propertiesOf,
  splitName,
  traitsOf,
} from './eventFields.js'
import type { TraitsMap } from './eventFields.js'
import { formTokenRequest, parseOAuthToken } from './tokenSource.js'
import { jsonRequest, odataString, withAuthorization } from './vendorHelpers.js'

/** Default trait → contact/lead column map (Dataverse logical names). */
export const DYNAMICS_TRAITS_MAP: TraitsMap = {
  phone: 'telephone1',
  title: 'jobtitle',
  birthday: 'birthdate',
  website: 'websiteurl',
  'address.street': 'address1_line1',
  'address.city': 'address1_city',
  'address.state': 'address1_stateorprovince',
  'address.postal_code': 'address1_postalcode',
  'address.country': 'address1_country',
}

const ODATA_HEADERS = { 'OData-MaxVersion': '4.0', 'OData-Version': '4.0' }

/** Options of {@link dynamicsDestination}. */
export interface DynamicsDestinationOptions {
  /** The environment URL, e.g. `https://contoso.crm4.dynamics.com`. */
  readonly orgUrl: string
  /** Microsoft Entra tenant id (or domain). */
  readonly tenantId: string
  /** App registration (an application user in the environment) and its secret. */
  readonly clientId: string
  readonly clientSecret: string
  /** Authority host. @default 'https://login.microsoftonline.com' */
  readonly authorityUrl?: string
  /** Alternate key column of opportunities holding `order_id`. `null` sends no opportunities. @default 'ecrm_orderid' */
  readonly orderKeyColumn?: string | null
  /** Create a completed `task` activity, regarding the contact, for other tracks. @default false */
  readonly activities?: boolean
  readonly traitsMap?: TraitsMap
  /** @default 'marketing' */
  readonly category?: string
  /** @default 'dynamics' */
  readonly name?: string
}

/**
 * Delivers to Dynamics 365: identify → contact upsert by the `emailaddress1` alternate key,
 * `Lead Captured` → new lead, `Order Completed` → opportunity upsert by `orderKeyColumn` bound to
 * the contact, other tracks → task activities (opt-in), `Data Erasure Requested` → delete of the
 * contact. One request per record: `$batch` is not used yet.
 *
 * @example
 * dynamicsDestination({ orgUrl: 'https://contoso.crm4.dynamics.com', tenantId, clientId, clientSecret })
 */
export function dynamicsDestination(options: DynamicsDestinationOptions): Destination {
  const orgUrl = options.orgUrl.replace(/\/+$/, '')
  const api = `${orgUrl}/api/data/v9.2`
  const authority = (options.authorityUrl ?? 'https://login.microsoftonline.com').replace(/\/+$/, '')
  const orderKey = options.orderKeyColumn === undefined ? 'ecrm_orderid' : options.orderKeyColumn
  const traitsMap = mergeTraitsMap(DYNAMICS_TRAITS_MAP, options.traitsMap)
  const contactPath = (email: string): string => `/contacts(emailaddress1=${odataString(email)})`

  const request = (method: 'POST' | 'PATCH', path: string, body: unknown, event: EcrmEvent): DestinationRequest =>
    jsonRequest(method, `${api}${path}`, body, [event.messageId], ODATA_HEADERS)

  const map = (event: EcrmEvent, { now }: { now: number }): DestinationRequest[] | null => {
    const email = emailOf(event)
    switch (crmActionOf(event)) {
      case 'contact': {
        if (email === undefined) return null
        const traits = traitsOf(event)
        const { first, last } = splitName(traits)
        const body = {
          ...applyTraitsMap(traits, traitsMap),
          ...(first === undefined ? {} : { firstname: first }),
          ...(last === undefined ? {} : { lastname: last }),
        }
        return [request('PATCH', contactPath(email), body, event)]
      }
      case 'lead': {
        const traits = leadTraitsOf(event)
        const { first, last } = splitName(traits)
        const props = propertiesOf(event)
        const company = traits.company as { name?: unknown } | string | undefined
        const body = {
          subject: typeof props.form_id === 'string' ? `Web form ${props.form_id}` : 'Web lead',
          ...applyTraitsMap(traits, traitsMap),
          ...(email === undefined ? {} : { emailaddress1: email }),
          ...(first === undefined ? {} : { firstname: first }),
          ...(last === undefined ? {} : { lastname: last }),
          ...(typeof company === 'string'
            ? { companyname: company }
            : typeof company?.name === 'string'
              ? { companyname: company.name }
              : {}),
        }
        delete (body as Record<string, unknown>).birthdate
        return [request('POST', '/leads', body, event)]
      }
      case 'order': {
        const props = propertiesOf(event)
        if (orderKey === null || typeof props.order_id !== 'string') return null
        const amount = amountOf(props.total) ?? amountOf(props.revenue)
        const body = {
          name: `Order ${props.order_id}`,
          actualclosedate: isoDate(occurredAtOf(event, now)),
          ...(amount === undefined ? {} : { estimatedvalue: amount, actualvalue: amount }),
          ...(email === undefined ? {} : { 'parentcontactid@odata.bind': contactPath(email) }),
        }
        return [request('PATCH', `/opportunities(${orderKey}=${odataString(props.order_id)})`, body, event)]
      }
      case 'activity': {
        if (options.activities !== true || email === undefined || event.type !== 'track') return null
        const body = {
          subject: event.event,
          description: JSON.stringify(propertiesOf(event)).slice(0, 2000),
          scheduledend: new Date(occurredAtOf(event, now)).toISOString(),
          'regardingobjectid_contact@odata.bind': contactPath(email),
        }
        return [request('POST', '/tasks', body, event)]
      }
      case 'erasure':
        if (email === undefined) return null
        // 404: no such contact, nothing to erase.
        return [
          {
            method: 'DELETE',
            url: `${api}${contactPath(email)}`,
            headers: ODATA_HEADERS,
            eventIds: [event.messageId],
            okStatuses: [404],
          },
        ]
      case 'ignore':
        return null
    }
  }

  return {
    name: options.name ?? 'dynamics',
    category: options.category ?? 'marketing',
    batchSize: 50,
    auth: {
      kind: 'oauth2',
      tokenRequest: () =>
        formTokenRequest(`${authority}/${encodeURIComponent(options.tenantId)}/oauth2/v2.0/token`, {
          client_id: options.clientId,
          client_secret: options.clientSecret,
          scope: `${orgUrl}/.default`,
          grant_type: 'client_credentials',
        }),
      parseToken: (body, now) => parseOAuthToken(body, now),
      authorize: (request, token) => withAuthorization(request, `Bearer ${token.accessToken}`),
    },
    map,
    interpret: interpretDynamics,
  }
}

/** Dataverse signals nothing beyond status and Retry-After; a 401 means renew the token. */
export function interpretDynamics(response: { status: number }): Interpretation | undefined {
  return response.status === 401 ? { kind: 'reauthorize' } : undefined
}
