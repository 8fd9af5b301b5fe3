import { describe, expect, it } from 'vitest'
import {
  applyTraitsMap,
  crmActionOf,
  dynamicsDestination,
  hubspotDestination,
  interpretHubspot,
  interpretSalesforce,
  mergeTraitsMap,
  salesforceDestination,
} from '../../src/destinations/index.js'

const now = Date.parse('2026-03-01T10:00:00.000Z')
const identify = (messageId: string, traits: Record<string, unknown>, userId = 'u-1'): any => ({
  type: 'identify',
  messageId,
  userId,
  traits,
})

describe('crmActionOf', () => {
  it('sorts events into the CRM change they stand for', () => {
    const base = { messageId: 'm', userId: 'u' }
    expect(crmActionOf({ ...base, type: 'identify' } as any)).toBe('contact')
    expect(crmActionOf({ ...base, type: 'track', event: 'Lead Captured' } as any)).toBe('lead')
    expect(crmActionOf({ ...base, type: 'track', event: 'Order Completed' } as any)).toBe('order')
    expect(crmActionOf({ ...base, type: 'track', event: 'Data Erasure Requested' } as any)).toBe('erasure')
    expect(crmActionOf({ ...base, type: 'track', event: 'Product Viewed' } as any)).toBe('activity')
    expect(crmActionOf({ ...base, type: 'page' } as any)).toBe('ignore')
  })
})

describe('traitsMap', () => {
  it('adds, renames and drops fields on top of the vendor defaults, sending only scalars', () => {
    const map = mergeTraitsMap(
      { email: 'email', phone: 'phone' },
      { phone: null, 'company.name': 'company', plan: 'ecrm_plan' },
    )
    expect(map).toEqual({ email: 'email', 'company.name': 'company', plan: 'ecrm_plan' })
    expect(
      applyTraitsMap({ email: 'a@b.example', phone: '1', company: { name: 'Acme' }, plan: { tier: 'gold' } }, map),
    ).toEqual({ email: 'a@b.example', company: 'Acme' })
  })

  it('is honoured by a vendor mapping', () => {
    const hubspot = hubspotDestination({
      accessToken: 't',
      traitsMap: { birthday: 'date_of_birth', 'address.city': null },
    })
    const [request] = hubspot.mapBatch!(
      [identify('m-1', { email: 'a@b.example', birthday: '1990-04-01', address: { city: 'Lyon' } })],
      { now },
    )
    expect(JSON.parse(request!.body!).inputs[0].properties).toEqual({
      email: 'a@b.example',
      date_of_birth: '1990-04-01',
    })
  })
})

describe('vendor mappings', () => {
  it('merges two updates of one Salesforce contact into one record carrying both events', () => {
    const salesforce = salesforceDestination({
      loginUrl: 'https://acme.my.salesforce.com',
      credentials: { grant: 'client_credentials', clientId: 'i', clientSecret: 's' },
    })
    const requests = salesforce.mapBatch!(
      [
        identify('m-1', { email: 'a@b.example' }),
        identify('m-2', { phone: '+33 1' }),
        identify('m-3', { email: 'c@d.example' }, 'u-2'),
      ],
      { now },
    )
    expect(requests).toHaveLength(1)
    expect(requests[0]!.eventIds).toEqual(['m-1', 'm-2', 'm-3'])
    expect(
      JSON.parse(requests[0]!.body!).records.map((record: { Ecrm_Id__c: string; Phone?: string }) => [
        record.Ecrm_Id__c,
        record.Phone,
      ]),
    ).toEqual([
      ['u-1', '+33 1'],
      ['u-2', undefined],
    ])
  })

  it('skips what a vendor cannot key (HubSpot and Dynamics need an email)', () => {
    expect(hubspotDestination({ accessToken: 't' }).map(identify('m-1', { name: 'No Email' }), { now })).toBeNull()
    expect(
      dynamicsDestination({
        orgUrl: 'https://x.crm.dynamics.com',
        tenantId: 't',
        clientId: 'c',
        clientSecret: 's',
      }).map(identify('m-1', {}), { now }),
    ).toBeNull()
  })
})

describe('vendor rate-limit readings', () => {
  it('HubSpot: waits the named interval, an hour for the daily cap, and pauses when the window is used up', () => {
    const headers = { 'x-hubspot-ratelimit-interval-milliseconds': '10000' }
    expect(
      interpretHubspot({
        status: 429,
        headers,
        body: '{"errorType":"RATE_LIMIT","policyName":"TEN_SECONDLY_ROLLING"}',
      }),
    ).toEqual({ kind: 'retry', retryAfterMs: 10_000 })
    expect(interpretHubspot({ status: 429, headers, body: '{"errorType":"RATE_LIMIT","policyName":"DAILY"}' })).toEqual(
      { kind: 'retry', retryAfterMs: 3_600_000 },
    )
    expect(interpretHubspot({ status: 429, headers: { ...headers, 'retry-after': '3' }, body: '' })).toBeUndefined()
    expect(
      interpretHubspot({ status: 200, headers: { ...headers, 'x-hubspot-ratelimit-remaining': '0' }, body: '' }),
    ).toEqual({ kind: 'delivered', pauseMs: 10_000 })
  })

  it('Salesforce: renews on INVALID_SESSION_ID, pauses on REQUEST_LIMIT_EXCEEDED and on a spent Sforce-Limit-Info', () => {
    expect(
      interpretSalesforce(
        {
          status: 401,
          headers: {},
          body: '[{"errorCode":"INVALID_SESSION_ID","message":"Session expired or invalid"}]',
        },
        1,
      ),
    ).toEqual({ kind: 'reauthorize' })
    expect(
      interpretSalesforce(
        {
          status: 403,
          headers: {},
          body: '[{"errorCode":"REQUEST_LIMIT_EXCEEDED","message":"TotalRequests Limit exceeded."}]',
        },
        900,
      ),
    ).toEqual({ kind: 'retry', retryAfterMs: 900 })
    expect(
      interpretSalesforce({ status: 200, headers: { 'sforce-limit-info': 'api-usage=15000/15000' }, body: '[]' }, 900),
    ).toEqual({ kind: 'delivered', pauseMs: 900 })
    expect(
      interpretSalesforce({ status: 403, headers: {}, body: '[{"errorCode":"INSUFFICIENT_ACCESS"}]' }, 900),
    ).toBeUndefined()
  })
})
