/**
 * Payamgostar CRM (REST API v2), following the vendor's published .NET client
 * https://github.com/1stco/PayamGostarApiClient (`PgPersonClient`, `RestSharpHttpClient`, the
 * `Person*Model` and `PgAuthenticationTicket` classes):
 * - persons: `POST {server}/api/v2/crmobject/person/find` with a `CrmObjectFindModel`
 *   (`{ TypeKey, Queries: [{ LogicalOperator: 0, Field, Operator: 0 (Equals), Value }] }`) answers
 *   `{ data: [PersonGetResult] }`; `person/create` takes a `PersonCreateModel` and answers
 *   `{ CrmId }`; `person/update` takes a `PersonUpdateModel` (with `CrmId`); `person/delete`
 *   takes `{ Id, Option }`; all JSON, `Authorization: Bearer <accessToken>`.
 * - consent fields on the person: `DontSms`, `DontEmail` (booleans).
 * Assumed where the client does not show it (no public v2 reference was found): the login is
 * `POST {server}/api/v2/auth/login` with JSON `{ username, password }` (the client's
 * `PgCredentials`), answering the ticket's fields `{ accessToken, expireDate }` (ISO date); an
 * expired or revoked token is answered 401 (the client's `PgAuthenticationStatus`).
 */
import type { EcrmEvent } from '../model/envelope.js'
import type { Destination, DestinationRequest, DestinationResponse } from './destinationTypes.js'
import {
  applyTraitsMap,
  crmActionOf,
  emailOf,
  leadTraitsOf,
  mergeTraitsMap,
  splitName,
  traitsOf,
} from './eventFields.js'
import type { TraitsMap } from './eventFields.js'
import { jsonRequest, parseJsonSafe, withAuthorization } from './vendorHelpers.js'

/** Default trait → person field map (`PersonCreateModel` property names). */
export const PAYAMGOSTAR_TRAITS_MAP: TraitsMap = {
  email: 'Email',
  website: 'Website',
  birthday: 'BirthDate',
  national_code: 'NationalCode',
  nickname: 'NickName',
}

/** Options of {@link payamgostarDestination}. */
export interface PayamgostarDestinationOptions {
  /** Your Payamgostar server, e.g. `https://crm.shop.example` (the client's `serviceUrl`). */
  readonly serverUrl: string
  /** An API user's name and password (server-side only). */
  readonly username: string
  readonly password: string
  /** The person type's key (`TypeKey` / `CrmObjectTypeCode`) persons are found in and created as. @default none sent (the server's default person type) */
  readonly typeKey?: string
  readonly traitsMap?: TraitsMap
  /** @default 'marketing' */
  readonly category?: string
  /** @default 'payamgostar' */
  readonly name?: string
}

/** What a person is found by: ecrm's `userId`, else the email. */
function refIdOf(event: EcrmEvent): string | undefined {
  return event.userId ?? emailOf(event)
}

/** `DontSms`/`DontEmail` from the event's consent: set only where ecrm knows the answer. */
function consentFields(event: EcrmEvent): Record<string, boolean> {
  const categories = event.context?.consent?.categories ?? {}
  const denied = (kind: string): boolean | undefined => {
    const specific = categories[`marketing.${kind}`]
    const general = categories.marketing
    if (specific === false || general === false) return true
    if (specific === true || general === true) return false
    return undefined
  }
  const fields: Record<string, boolean> = {}
  const sms = denied('sms')
  const email = denied('email')
  if (sms !== undefined) fields.DontSms = sms
  if (email !== undefined) fields.DontEmail = email
  return fields
}

/** The `CrmId` of the first person a `person/find` answer lists. */
function foundCrmId(response: DestinationResponse): string | undefined {
  const data = (parseJsonSafe(response.body) as { data?: unknown } | undefined)?.data
  const first = Array.isArray(data) ? (data[0] as { CrmId?: unknown } | undefined) : undefined
  return typeof first?.CrmId === 'string' && first.CrmId !== '' ? first.CrmId : undefined
}

/**
 * Delivers to Payamgostar: identify and `Lead Captured` → the person with `RefId` = ecrm's
 * `userId` (else the email) is looked up, then updated, or created when there is none — so a
 * retried event finds the person its first attempt created and never makes a second one;
 * `DontSms`/`DontEmail` follow the event's consent (`marketing`, `marketing.sms`,
 * `marketing.email`); `Data Erasure Requested` → the person is found and deleted. Other events
 * are not sent. The login token is renewed when it expires and when a call is answered 401.
 *
 * @example
 * payamgostarDestination({ serverUrl: 'https://crm.shop.example', username: 'ecrm', password: process.env.PG_PASSWORD! })
 */
export function payamgostarDestination(options: PayamgostarDestinationOptions): Destination {
  const base = options.serverUrl.replace(/\/+$/, '')
  const traitsMap = mergeTraitsMap(PAYAMGOSTAR_TRAITS_MAP, options.traitsMap)
  const typeKey = options.typeKey === undefined ? {} : { TypeKey: options.typeKey }

  const find = (
    refId: string,
    eventId: string,
    then: (crmId: string | undefined) => DestinationRequest[],
  ): DestinationRequest => ({
    ...jsonRequest(
      'POST',
      `${base}/api/v2/crmobject/person/find`,
      {
        ...typeKey,
        Queries: [{ LogicalOperator: 0, Field: 'RefId', Operator: 0, Value: refId }],
        PageNumber: 1,
        PageSize: 1,
      },
      [eventId],
    ),
    followUp: (response) => then(foundCrmId(response)),
  })

  const personOf = (event: EcrmEvent, refId: string): Record<string, unknown> => {
    const traits = crmActionOf(event) === 'lead' ? leadTraitsOf(event) : traitsOf(event)
    const { first, last } = splitName(traits)
    const email = emailOf(event)
    return {
      ...applyTraitsMap(traits, traitsMap),
      ...(email === undefined ? {} : { Email: email }),
      ...(first === undefined ? {} : { FirstName: first }),
      ...(last === undefined ? {} : { LastName: last }),
      ...consentFields(event),
      RefId: refId,
    }
  }

  const map = (event: EcrmEvent): DestinationRequest[] | null => {
    const action = crmActionOf(event)
    const refId = refIdOf(event)
    if (refId === undefined) return null
    if (action === 'contact' || action === 'lead') {
      const person = personOf(event, refId)
      return [
        find(refId, event.messageId, (crmId) =>
          crmId === undefined
            ? [
                jsonRequest(
                  'POST',
                  `${base}/api/v2/crmobject/person/create`,
                  { ...person, ...(options.typeKey === undefined ? {} : { CrmObjectTypeCode: options.typeKey }) },
                  [event.messageId],
                ),
              ]
            : [
                jsonRequest('POST', `${base}/api/v2/crmobject/person/update`, { ...person, CrmId: crmId }, [
                  event.messageId,
                ]),
              ],
        ),
      ]
    }
    if (action === 'erasure') {
      return [
        find(refId, event.messageId, (crmId) =>
          crmId === undefined
            ? []
            : [
                jsonRequest('POST', `${base}/api/v2/crmobject/person/delete`, { Id: crmId, Option: 0 }, [
                  event.messageId,
                ]),
              ],
        ),
      ]
    }
    return null
  }

  return {
    name: options.name ?? 'payamgostar',
    category: options.category ?? 'marketing',
    // One find-then-write per person: no bulk endpoint in v2's person API.
    batchSize: 20,
    auth: {
      kind: 'oauth2',
      tokenRequest: () =>
        jsonRequest(
          'POST',
          `${base}/api/v2/auth/login`,
          { username: options.username, password: options.password },
          [],
        ),
      parseToken: (body) => {
        const ticket = parseJsonSafe(body) as { accessToken?: unknown; expireDate?: unknown } | undefined
        if (typeof ticket?.accessToken !== 'string' || ticket.accessToken === '') return undefined
        const expiresAt = typeof ticket.expireDate === 'string' ? Date.parse(ticket.expireDate) : Number.NaN
        return Number.isNaN(expiresAt)
          ? { accessToken: ticket.accessToken }
          : { accessToken: ticket.accessToken, expiresAt }
      },
      authorize: (request, token) => withAuthorization(request, `Bearer ${token.accessToken}`),
    },
    map: (event) => map(event),
  }
}
