import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import {
  dynamicsDestination,
  hubspotDestination,
  salesforceDestination,
  zohoDestination,
} from '../../../core/src/destinations/index.js'
import { createDestinationFanout, webhookDestination } from '../../src/destinations/index.js'
import { createTestTime, makeEvent, startVendorServer } from './vendorServer.js'
import type { Answer, SeenRequest, VendorServer } from './vendorServer.js'

const SECRET = 'whsec_0123456789abcdef0123456789abcdef'

/** One local server standing in for every vendor, each under its own path prefix. */
function routeAll(server: () => VendorServer, down: Set<string>) {
  return (request: SeenRequest): Answer => {
    const vendor = request.pathname.split('/')[1] ?? ''
    if (down.has(vendor)) return { status: 503, body: { message: 'Service Unavailable' } }
    if (request.pathname.endsWith('/services/oauth2/token'))
      return {
        status: 200,
        body: { access_token: 'sf-token', instance_url: `${server().url}/sf`, token_type: 'Bearer' },
      }
    if (request.pathname === '/zoho-accounts/oauth/v2/token')
      return {
        status: 200,
        body: {
          access_token: 'zoho-token',
          api_domain: `${server().url}/zoho`,
          token_type: 'Bearer',
          expires_in: 3600,
        },
      }
    if (request.pathname.endsWith('/oauth2/v2.0/token'))
      return { status: 200, body: { token_type: 'Bearer', expires_in: 3599, access_token: 'entra-token' } }
    if (request.pathname.startsWith('/zoho/crm/v8/') && request.pathname.endsWith('/search'))
      return {
        status: 200,
        body: { data: [{ id: '5725767000000411001', Email: request.query.get('email') }], info: { count: 1 } },
      }
    if (request.method === 'DELETE' || request.pathname.startsWith('/hook')) return { status: 204 }
    if (request.pathname.startsWith('/sf/')) return { status: 200, body: [{ id: '003x', success: true, errors: [] }] }
    return { status: 200, body: { status: 'COMPLETE', results: [], data: [{ code: 'SUCCESS', status: 'success' }] } }
  }
}

function allDestinations(url: string) {
  return [
    hubspotDestination({ accessToken: 'pat-test', baseUrl: `${url}/hs` }),
    salesforceDestination({
      loginUrl: `${url}/sf`,
      credentials: { grant: 'client_credentials', clientId: 'id', clientSecret: 'secret' },
    }),
    zohoDestination({
      clientId: 'id',
      clientSecret: 'secret',
      refreshToken: 'refresh',
      accountsUrl: `${url}/zoho-accounts`,
    }),
    dynamicsDestination({
      orgUrl: `${url}/dyn`,
      tenantId: 'contoso.onmicrosoft.com',
      clientId: 'id',
      clientSecret: 'secret',
      authorityUrl: `${url}/login`,
    }),
    webhookDestination({ url: `${url}/hook`, secret: SECRET }),
  ]
}

describe('createDestinationFanout', () => {
  let server: VendorServer | undefined
  const dirs: string[] = []
  afterEach(async () => {
    await server?.close()
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
  })

  it('holds only the queue of the vendor that is down, on disk, until it is back', async () => {
    const down = new Set(['hs'])
    server = await startVendorServer(routeAll(() => server as VendorServer, down))
    const queueDir = mkdtempSync(join(tmpdir(), 'ecrm-destinations-'))
    dirs.push(queueDir)
    const time = createTestTime()
    const options = {
      destinations: allDestinations(server.url),
      queueDir,
      clock: time.clock,
      scheduler: time.scheduler,
      random: () => 0.5,
      fsync: false,
    }
    const first = createDestinationFanout(options)
    const events = [
      makeEvent({ type: 'identify', userId: 'u-1', traits: { email: 'ada@example.com', last_name: 'Lovelace' } }),
      makeEvent({
        type: 'track',
        userId: 'u-1',
        event: 'Order Completed',
        properties: { order_id: 'o-1', total: 30 },
        context: { traits: { email: 'ada@example.com' } },
      }),
    ]
    await first.deliver(events)
    await first.flush()
    const stats = first.stats()
    expect(stats.hubspot).toMatchObject({ queued: 2, delivered: 0, retried: 2 })
    for (const name of ['salesforce', 'zoho', 'dynamics', 'webhook'])
      expect(stats[name]).toMatchObject({ queued: 0, delivered: 2, deadLettered: 0 })
    await first.close()

    // HubSpot recovers while the process is down; a new process finds its queue on disk.
    down.clear()
    server.requests.length = 0
    time.advance(60_000)
    const second = createDestinationFanout(options)
    await second.flush()
    expect(second.stats().hubspot).toMatchObject({ queued: 0, delivered: 2 })
    expect(server.requests.every((request) => request.pathname.startsWith('/hs/'))).toBe(true)
    expect(server.requests.map((request) => request.pathname)).toEqual([
      '/hs/crm/v3/objects/contacts/batch/upsert',
      '/hs/crm/v3/objects/deals/batch/upsert',
    ])
    await second.close()
  })

  it('takes an erasure request to every destination, even where marketing consent was denied', async () => {
    server = await startVendorServer(routeAll(() => server as VendorServer, new Set()))
    const time = createTestTime()
    const fanout = createDestinationFanout({
      destinations: allDestinations(server.url),
      clock: time.clock,
      scheduler: time.scheduler,
    })
    const consent = { consent: { categories: { marketing: false, analytics: false } } }
    const erasure = makeEvent({
      type: 'track',
      userId: 'u-1',
      event: 'Data Erasure Requested',
      properties: { email: 'ada@example.com' },
      context: consent,
    })
    const tracked = makeEvent({
      type: 'identify',
      userId: 'u-1',
      traits: { email: 'ada@example.com' },
      context: consent,
    })
    expect(await fanout.deliver([tracked, erasure])).toEqual({
      hubspot: 1,
      salesforce: 1,
      zoho: 1,
      dynamics: 1,
      webhook: 1,
    })
    await fanout.flush()
    const seen = server.requests.map((request) => `${request.method} ${request.path}`)
    expect(seen).toContain('POST /hs/crm/v3/objects/contacts/gdpr-delete')
    expect(seen).toContain('DELETE /sf/services/data/v62.0/sobjects/Contact/Ecrm_Id__c/u-1')
    expect(seen).toContain('DELETE /sf/services/data/v62.0/sobjects/Lead/Ecrm_Id__c/ada%40example.com')
    expect(seen).toContain('GET /zoho/crm/v8/Contacts/search?email=ada%40example.com')
    expect(seen).toContain('DELETE /zoho/crm/v8/Contacts?ids=5725767000000411001')
    expect(seen).toContain('DELETE /zoho/crm/v8/Leads?ids=5725767000000411001')
    expect(seen).toContain("DELETE /dyn/api/data/v9.2/contacts(emailaddress1='ada%40example.com')")
    const hook = server.requests.find((request) => request.pathname === '/hook')
    expect(hook?.json.batch.map((event: { event?: string }) => event.event)).toEqual(['Data Erasure Requested'])
    for (const stats of Object.values(fanout.stats()))
      expect(stats).toMatchObject({ delivered: 1, skipped: 1, queued: 0 })
    await fanout.close()
  })

  it('refuses two destinations with the same name', () => {
    expect(() =>
      createDestinationFanout({
        destinations: [hubspotDestination({ accessToken: 'a' }), hubspotDestination({ accessToken: 'b' })],
      }),
    ).toThrow(/used twice/)
  })
})
