import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { dynamicsDestination } from '../../../core/src/destinations/index.js'
import { createDestinationFanout } from '../../src/destinations/index.js'
import { createTestTime, makeEvent, startVendorServer } from './vendorServer.js'
import type { SeenRequest, VendorServer } from './vendorServer.js'

// Shapes from Microsoft Learn: Dataverse Web API v9.2 upsert/delete by alternate key, OData
// headers, @odata.bind lookups, service protection 429 + Retry-After, Entra client credentials.
const TENANT = 'contoso.onmicrosoft.com'

describe('dynamicsDestination (contract, local Dataverse stand-in)', () => {
  let server: VendorServer
  let throttle = 0
  const check = (request: SeenRequest): string[] => {
    const problems: string[] = []
    if (request.pathname === `/login/${TENANT}/oauth2/v2.0/token`) {
      const form = new URLSearchParams(request.body)
      if (request.headers['content-type'] !== 'application/x-www-form-urlencoded')
        problems.push('token request must be form-encoded')
      if (
        form.get('grant_type') !== 'client_credentials' ||
        form.get('scope') !== `${server.url}/org/.default` ||
        form.get('client_id') !== 'app-id'
      )
        problems.push('bad client credentials grant')
      return problems
    }
    if (request.headers.authorization !== 'Bearer entra-token') problems.push('missing bearer token')
    if (request.headers['odata-version'] !== '4.0' || request.headers['odata-maxversion'] !== '4.0')
      problems.push('OData-Version / OData-MaxVersion 4.0 headers missing')
    const path = decodeURIComponent(request.pathname)
    if (
      request.method === 'PATCH' &&
      /^\/org\/api\/data\/v9\.2\/contacts\(emailaddress1='(?:[^']|'')+@(?:[^']|'')+'\)$/.test(path)
    )
      return problems
    if (request.method === 'PATCH' && /^\/org\/api\/data\/v9\.2\/opportunities\(ecrm_orderid='[^']+'\)$/.test(path)) {
      if (!/^\/contacts\(emailaddress1='.+'\)$/.test(request.json?.['parentcontactid@odata.bind'] ?? ''))
        problems.push('opportunity must bind parentcontactid')
      return problems
    }
    if (request.method === 'POST' && path === '/org/api/data/v9.2/leads') {
      if (typeof request.json?.subject !== 'string') problems.push('lead subject required')
      return problems
    }
    if (request.method === 'DELETE' && /^\/org\/api\/data\/v9\.2\/contacts\(emailaddress1='.+'\)$/.test(path))
      return problems
    return [...problems, `no such endpoint ${request.method} ${request.path}`]
  }
  beforeEach(async () => {
    throttle = 0
    server = await startVendorServer((request) => {
      const problems = check(request)
      server.problems.push(...problems)
      if (problems.length > 0)
        return { status: 400, body: { error: { code: '0x80060888', message: problems.join('; ') } } }
      if (request.pathname.endsWith('/token'))
        return {
          status: 200,
          body: { token_type: 'Bearer', expires_in: 3599, ext_expires_in: 3599, access_token: 'entra-token' },
        }
      if (throttle > 0) {
        throttle -= 1
        return {
          status: 429,
          headers: { 'retry-after': '20' },
          body: {
            error: {
              code: '0x80072322',
              message: 'Number of requests exceeded the limit of 6000 over time window of 300 seconds.',
            },
          },
        }
      }
      if (request.method === 'POST')
        return {
          status: 204,
          headers: { 'odata-entityid': `${server.url}/org/api/data/v9.2/leads(00000000-0000-0000-0000-000000000001)` },
        }
      return { status: 204 }
    })
  })
  afterEach(async () => server.close())

  it('upserts by alternate key, creates leads, binds opportunities, deletes on erasure, and honours Retry-After', async () => {
    const time = createTestTime()
    const fanout = createDestinationFanout({
      destinations: [
        dynamicsDestination({
          orgUrl: `${server.url}/org`,
          tenantId: TENANT,
          clientId: 'app-id',
          clientSecret: 'app-secret',
          authorityUrl: `${server.url}/login`,
        }),
      ],
      clock: time.clock,
      scheduler: time.scheduler,
    })
    throttle = 1
    await fanout.deliver([
      makeEvent({
        type: 'identify',
        userId: 'u-1',
        traits: { email: "o'hara@example.com", first_name: 'Scarlett', last_name: "O'Hara", phone: '+1 555' },
      }),
      makeEvent({
        type: 'track',
        anonymousId: 'a-1',
        event: 'Lead Captured',
        properties: { form_id: 'demo', email: 'grace@example.com', fields: { company: 'Navy' } },
      }),
      makeEvent({
        type: 'track',
        userId: 'u-1',
        event: 'Order Completed',
        properties: { order_id: 'o-3', total: 12.5 },
        context: { traits: { email: "o'hara@example.com" } },
      }),
      makeEvent({
        type: 'track',
        userId: 'u-8',
        event: 'Data Erasure Requested',
        properties: { email: 'gone@example.com' },
      }),
    ])
    await fanout.flush()
    expect(fanout.stats().dynamics).toMatchObject({ queued: 4, delivered: 0, pausedUntil: time.clock.now() + 20_000 })
    time.advance(20_000)
    await fanout.flush()
    expect(server.problems).toEqual([])
    const sent = server.requests
      .filter((request) => !request.pathname.endsWith('/token'))
      .map((request) => `${request.method} ${request.path}`)
    expect(sent).toEqual([
      "PATCH /org/api/data/v9.2/contacts(emailaddress1='o''hara%40example.com')",
      "PATCH /org/api/data/v9.2/contacts(emailaddress1='o''hara%40example.com')",
      'POST /org/api/data/v9.2/leads',
      "PATCH /org/api/data/v9.2/opportunities(ecrm_orderid='o-3')",
      "DELETE /org/api/data/v9.2/contacts(emailaddress1='gone%40example.com')",
    ])
    expect(server.requests.find((request) => request.method === 'PATCH')!.json).toEqual({
      telephone1: '+1 555',
      firstname: 'Scarlett',
      lastname: "O'Hara",
    })
    expect(server.requests.find((request) => request.path.includes('leads'))!.json).toEqual({
      subject: 'Web form demo',
      emailaddress1: 'grace@example.com',
      companyname: 'Navy',
    })
    expect(server.requests.find((request) => request.path.includes('opportunities'))!.json).toEqual({
      name: 'Order o-3',
      actualclosedate: '2026-03-01',
      estimatedvalue: 12.5,
      actualvalue: 12.5,
      'parentcontactid@odata.bind': "/contacts(emailaddress1='o''hara%40example.com')",
    })
    expect(fanout.stats().dynamics).toMatchObject({ delivered: 4, queued: 0, tokenRequests: 1, deadLettered: 0 })
    await fanout.close()
  })
})
