/**
 * Per-record results inside a 2xx bulk answer: a vendor that takes 100 records and refuses 3
 * answers 200 (or 207), so the status alone would count the 3 as delivered. Each reader maps the
 * vendor's documented per-record answer back to the events of each record:
 * - HubSpot batch upsert/create: `{ status, results: [...], numErrors, errors: [{ status: 'error',
 *   category, message, context: { ids?: [...] } }] }`, 207 Multi-Status when some records failed
 *   https://developers.hubspot.com/docs/api-reference/error-handling
 *   https://developers.hubspot.com/docs/api-reference/latest/crm/objects/contacts/batch/upsert-contacts
 * - Salesforce sObject Collections: a JSON array of `{ id, success, errors: [{ statusCode, message,
 *   fields }] }` in the order of the records sent (200 OK even when some fail, `allOrNone: false`)
 *   https://developer.salesforce.com/docs/platform/api-rest/guide/resources-composite-sobjects-collections-upsert.html
 * - Zoho CRM upsert: `{ data: [{ code, details, message, status: 'success' | 'error' }] }` in the
 *   order of the records sent https://www.zoho.com/crm/developer/docs/api/v8/upsert-records.html
 */
import type { ItemFate } from '../delivery/deliveryEngine.js'
import type { DestinationResponse } from './destinationTypes.js'
import { parseJsonSafe } from './vendorHelpers.js'

/** The events each record of a bulk request carries, in the order the records were sent. */
export type RecordEvents = readonly (readonly string[])[]

/** Error codes that say "later", not "never": the record is retried, the others stay delivered. */
const SALESFORCE_TRANSIENT = new Set(['UNABLE_TO_LOCK_ROW', 'REQUEST_LIMIT_EXCEEDED', 'SERVER_UNAVAILABLE'])
const ZOHO_TRANSIENT = new Set(['TOO_MANY_REQUESTS', 'LIMIT_EXCEEDED', 'INTERNAL_ERROR'])
const HUBSPOT_TRANSIENT = new Set(['RATE_LIMITS'])

function fateOf(vendor: string, transient: boolean, reason: string): ItemFate {
  const why = `${vendor} refused the record: ${reason}`
  return transient ? { kind: 'retry', reason: why } : { kind: 'dead_letter', reason: why }
}

function setAll(fates: Map<string, ItemFate>, ids: readonly string[] | undefined, fate: ItemFate): void {
  for (const id of ids ?? []) fates.set(id, fate)
}

/**
 * Salesforce collection results: record `i` failed when `results[i].success === false`; its
 * `errors[].statusCode` and `message` are the reason.
 *
 * @example
 * salesforceRecordFates([['e1'], ['e2']])({ status: 200, headers: {}, body: '[{"success":true},{"success":false,"errors":[{"statusCode":"REQUIRED_FIELD_MISSING","message":"LastName"}]}]' })
 * // Map { 'e2' => { kind: 'dead_letter', reason: 'salesforce refused the record: REQUIRED_FIELD_MISSING: LastName' } }
 */
export function salesforceRecordFates(
  records: RecordEvents,
): (response: DestinationResponse) => ReadonlyMap<string, ItemFate> {
  return (response) => {
    const fates = new Map<string, ItemFate>()
    const results = parseJsonSafe(response.body)
    if (!Array.isArray(results)) return fates
    results.forEach(
      (result: { success?: unknown; errors?: { statusCode?: unknown; message?: unknown }[] } | null, index) => {
        if (result?.success !== false) return
        const errors = Array.isArray(result.errors) ? result.errors : []
        const reason =
          errors.map((error) => `${String(error.statusCode)}: ${String(error.message)}`).join('; ') || 'success: false'
        const transient =
          errors.length > 0 && errors.every((error) => SALESFORCE_TRANSIENT.has(String(error.statusCode)))
        setAll(fates, records[index], fateOf('salesforce', transient, reason))
      },
    )
    return fates
  }
}

/** Zoho upsert results: record `i` failed when `data[i].status === 'error'`; `code`, `message` and `details` are the reason. */
export function zohoRecordFates(
  records: RecordEvents,
): (response: DestinationResponse) => ReadonlyMap<string, ItemFate> {
  return (response) => {
    const fates = new Map<string, ItemFate>()
    const data = (parseJsonSafe(response.body) as { data?: unknown } | undefined)?.data
    if (!Array.isArray(data)) return fates
    data.forEach((result: { status?: unknown; code?: unknown; message?: unknown; details?: unknown } | null, index) => {
      if (result?.status !== 'error') return
      const details = result.details === undefined ? '' : ` ${JSON.stringify(result.details)}`
      setAll(
        fates,
        records[index],
        fateOf(
          'zoho',
          ZOHO_TRANSIENT.has(String(result.code)),
          `${String(result.code)}: ${String(result.message)}${details}`,
        ),
      )
    })
    return fates
  }
}

/**
 * HubSpot batch results: an error names its inputs in `context` (arrays of the ids sent, e.g.
 * `{ ids: ['a@x.example'] }`); a record named by no error and absent from `results` (matched on
 * `properties[idProperty]`) failed with the errors no record claimed. `category: 'RATE_LIMITS'`
 * is retried, every other category dead-lettered.
 */
export function hubspotRecordFates(
  records: readonly { readonly key: string; readonly eventIds: readonly string[] }[],
  idProperty: string,
): (response: DestinationResponse) => ReadonlyMap<string, ItemFate> {
  return (response) => {
    const fates = new Map<string, ItemFate>()
    const body = parseJsonSafe(response.body) as { errors?: unknown; results?: unknown } | undefined
    const errors = Array.isArray(body?.errors)
      ? (body.errors as { category?: unknown; message?: unknown; context?: unknown }[])
      : []
    if (errors.length === 0) return fates
    const byKey = new Map(records.map((record) => [record.key.toLowerCase(), record]))
    const claimed = new Set<string>()
    const unclaimed: ItemFate[] = []
    for (const error of errors) {
      const fate = fateOf(
        'hubspot',
        HUBSPOT_TRANSIENT.has(String(error.category)),
        `${String(error.category)}: ${String(error.message)}`,
      )
      const named = Object.values(typeof error.context === 'object' && error.context !== null ? error.context : {})
        .flat()
        .map((value) => String(value).toLowerCase())
      const hits = named.filter((key) => byKey.has(key))
      if (hits.length === 0) unclaimed.push(fate)
      for (const key of hits) {
        claimed.add(key)
        setAll(fates, byKey.get(key)?.eventIds, fate)
      }
    }
    const fallback = unclaimed[0]
    if (fallback === undefined) return fates
    const done = new Set(
      (Array.isArray(body?.results) ? (body.results as { properties?: Record<string, unknown> }[]) : []).map((result) =>
        String(result.properties?.[idProperty] ?? '').toLowerCase(),
      ),
    )
    for (const [key, record] of byKey) if (!claimed.has(key) && !done.has(key)) setAll(fates, record.eventIds, fallback)
    return fates
  }
}
