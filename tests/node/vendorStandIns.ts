import { startVendorServer } from '../../packages/node/test/destinations/vendorServer.js'
import type { Answer, SeenRequest, VendorServer } from '../../packages/node/test/destinations/vendorServer.js'
import { verifyWebhookSignature } from '../../packages/node/src/destinations/webhookDestination.js'

/**
 * One local server standing in for every vendor of docs/destinations/serve.md, answering with
 * the documented shapes (cited in each mapping's source):
 * - webhook: the signed Segment batch, checked with `verifyWebhookSignature`;
 * - HubSpot `POST /crm/v3/objects/{contacts,deals}/batch/upsert` → `{ status, results, errors?, numErrors? }` (207 when `errors`);
 * - Salesforce `POST /services/oauth2/token` → `{ access_token, instance_url }`,
 *   `PATCH /services/data/v62.0/composite/sobjects/{type}/{field}` → `[{ id, success, errors, created }]`;
 * - Zoho `POST /oauth/v2/token` → `{ access_token, expires_in, api_domain }`,
 *   `POST /crm/v8/{Module}/upsert` → `{ data: [{ code, details, message, status }] }`;
 * - Payamgostar `api/v2/auth/login`, `api/v2/crmobject/person/{find,create,update,delete}` (1stco/PayamGostarApiClient).
 */
export interface StandIns {
  readonly server: VendorServer
  readonly webhookSecret: string
  /** Webhook events received (signature checked), in order. */
  readonly webhookEvents: Record<string, any>[]
  /** Payamgostar persons by CrmId. */
  readonly persons: Map<string, Record<string, any>>
  /** Payamgostar logins, and the tokens it still accepts. */
  readonly pg: { logins: number; valid: Set<string>; expiresInMs: number }
  /** Per-record answer overrides: record key (email, external id) → the failure to report. */
  readonly refuse: Map<
    string,
    { vendor: 'hubspot' | 'salesforce' | 'zoho'; code: string; message: string; times: number }
  >
  /** Payamgostar: fail `person/create` with a 500 after storing the person, this many times. */
  readonly pgCreateCrashes: { left: number }
}

function refusal(standIns: StandIns, vendor: string, key: string): { code: string; message: string } | undefined {
  const entry = standIns.refuse.get(key.toLowerCase())
  if (entry === undefined || entry.vendor !== vendor || entry.times <= 0) return undefined
  entry.times -= 1
  return entry
}

function hubspot(standIns: StandIns, request: SeenRequest): Answer {
  const inputs = request.json.inputs as { id: string; idProperty: string; properties: Record<string, unknown> }[]
  const errors: unknown[] = []
  const results: unknown[] = []
  inputs.forEach((input, index) => {
    const refused = refusal(standIns, 'hubspot', input.id)
    if (refused === undefined)
      results.push({
        id: String(500 + index),
        properties: { ...input.properties, [input.idProperty]: input.id },
        new: true,
        archived: false,
        createdAt: '2026-03-01T10:00:00Z',
        updatedAt: '2026-03-01T10:00:00Z',
      })
    else
      errors.push({ status: 'error', category: refused.code, message: refused.message, context: { ids: [input.id] } })
  })
  const body = {
    status: 'COMPLETE',
    results,
    startedAt: '2026-03-01T10:00:00Z',
    completedAt: '2026-03-01T10:00:01Z',
    ...(errors.length > 0 ? { errors, numErrors: errors.length } : {}),
  }
  return { status: errors.length > 0 ? 207 : 200, body }
}

function salesforce(standIns: StandIns, request: SeenRequest): Answer {
  const field = request.pathname.split('/').at(-1) as string
  const records = request.json.records as Record<string, unknown>[]
  return {
    status: 200,
    body: records.map((record, index) => {
      const refused = refusal(standIns, 'salesforce', String(record[field]))
      return refused === undefined
        ? { id: `003000000000${index}AAA`, success: true, errors: [], created: true }
        : { success: false, errors: [{ statusCode: refused.code, message: refused.message, fields: [] }] }
    }),
  }
}

function zoho(standIns: StandIns, request: SeenRequest): Answer {
  const records = request.json.data as Record<string, unknown>[]
  return {
    status: 200,
    body: {
      data: records.map((record, index) => {
        const refused = refusal(standIns, 'zoho', String(record.Email ?? record.Ecrm_Order_Id))
        return refused === undefined
          ? {
              code: 'SUCCESS',
              details: { id: `5725767000000${index}`, Modified_Time: '2026-03-01T10:00:00+00:00' },
              message: 'record added',
              status: 'success',
            }
          : {
              code: refused.code,
              details: { api_name: 'Email', json_path: `$.data[${index}].Email` },
              message: refused.message,
              status: 'error',
            }
      }),
    },
  }
}

function payamgostar(standIns: StandIns, request: SeenRequest, now: () => number): Answer {
  const { pg, persons } = standIns
  if (request.pathname === '/api/v2/auth/login') {
    if (request.json?.username !== 'ecrm-api' || request.json?.password !== 'pg-password')
      return { status: 401, body: { message: 'bad credentials' } }
    pg.logins += 1
    const token = `pg-token-${pg.logins}`
    pg.valid.add(token)
    return { status: 200, body: { accessToken: token, expireDate: new Date(now() + pg.expiresInMs).toISOString() } }
  }
  const token = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1]
  if (token === undefined || !pg.valid.has(token)) return { status: 401, body: { message: 'token expired' } }
  const byRefId = (refId: unknown) => [...persons.values()].find((person) => person.RefId === refId)
  switch (request.pathname) {
    case '/api/v2/crmobject/person/find': {
      const query = request.json?.Queries?.[0]
      if (query?.Field !== 'RefId' || query?.Operator !== 0)
        return { status: 400, body: { message: 'expected a RefId Equals query' } }
      const found = byRefId(query.Value)
      return { status: 200, body: { data: found === undefined ? [] : [found] } }
    }
    case '/api/v2/crmobject/person/create': {
      if (typeof request.json?.RefId !== 'string') return { status: 400, body: { message: 'RefId missing' } }
      if (byRefId(request.json.RefId) !== undefined)
        return { status: 400, body: { message: `duplicate RefId ${request.json.RefId}` } }
      const crmId = `00000000-0000-4000-8000-${String(persons.size + 1).padStart(12, '0')}`
      persons.set(crmId, { ...request.json, CrmId: crmId })
      // The write happened, the answer is lost: what a retry must not turn into a second person.
      if (standIns.pgCreateCrashes.left > 0) {
        standIns.pgCreateCrashes.left -= 1
        return { status: 500, body: { message: 'internal error' } }
      }
      return { status: 200, body: { CrmId: crmId } }
    }
    case '/api/v2/crmobject/person/update': {
      const person = persons.get(request.json?.CrmId)
      if (person === undefined) return { status: 404, body: { message: 'no such person' } }
      persons.set(person.CrmId, { ...person, ...request.json })
      return { status: 200, body: { CrmId: person.CrmId } }
    }
    case '/api/v2/crmobject/person/delete':
      persons.delete(request.json?.Id)
      return { status: 200, body: '' }
    default:
      return { status: 404, body: { message: 'no such endpoint' } }
  }
}

/** Starts the stand-ins; `now` is the vendor's clock (Payamgostar's token expiry). */
export async function startStandIns(now: () => number = Date.now): Promise<StandIns> {
  const standIns = {
    webhookSecret: 'whsec-ecrm-tests-0123456789abcdef',
    webhookEvents: [] as Record<string, any>[],
    persons: new Map<string, Record<string, any>>(),
    pg: { logins: 0, valid: new Set<string>(), expiresInMs: 3_600_000 },
    refuse: new Map(),
    pgCreateCrashes: { left: 0 },
  } as Omit<StandIns, 'server'> as StandIns
  const server = await startVendorServer((request) => {
    const path = request.pathname
    if (path === '/hooks/ecrm') {
      const check = verifyWebhookSignature({
        body: request.body,
        header: request.headers['ecrm-signature'],
        secret: standIns.webhookSecret,
      })
      if (!check.ok) return { status: 401, body: { error: check.reason } }
      standIns.webhookEvents.push(...(request.json.batch as Record<string, any>[]))
      return { status: 200, body: { ok: true } }
    }
    if (path.startsWith('/crm/v3/objects/')) return hubspot(standIns, request)
    if (path === '/services/oauth2/token')
      return {
        status: 200,
        body: { access_token: 'sf-token', instance_url: server.url, token_type: 'Bearer', issued_at: String(now()) },
      }
    if (path.startsWith('/services/data/')) return salesforce(standIns, request)
    if (path === '/oauth/v2/token')
      return {
        status: 200,
        body: { access_token: 'zoho-token', expires_in: 3600, api_domain: server.url, token_type: 'Bearer' },
      }
    if (path.startsWith('/crm/v8/')) return zoho(standIns, request)
    if (path.startsWith('/api/v2/')) return payamgostar(standIns, request, now)
    return { status: 404, body: { message: `no stand-in for ${request.method} ${path}` } }
  })
  ;(standIns as { server: VendorServer }).server = server
  return standIns
}

/** The environment the documented config reads its secrets from. */
export const STAND_IN_SECRETS = {
  ECRM_WEBHOOK_SECRET: 'whsec-ecrm-tests-0123456789abcdef',
  HUBSPOT_TOKEN: 'pat-na1-test',
  SALESFORCE_CLIENT_SECRET: 'sf-secret',
  ZOHO_CLIENT_SECRET: 'zoho-secret',
  ZOHO_REFRESH_TOKEN: 'zoho-refresh',
  PAYAMGOSTAR_PASSWORD: 'pg-password',
}

/** docs/destinations/serve.md's config with every vendor URL pointed at the stand-ins. */
export function pointAtStandIns(config: Record<string, any>, url: string): Record<string, any> {
  const destinations = config.destinations
  destinations.hooks.url = `${url}/hooks/ecrm`
  destinations.hubspot.baseUrl = url
  destinations.salesforce.loginUrl = url
  destinations.zoho.accountsUrl = url
  destinations.zoho.apiDomain = url
  destinations.payamgostar.serverUrl = url
  return config
}
