/**
 * Salesforce, per the REST API Developer Guide (API v62.0, Winter '25):
 * - sObject Collections upsert, up to 200 records by an external ID field:
 *   `PATCH /services/data/vXX.X/composite/sobjects/{SObject}/{ExternalIdField}` `{ allOrNone, records: [{ attributes: { type }, ... }] }`
 *   https://developer.salesforce.com/docs/platform/api-rest/guide/resources-composite-sobjects-collections-upsert.html
 * - sObject Collections create (platform events): `POST /services/data/vXX.X/composite/sobjects`
 * - delete by external ID: `DELETE /services/data/vXX.X/sobjects/{SObject}/{ExternalIdField}/{value}`
 * - OAuth 2.0 client credentials flow (or refresh token flow): `POST {My Domain}/services/oauth2/token`
 *   form `grant_type=client_credentials&client_id&client_secret`; answer `{ access_token, instance_url, ... }` (no expires_in)
 *   https://developer.salesforce.com/docs/atlas.en-us.chatterapi.meta/chatterapi/quickstart_connecting.htm
 * - errors: a JSON array `[{ errorCode, message }]`; 401 `INVALID_SESSION_ID` (renew the token),
 *   403 `REQUEST_LIMIT_EXCEEDED` (the org's API limit); `Sforce-Limit-Info: api-usage=used/limit`
 *   https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/errorcodes.htm
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
  isoDate,
  leadTraitsOf,
  mergeTraitsMap,
  occurredAtOf,
  propertiesOf,
  splitName,
  traitsOf,
} from './eventFields.js'
import type { TraitsMap } from './eventFields.js'
import { formTokenRequest, parseOAuthToken, resolveUrl } from './tokenSource.js'
import { salesforceRecordFates } from './recordFates.js'
import { jsonRequest, mapOneByBatch, parseJsonSafe, withAuthorization } from './vendorHelpers.js'

/** The Salesforce REST API version ecrm speaks. */
export const SALESFORCE_API_VERSION = 'v62.0'

/** Default trait → Contact/Lead field map (standard fields). */
export const SALESFORCE_TRAITS_MAP: TraitsMap = {
  email: 'Email',
  phone: 'Phone',
  title: 'Title',
  birthday: 'Birthdate',
  'address.street': 'MailingStreet',
  'address.city': 'MailingCity',
  'address.state': 'MailingState',
  'address.postal_code': 'MailingPostalCode',
  'address.country': 'MailingCountry',
}

/** How ecrm gets its Salesforce token. */
export type SalesforceCredentials =
  | { readonly grant: 'client_credentials'; readonly clientId: string; readonly clientSecret: string }
  | {
      readonly grant: 'refresh_token'
      readonly clientId: string
      readonly clientSecret: string
      readonly refreshToken: string
    }

/** Options of {@link salesforceDestination}. */
export interface SalesforceDestinationOptions {
  /** Your My Domain login URL, e.g. `https://acme.my.salesforce.com`: the token endpoint's host. */
  readonly loginUrl: string
  readonly credentials: SalesforceCredentials
  /** Contact/Lead external ID field (Text, External ID, Unique) holding the ecrm `userId` or email. @default 'Ecrm_Id__c' */
  readonly externalIdField?: string
  /** Opportunity external ID field holding `order_id`. `null` sends no opportunities. @default 'Ecrm_Order_Id__c' */
  readonly orderIdField?: string | null
  /** Stage of a completed order's opportunity. @default 'Closed Won' */
  readonly closedStage?: string
  /**
   * Platform event (`Ecrm_Event__e`, fields `Event_Name__c`, `User_Id__c`, `Email__c`,
   * `Occurred_At__c`, `Properties__c`) that other tracks are published to. @default none (not sent)
   */
  readonly platformEvent?: string
  readonly traitsMap?: TraitsMap
  /** How long to pause after `REQUEST_LIMIT_EXCEEDED`, in ms. @default 900_000 */
  readonly limitPauseMs?: number
  /** @default 'marketing' */
  readonly category?: string
  /** @default 'salesforce' */
  readonly name?: string
}

/**
 * Delivers to Salesforce: identify → Contact upsert, `Lead Captured` → Lead upsert, both by
 * `externalIdField` (`userId`, else email); `Order Completed` → Opportunity upsert by `order_id`;
 * other tracks → a platform event (when configured); `Data Erasure Requested` → delete of the
 * Contact and the Lead by external ID. Token renewal is automatic (on 401).
 *
 * @example
 * salesforceDestination({ loginUrl: 'https://acme.my.salesforce.com', credentials: { grant: 'client_credentials', clientId, clientSecret } })
 */
export function salesforceDestination(options: SalesforceDestinationOptions): Destination {
  const loginUrl = options.loginUrl.replace(/\/+$/, '')
  const idField = options.externalIdField ?? 'Ecrm_Id__c'
  const orderField = options.orderIdField === undefined ? 'Ecrm_Order_Id__c' : options.orderIdField
  const traitsMap = mergeTraitsMap(SALESFORCE_TRAITS_MAP, options.traitsMap)
  const api = `/services/data/${SALESFORCE_API_VERSION}`

  const keyOf = (event: EcrmEvent): string | undefined => event.userId ?? emailOf(event)

  const personRecord = (event: EcrmEvent, type: 'Contact' | 'Lead'): Record<string, unknown> | null => {
    const key = type === 'Lead' ? (emailOf(event) ?? event.userId) : keyOf(event)
    if (key === undefined) return null
    const traits = type === 'Lead' ? leadTraitsOf(event) : traitsOf(event)
    const fields: Record<string, unknown> = applyTraitsMap(traits, traitsMap)
    if (type === 'Lead') {
      // Leads have no Mailing* address fields; the same values go to the plain ones.
      for (const name of Object.keys(fields)) {
        if (name.startsWith('Mailing')) {
          fields[name.slice('Mailing'.length)] = fields[name]
          delete fields[name]
        }
      }
      delete fields.Birthdate
      const company = traits.company
      fields.Company =
        typeof company === 'string'
          ? company
          : typeof (company as { name?: unknown } | undefined)?.name === 'string'
            ? (company as { name: string }).name
            : '[not provided]'
      fields.LeadSource = 'Web'
    }
    const { first, last } = splitName(traits)
    // LastName is required on Contact and Lead.
    return {
      attributes: { type },
      [idField]: key,
      ...fields,
      ...(first === undefined ? {} : { FirstName: first }),
      LastName: last ?? '[not provided]',
    }
  }

  const upserts = (
    type: 'Contact' | 'Lead' | 'Opportunity',
    field: string,
    rows: readonly Row[],
  ): DestinationRequest[] =>
    chunk(rows, 200).map((part) => ({
      ...jsonRequest(
        'PATCH',
        `${api}/composite/sobjects/${type}/${field}`,
        { allOrNone: false, records: part.map(([record]) => record) },
        part.flatMap(([, ids]) => ids),
      ),
      recordFates: salesforceRecordFates(part.map(([, ids]) => ids)),
    }))

  const mapBatch = (events: readonly EcrmEvent[], { now }: { now: number }): DestinationRequest[] => {
    const groups = groupBy(events, crmActionOf)
    const rowsOf = (action: 'contact' | 'lead', type: 'Contact' | 'Lead'): Row[] =>
      dedupe(
        (groups.get(action) ?? []).flatMap((event) => {
          const record = personRecord(event, type)
          return record === null ? [] : [[record, event.messageId] as [Record<string, unknown>, string]]
        }),
        (record) => String(record[idField]),
      )
    const requests = [
      ...upserts('Contact', idField, rowsOf('contact', 'Contact')),
      ...upserts('Lead', idField, rowsOf('lead', 'Lead')),
    ]
    if (orderField !== null) {
      const rows = dedupe(
        (groups.get('order') ?? []).flatMap((event) => {
          const props = propertiesOf(event)
          if (typeof props.order_id !== 'string') return []
          const amount = amountOf(props.total) ?? amountOf(props.revenue)
          const record: Record<string, unknown> = {
            attributes: { type: 'Opportunity' },
            [orderField]: props.order_id,
            Name: `Order ${props.order_id}`,
            StageName: options.closedStage ?? 'Closed Won',
            CloseDate: isoDate(occurredAtOf(event, now)),
            ...(amount === undefined ? {} : { Amount: amount }),
          }
          return [[record, event.messageId] as [Record<string, unknown>, string]]
        }),
        (record) => String(record[orderField]),
      )
      requests.push(...upserts('Opportunity', orderField, rows))
    }
    if (options.platformEvent !== undefined) {
      const type = options.platformEvent
      for (const part of chunk(groups.get('activity') ?? [], 200)) {
        requests.push({
          ...jsonRequest(
            'POST',
            `${api}/composite/sobjects`,
            {
              allOrNone: false,
              records: part.map((event) => ({
                attributes: { type },
                Event_Name__c: (event as { event: string }).event,
                User_Id__c: event.userId ?? event.anonymousId ?? null,
                Email__c: emailOf(event) ?? null,
                Occurred_At__c: new Date(occurredAtOf(event, now)).toISOString(),
                Properties__c: JSON.stringify(propertiesOf(event)).slice(0, 131_072),
              })),
            },
            part.map((event) => event.messageId),
          ),
          recordFates: salesforceRecordFates(part.map((event) => [event.messageId])),
        })
      }
    }
    for (const event of groups.get('erasure') ?? []) {
      const keys = new Map<string, 'Contact' | 'Lead'>()
      const contactKey = keyOf(event)
      const leadKey = emailOf(event) ?? event.userId
      const targets: [type: 'Contact' | 'Lead', key: string | undefined][] = [
        ['Contact', contactKey],
        ['Lead', leadKey],
      ]
      for (const [type, key] of targets) if (key !== undefined) keys.set(`${type}/${key}`, type)
      for (const path of keys.keys()) {
        const [type, ...rest] = path.split('/')
        // 404 NOT_FOUND: nothing left to delete.
        requests.push({
          method: 'DELETE',
          url: `${api}/sobjects/${type}/${idField}/${encodeURIComponent(rest.join('/'))}`,
          eventIds: [event.messageId],
          okStatuses: [404],
        })
      }
    }
    return requests
  }

  return {
    name: options.name ?? 'salesforce',
    category: options.category ?? 'marketing',
    batchSize: 200,
    auth: {
      kind: 'oauth2',
      tokenRequest: () =>
        formTokenRequest(
          `${loginUrl}/services/oauth2/token`,
          options.credentials.grant === 'client_credentials'
            ? {
                grant_type: 'client_credentials',
                client_id: options.credentials.clientId,
                client_secret: options.credentials.clientSecret,
              }
            : {
                grant_type: 'refresh_token',
                client_id: options.credentials.clientId,
                client_secret: options.credentials.clientSecret,
                refresh_token: options.credentials.refreshToken,
              },
        ),
      parseToken: (body, now) => parseOAuthToken(body, now, 'instance_url'),
      authorize: (request, token) =>
        withAuthorization(
          { ...request, url: resolveUrl(token.instanceUrl ?? loginUrl, request.url) },
          `Bearer ${token.accessToken}`,
        ),
    },
    map: mapOneByBatch(mapBatch),
    mapBatch,
    interpret: (response) => interpretSalesforce(response, options.limitPauseMs ?? 900_000),
  }
}

/** Salesforce's own signals: a refused session, the org's API limit reached (403, not 429). */
export function interpretSalesforce(
  response: { status: number; headers: Readonly<Record<string, string>>; body: string },
  limitPauseMs: number,
): Interpretation | undefined {
  const codes = errorCodes(response.body)
  if (response.status === 401 || codes.includes('INVALID_SESSION_ID')) return { kind: 'reauthorize' }
  if (codes.includes('REQUEST_LIMIT_EXCEEDED')) return { kind: 'retry', retryAfterMs: limitPauseMs }
  const usage = /api-usage=(\d+)\/(\d+)/.exec(response.headers['sforce-limit-info'] ?? '')
  if (response.status >= 200 && response.status < 300 && usage !== null && Number(usage[1]) >= Number(usage[2])) {
    return { kind: 'delivered', pauseMs: limitPauseMs }
  }
  return undefined
}

function errorCodes(body: string): string[] {
  const json = parseJsonSafe(body)
  if (!Array.isArray(json)) return []
  return json.flatMap((entry) =>
    typeof (entry as { errorCode?: unknown })?.errorCode === 'string'
      ? [(entry as { errorCode: string }).errorCode]
      : [],
  )
}

type Row = [record: Record<string, unknown>, eventIds: string[]]

/** One record per external ID (a collection may not name a record twice), carrying all its events. */
function dedupe(
  rows: readonly [Record<string, unknown>, string][],
  keyOf: (record: Record<string, unknown>) => string,
): Row[] {
  const byKey = new Map<string, Row>()
  for (const [record, id] of rows) {
    const known = byKey.get(keyOf(record))
    byKey.set(keyOf(record), known === undefined ? [record, [id]] : [{ ...known[0], ...record }, [...known[1], id]])
  }
  return [...byKey.values()]
}
