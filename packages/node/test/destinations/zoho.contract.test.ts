import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { zohoDestination } from '../../../core/src/destinations/index.js'
import { createDestinationFanout } from '../../src/destinations/index.js'
import { createTestTime, makeEvent, startVendorServer } from './vendorServer.js'
import type { SeenRequest, VendorServer } from './vendorServer.js'

// Shapes from the Zoho CRM API v8 docs: refresh-token grant (query parameters), upsert with
// duplicate_check_fields, search by email (204 when none), delete by ids, `Zoho-oauthtoken` header.
const CLIENT = { clientId: '1000.TESTCLIENT', clientSecret: 'test-secret', refreshToken: '1000.refresh.token' }

describe('zohoDestination (contract, local Zoho stand-in)', () => {
  let server: VendorServer
  let issued = 0
  const check = (request: SeenRequest): string[] => {
    const problems: string[] = []
    if (request.pathname === '/oauth/v2/token') {
      const q = request.query
      if (
        request.method !== 'POST' ||
        q.get('grant_type') !== 'refresh_token' ||
        q.get('refresh_token') !== CLIENT.refreshToken ||
        q.get('client_id') !== CLIENT.clientId ||
        q.get('client_secret') !== CLIENT.clientSecret
      )
        problems.push('bad refresh-token grant')
      return problems
    }
    if (request.headers.authorization !== `Zoho-oauthtoken token-${issued}`)
      problems.push(`stale or missing Zoho-oauthtoken: ${request.headers.authorization}`)
    const upsert = /^\/crm\/v8\/(Contacts|Leads|Deals)\/upsert$/.exec(request.pathname)
    if (upsert !== null) {
      const data = request.json?.data
      if (request.method !== 'POST') problems.push('upsert must be POST')
      if (!Array.isArray(data) || data.length === 0 || data.length > 100) problems.push('data must hold 1-100 records')
      const check = request.json?.duplicate_check_fields
      if (!Array.isArray(check) || check.length !== 1) problems.push('duplicate_check_fields missing')
      for (const record of data ?? []) {
        if (upsert[1] !== 'Deals' && (typeof record.Last_Name !== 'string' || typeof record.Email !== 'string'))
          problems.push('Last_Name and Email required')
        if (upsert[1] === 'Leads' && typeof record.Company !== 'string') problems.push('Leads need Company')
        if (upsert[1] === 'Deals' && !/^\d{4}-\d{2}-\d{2}$/.test(record.Closing_Date ?? ''))
          problems.push('Closing_Date must be YYYY-MM-DD')
      }
      return problems
    }
    if (
      /^\/crm\/v8\/(Contacts|Leads)\/search$/.test(request.pathname) &&
      request.method === 'GET' &&
      request.query.has('email')
    )
      return problems
    if (
      /^\/crm\/v8\/(Contacts|Leads)$/.test(request.pathname) &&
      request.method === 'DELETE' &&
      /^\d+(,\d+)*$/.test(request.query.get('ids') ?? '')
    )
      return problems
    return [...problems, `no such endpoint ${request.method} ${request.path}`]
  }

  beforeEach(async () => {
    issued = 0
    server = await startVendorServer((request) => {
      const problems = check(request)
      server.problems.push(...problems)
      if (problems.length > 0)
        return {
          status: 400,
          body: { code: 'INVALID_DATA', details: {}, message: problems.join('; '), status: 'error' },
        }
      if (request.pathname === '/oauth/v2/token') {
        issued += 1
        return {
          status: 200,
          body: {
            access_token: `token-${issued}`,
            scope: 'ZohoCRM.modules.ALL',
            api_domain: server.url,
            token_type: 'Bearer',
            expires_in: 3600,
          },
        }
      }
      if (request.pathname.endsWith('/search'))
        return request.pathname.includes('Leads')
          ? { status: 204 }
          : {
              status: 200,
              body: {
                data: [{ id: '5725767000000411001' }, { id: '5725767000000411002' }],
                info: { count: 2, more_records: false },
              },
            }
      if (request.method === 'DELETE')
        return {
          status: 200,
          body: {
            data: request.query
              .get('ids')!
              .split(',')
              .map((id) => ({ code: 'SUCCESS', details: { id }, message: 'record deleted', status: 'success' })),
          },
        }
      return {
        status: 200,
        body: {
          data: request.json.data.map(() => ({
            code: 'SUCCESS',
            duplicate_field: 'Email',
            action: 'insert',
            details: { id: '5725767000000524157' },
            message: 'record added',
            status: 'success',
          })),
        },
      }
    })
  })
  afterEach(async () => server.close())

  it('upserts contacts, leads and deals, erases by search then delete, and renews the hourly token before it expires', async () => {
    const time = createTestTime()
    const deadLetters: string[] = []
    const fanout = createDestinationFanout({
      destinations: [zohoDestination({ ...CLIENT, accountsUrl: server.url })],
      clock: time.clock,
      scheduler: time.scheduler,
      onDeadLetter: (_name, _events, reason) => deadLetters.push(reason),
    })
    await fanout.deliver([
      makeEvent({
        type: 'identify',
        userId: 'u-1',
        traits: { email: 'ada@example.com', first_name: 'Ada', last_name: 'Lovelace', address: { city: 'London' } },
      }),
      makeEvent({
        type: 'track',
        anonymousId: 'a-1',
        event: 'Lead Captured',
        properties: { email: 'grace@example.com', fields: { name: 'Grace Hopper', company: 'Navy' } },
      }),
      makeEvent({ type: 'track', userId: 'u-1', event: 'Order Completed', properties: { order_id: 'o-5', total: 99 } }),
      makeEvent({
        type: 'track',
        userId: 'u-7',
        event: 'Data Erasure Requested',
        properties: { email: 'gone@example.com' },
      }),
    ])
    await fanout.flush()
    expect(server.problems).toEqual([])
    expect(deadLetters).toEqual([])
    expect(server.requests.map((request) => `${request.method} ${request.path}`)).toEqual([
      `POST /oauth/v2/token?refresh_token=1000.refresh.token&client_id=1000.TESTCLIENT&client_secret=test-secret&grant_type=refresh_token`,
      'POST /crm/v8/Contacts/upsert',
      'POST /crm/v8/Leads/upsert',
      'POST /crm/v8/Deals/upsert',
      'GET /crm/v8/Contacts/search?email=gone%40example.com',
      'DELETE /crm/v8/Contacts?ids=5725767000000411001,5725767000000411002',
      'GET /crm/v8/Leads/search?email=gone%40example.com',
    ])
    expect(server.requests[1]!.json).toEqual({
      data: [{ Email: 'ada@example.com', Mailing_City: 'London', First_Name: 'Ada', Last_Name: 'Lovelace' }],
      duplicate_check_fields: ['Email'],
    })
    expect(server.requests[2]!.json.data[0]).toEqual({
      Email: 'grace@example.com',
      Company: 'Navy',
      First_Name: 'Grace',
      Last_Name: 'Hopper',
    })
    expect(server.requests[3]!.json).toEqual({
      data: [
        { Ecrm_Order_Id: 'o-5', Deal_Name: 'Order o-5', Stage: 'Closed Won', Closing_Date: '2026-03-01', Amount: 99 },
      ],
      duplicate_check_fields: ['Ecrm_Order_Id'],
    })

    // 59 minutes later the token has a minute left: it is renewed before use, not after a 401.
    time.advance(59 * 60_000)
    await fanout.deliver([
      makeEvent({ type: 'identify', userId: 'u-2', traits: { email: 'alan@example.com', last_name: 'Turing' } }),
    ])
    await fanout.flush()
    expect(server.requests.slice(-2).map((request) => request.pathname)).toEqual([
      '/oauth/v2/token',
      '/crm/v8/Contacts/upsert',
    ])
    expect(server.problems).toEqual([])
    expect(fanout.stats().zoho).toMatchObject({ delivered: 5, tokenRequests: 2, queued: 0 })
    await fanout.close()
  })
})
