import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { salesforceDestination } from '../../../core/src/destinations/index.js'
import { createDestinationFanout } from '../../src/destinations/index.js'
import { createTestTime, makeEvent, startVendorServer } from './vendorServer.js'
import type { Answer, SeenRequest, VendorServer } from './vendorServer.js'

// Shapes from the Salesforce REST API Developer Guide (v62.0): OAuth 2.0 client credentials
// token answer, sObject Collections upsert/create, delete by external ID, error arrays.
const API = '/services/data/v62.0'
const CLIENT = { clientId: '3MVG9-test-consumer-key', clientSecret: 'test-consumer-secret' }

interface Org {
  validTokens: Set<string>
  issued: number
}

function checkSalesforce(request: SeenRequest, org: Org): { problems: string[]; unauthorized?: boolean } {
  const problems: string[] = []
  if (request.pathname === '/services/oauth2/token') {
    if (request.method !== 'POST') problems.push('token request must be POST')
    if (request.headers['content-type'] !== 'application/x-www-form-urlencoded')
      problems.push('token request must be form-encoded')
    const form = new URLSearchParams(request.body)
    if (
      form.get('grant_type') !== 'client_credentials' ||
      form.get('client_id') !== CLIENT.clientId ||
      form.get('client_secret') !== CLIENT.clientSecret
    )
      problems.push('bad client credentials grant')
    return { problems }
  }
  const token = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1]
  if (token === undefined || !org.validTokens.has(token)) return { problems, unauthorized: true }
  const upsert = new RegExp(`^${API}/composite/sobjects/(Contact|Lead|Opportunity)/([A-Za-z_]+__c)$`).exec(
    request.pathname,
  )
  const remove = new RegExp(`^${API}/sobjects/(Contact|Lead)/Ecrm_Id__c/(.+)$`).exec(request.pathname)
  if (upsert !== null) {
    const [, type, field] = upsert as unknown as [string, string, string]
    if (request.method !== 'PATCH') problems.push('collection upsert must be PATCH')
    const records = request.json?.records
    if (typeof request.json?.allOrNone !== 'boolean') problems.push('allOrNone missing')
    if (!Array.isArray(records) || records.length === 0 || records.length > 200)
      return { problems: [...problems, 'records must hold 1-200'] }
    const keys = new Set<string>()
    for (const record of records) {
      if (record.attributes?.type !== type)
        problems.push(`record type ${record.attributes?.type} in a ${type} collection`)
      if ('Id' in record) problems.push('upsert records must not carry Id')
      if (typeof record[field] !== 'string') problems.push(`external id ${field} missing`)
      if (keys.has(record[field])) problems.push(`external id ${record[field]} twice`)
      keys.add(record[field])
      const required =
        type === 'Contact'
          ? ['LastName']
          : type === 'Lead'
            ? ['LastName', 'Company']
            : ['Name', 'StageName', 'CloseDate']
      for (const name of required)
        if (typeof record[name] !== 'string' || record[name] === '') problems.push(`${type}.${name} required`)
      if (type === 'Opportunity' && !/^\d{4}-\d{2}-\d{2}$/.test(record.CloseDate ?? ''))
        problems.push('CloseDate must be YYYY-MM-DD')
      if (type === 'Lead' && Object.keys(record).some((key) => key.startsWith('Mailing')))
        problems.push('Lead has no Mailing* fields')
    }
    return { problems }
  }
  if (request.pathname === `${API}/composite/sobjects`) {
    if (request.method !== 'POST') problems.push('collection create must be POST')
    for (const record of request.json?.records ?? [])
      if (!/__e$/.test(record.attributes?.type ?? '')) problems.push('only platform events are created here')
    return { problems }
  }
  if (remove !== null) {
    if (request.method !== 'DELETE') problems.push('delete must be DELETE')
    return { problems }
  }
  return { problems: [...problems, `no such endpoint ${request.method} ${request.pathname}`] }
}

describe('salesforceDestination (contract, local Salesforce stand-in)', () => {
  let server: VendorServer
  let org: Org
  let override: ((request: SeenRequest) => Answer | undefined) | undefined
  beforeEach(async () => {
    org = { validTokens: new Set(), issued: 0 }
    override = undefined
    server = await startVendorServer((request) => {
      const { problems, unauthorized } = checkSalesforce(request, org)
      server.problems.push(...problems)
      if (unauthorized === true)
        return { status: 401, body: [{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }] }
      if (problems.length > 0)
        return { status: 400, body: [{ message: problems.join('; '), errorCode: 'JSON_PARSER_ERROR' }] }
      const special = override?.(request)
      if (special !== undefined) return special
      if (request.pathname === '/services/oauth2/token') {
        org.issued += 1
        const token = `00D000000000001!token-${org.issued}`
        org.validTokens.add(token)
        return {
          status: 200,
          body: {
            access_token: token,
            signature: 'sig=',
            token_format: 'opaque',
            instance_url: server.url,
            id: `${server.url}/id/00D/005`,
            token_type: 'Bearer',
            issued_at: '1772359200000',
          },
        }
      }
      if (request.method === 'DELETE')
        return request.pathname.includes('missing')
          ? { status: 404, body: [{ errorCode: 'NOT_FOUND', message: 'The requested resource does not exist' }] }
          : { status: 204 }
      const records = request.json.records as unknown[]
      return {
        status: 200,
        headers: { 'sforce-limit-info': 'api-usage=25/15000' },
        body: records.map((_, index) => ({ id: `003000000000${index}AAA`, success: true, errors: [], created: true })),
      }
    })
  })
  afterEach(async () => server.close())

  const setup = () => {
    const time = createTestTime()
    const deadLetters: string[] = []
    const fanout = createDestinationFanout({
      destinations: [
        salesforceDestination({
          loginUrl: server.url,
          credentials: { grant: 'client_credentials', ...CLIENT },
          platformEvent: 'Ecrm_Event__e',
        }),
      ],
      clock: time.clock,
      scheduler: time.scheduler,
      random: () => 0.5,
      onDeadLetter: (_name, _events, reason) => deadLetters.push(reason),
    })
    return { time, fanout, deadLetters }
  }

  it('gets a token once, then upserts contacts, leads, opportunities, publishes events and deletes on erasure', async () => {
    const { fanout, deadLetters } = setup()
    await fanout.deliver([
      makeEvent({
        type: 'identify',
        userId: 'u-1',
        traits: { email: 'ada@example.com', name: 'Ada King Lovelace', address: { city: 'London' } },
      }),
      makeEvent({
        type: 'track',
        anonymousId: 'a-1',
        event: 'Lead Captured',
        properties: {
          email: 'grace@example.com',
          fields: { last_name: 'Hopper', company: { name: 'Navy' } },
          address: { city: 'Arlington' },
        },
      }),
      makeEvent({
        type: 'track',
        userId: 'u-1',
        event: 'Order Completed',
        properties: { order_id: 'o-9', revenue: '120.00' },
      }),
      makeEvent({ type: 'track', userId: 'u-1', event: 'Product Viewed', properties: { product_id: 'sku-1' } }),
      makeEvent({ type: 'track', userId: 'missing', event: 'Data Erasure Requested', properties: {} }),
    ])
    await fanout.flush()
    expect(server.problems).toEqual([])
    expect(deadLetters).toEqual([])
    expect(server.requests.map((request) => `${request.method} ${request.pathname}`)).toEqual([
      'POST /services/oauth2/token',
      `PATCH ${API}/composite/sobjects/Contact/Ecrm_Id__c`,
      `PATCH ${API}/composite/sobjects/Lead/Ecrm_Id__c`,
      `PATCH ${API}/composite/sobjects/Opportunity/Ecrm_Order_Id__c`,
      `POST ${API}/composite/sobjects`,
      // both answer 404 NOT_FOUND: nothing left to erase counts as erased
      `DELETE ${API}/sobjects/Contact/Ecrm_Id__c/missing`,
      `DELETE ${API}/sobjects/Lead/Ecrm_Id__c/missing`,
    ])
    expect(server.requests[1]!.json.records[0]).toEqual({
      attributes: { type: 'Contact' },
      Ecrm_Id__c: 'u-1',
      Email: 'ada@example.com',
      MailingCity: 'London',
      FirstName: 'Ada King',
      LastName: 'Lovelace',
    })
    expect(server.requests[2]!.json.records[0]).toMatchObject({
      attributes: { type: 'Lead' },
      Ecrm_Id__c: 'grace@example.com',
      Email: 'grace@example.com',
      LastName: 'Hopper',
      Company: 'Navy',
      City: 'Arlington',
    })
    expect(server.requests[3]!.json.records[0]).toEqual({
      attributes: { type: 'Opportunity' },
      Ecrm_Order_Id__c: 'o-9',
      Name: 'Order o-9',
      StageName: 'Closed Won',
      CloseDate: '2026-03-01',
      Amount: 120,
    })
    expect(server.requests[4]!.json.records[0]).toMatchObject({
      attributes: { type: 'Ecrm_Event__e' },
      Event_Name__c: 'Product Viewed',
      User_Id__c: 'u-1',
    })
    expect(fanout.stats().salesforce).toMatchObject({ delivered: 5, queued: 0, tokenRequests: 1 })
    await fanout.close()
  })

  it('renews a revoked token and sends the refused request again', async () => {
    const { fanout, deadLetters } = setup()
    await fanout.deliver([
      makeEvent({ type: 'identify', userId: 'u-1', traits: { email: 'ada@example.com', last_name: 'Lovelace' } }),
    ])
    await fanout.flush()
    org.validTokens.clear() // an admin revoked the session
    await fanout.deliver([
      makeEvent({ type: 'identify', userId: 'u-2', traits: { email: 'alan@example.com', last_name: 'Turing' } }),
    ])
    await fanout.flush()
    const calls = server.requests.map((request) =>
      request.pathname.endsWith('token')
        ? 'token'
        : `${request.json?.records?.[0]?.Ecrm_Id__c}:${request.headers.authorization?.slice(-7)}`,
    )
    expect(calls).toEqual(['token', 'u-1:token-1', 'u-2:token-1', 'token', 'u-2:token-2'])
    expect(deadLetters).toEqual([])
    expect(fanout.stats().salesforce).toMatchObject({ delivered: 2, tokenRequests: 2, queued: 0 })
    await fanout.close()
  })

  it('pauses on REQUEST_LIMIT_EXCEEDED (a 403) instead of dropping the events', async () => {
    const { time, fanout, deadLetters } = setup()
    override = (request) =>
      request.method === 'PATCH'
        ? { status: 403, body: [{ message: 'TotalRequests Limit exceeded.', errorCode: 'REQUEST_LIMIT_EXCEEDED' }] }
        : undefined
    await fanout.deliver([makeEvent({ type: 'identify', userId: 'u-1', traits: { email: 'ada@example.com' } })])
    await fanout.flush()
    expect(deadLetters).toEqual([])
    expect(fanout.stats().salesforce).toMatchObject({ queued: 1, pausedUntil: time.clock.now() + 900_000 })
    override = undefined
    time.advance(900_000)
    await fanout.flush()
    expect(fanout.stats().salesforce).toMatchObject({ queued: 0, delivered: 1 })
    await fanout.close()
  })
})
