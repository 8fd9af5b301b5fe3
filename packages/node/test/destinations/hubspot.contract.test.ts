import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { hubspotDestination } from '../../../core/src/destinations/index.js'
import { createDestinationFanout } from '../../src/destinations/index.js'
import { createTestTime, makeEvent, startVendorServer } from './vendorServer.js'
import type { Answer, SeenRequest, VendorServer } from './vendorServer.js'

// Shapes from HubSpot's API reference (CRM v3 batch upsert, GDPR delete, events v3 send batch)
// and its documented error body: { status: 'error', message, correlationId, category / errorType }.
const TOKEN = 'pat-na1-00000000-1111-2222-3333-444444444444'
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3})?Z$/

function checkHubspot(request: SeenRequest): string[] {
  const problems: string[] = []
  if (request.headers.authorization !== `Bearer ${TOKEN}`) problems.push('missing private-app bearer token')
  if (request.method !== 'POST') problems.push(`unexpected method ${request.method}`)
  if (!request.headers['content-type']?.startsWith('application/json')) problems.push('body is not application/json')
  const inputs = request.json?.inputs
  switch (request.pathname) {
    case '/crm/v3/objects/contacts/batch/upsert':
    case '/crm/v3/objects/deals/batch/upsert': {
      const idProperty = request.pathname.includes('contacts') ? 'email' : 'ecrm_order_id'
      if (!Array.isArray(inputs) || inputs.length === 0 || inputs.length > 100)
        return [...problems, 'inputs must hold 1-100 records']
      const ids = new Set<string>()
      for (const input of inputs) {
        if (input.idProperty !== idProperty) problems.push(`idProperty ${input.idProperty} is not ${idProperty}`)
        if (typeof input.id !== 'string' || input.id === '') problems.push('id missing')
        if (ids.has(input.id)) problems.push(`id ${input.id} twice in one batch`)
        ids.add(input.id)
        if (typeof input.properties !== 'object' || input.properties === null) problems.push('properties missing')
        for (const value of Object.values(input.properties ?? {}))
          if (typeof value === 'object') problems.push('property values must be scalars')
        if (idProperty === 'ecrm_order_id') {
          for (const key of ['dealname', 'pipeline', 'dealstage', 'closedate'])
            if (!(key in input.properties)) problems.push(`deal ${key} missing`)
          if (!ISO.test(input.properties.closedate ?? '')) problems.push('closedate is not ISO 8601')
        }
      }
      return problems
    }
    case '/events/v3/send/batch':
      if (!Array.isArray(inputs) || inputs.length === 0) return [...problems, 'inputs missing']
      for (const input of inputs) {
        if (!/^pe\d+_[a-z0-9_]+$/.test(input.eventName ?? ''))
          problems.push(`eventName ${input.eventName} is not fully qualified`)
        if (typeof input.email !== 'string' && typeof input.objectId !== 'string')
          problems.push('occurrence names no contact')
        if (!ISO.test(input.occurredAt ?? '')) problems.push('occurredAt is not ISO 8601')
      }
      return problems
    case '/crm/v3/objects/contacts/gdpr-delete':
      if (
        request.json?.idProperty !== 'email' ||
        typeof request.json?.objectId !== 'string' ||
        !request.json.objectId.includes('@')
      )
        problems.push('gdpr-delete needs { objectId: email, idProperty: "email" }')
      return problems
    default:
      return [...problems, `no such endpoint ${request.method} ${request.pathname}`]
  }
}

const rateHeaders = {
  'x-hubspot-ratelimit-interval-milliseconds': '10000',
  'x-hubspot-ratelimit-max': '190',
  'x-hubspot-ratelimit-remaining': '150',
}

function documentedAnswer(request: SeenRequest): Answer {
  if (request.pathname === '/crm/v3/objects/contacts/gdpr-delete') return { status: 204 }
  if (request.pathname === '/events/v3/send/batch') return { status: 204 }
  const results = (request.json.inputs as { id: string; properties: object }[]).map((input, index) => ({
    id: String(1000 + index),
    properties: input.properties,
    new: true,
    archived: false,
    createdAt: '2026-03-01T10:00:00Z',
    updatedAt: '2026-03-01T10:00:00Z',
  }))
  return {
    status: 200,
    headers: rateHeaders,
    body: { status: 'COMPLETE', results, startedAt: '2026-03-01T10:00:00Z', completedAt: '2026-03-01T10:00:01Z' },
  }
}

describe('hubspotDestination (contract, local HubSpot stand-in)', () => {
  let server: VendorServer
  beforeEach(async () => {
    server = await startVendorServer((request) => {
      const problems = checkHubspot(request)
      server.problems.push(...problems)
      if (problems.length > 0)
        return {
          status: 400,
          body: { status: 'error', message: problems.join('; '), correlationId: 'c-1', category: 'VALIDATION_ERROR' },
        }
      return documentedAnswer(request)
    })
  })
  afterEach(async () => server.close())

  const setup = () => {
    const time = createTestTime()
    const deadLetters: { events: unknown[]; reason: string }[] = []
    const fanout = createDestinationFanout({
      destinations: [
        hubspotDestination({
          accessToken: TOKEN,
          baseUrl: server.url,
          customEvents: { 'Product Viewed': 'pe4242_product_viewed' },
        }),
      ],
      clock: time.clock,
      scheduler: time.scheduler,
      random: () => 0.5,
      onDeadLetter: (_name, events, reason) => deadLetters.push({ events, reason }),
    })
    return { time, fanout, deadLetters }
  }

  it('sends identify, lead, order, a listed track and an erasure in the documented shapes', async () => {
    const { fanout } = setup()
    const events = [
      makeEvent({
        type: 'identify',
        userId: 'u-1',
        traits: {
          email: 'Ada@Example.com',
          first_name: 'Ada',
          last_name: 'Lovelace',
          address: { city: 'London' },
          favourite: { nested: true },
        },
      }),
      makeEvent({ type: 'identify', userId: 'u-1', traits: { email: 'ada@example.com', phone: '+44 20 0000' } }),
      makeEvent({
        type: 'track',
        anonymousId: 'a-2',
        event: 'Lead Captured',
        properties: { form_id: 'demo', email: 'grace@example.com', fields: { first_name: 'Grace' } },
      }),
      makeEvent({
        type: 'track',
        userId: 'u-1',
        event: 'Order Completed',
        properties: { order_id: 'o-77', total: 42.5, currency: 'EUR' },
        context: { traits: { email: 'ada@example.com' } },
      }),
      makeEvent({
        type: 'track',
        userId: 'u-1',
        event: 'Product Viewed',
        properties: { product_id: 'sku-1', price: 9.99 },
        context: { traits: { email: 'ada@example.com' } },
      }),
      makeEvent({
        type: 'track',
        userId: 'u-1',
        event: 'Checkout Started',
        properties: {},
        context: { traits: { email: 'ada@example.com' } },
      }),
      makeEvent({ type: 'page', userId: 'u-1', name: 'Home' }),
      makeEvent({
        type: 'track',
        userId: 'u-9',
        event: 'Data Erasure Requested',
        properties: { email: 'gone@example.com' },
      }),
    ]
    const queued = await fanout.deliver(events)
    // page and the unlisted track are not HubSpot's business
    expect(queued.hubspot).toBe(6)
    await fanout.flush()
    expect(server.problems).toEqual([])
    const paths = server.requests.map((request) => request.pathname)
    expect(paths).toEqual([
      '/crm/v3/objects/contacts/batch/upsert',
      '/crm/v3/objects/deals/batch/upsert',
      '/events/v3/send/batch',
      '/crm/v3/objects/contacts/gdpr-delete',
    ])
    const contacts = server.requests[0]!.json.inputs
    // the two identifies and the order name the same person: one input for her
    expect(contacts).toHaveLength(2)
    const ada = contacts.find((input: { id: string }) => input.id === 'ada@example.com')
    expect(ada.properties).toEqual({
      email: 'ada@example.com',
      firstname: 'Ada',
      lastname: 'Lovelace',
      city: 'London',
      phone: '+44 20 0000',
    })
    const grace = contacts.find((input: { id: string }) => input.id === 'grace@example.com')
    expect(grace.properties).toMatchObject({ email: 'grace@example.com', firstname: 'Grace', lifecyclestage: 'lead' })
    expect(server.requests[1]!.json.inputs[0]).toEqual({
      idProperty: 'ecrm_order_id',
      id: 'o-77',
      properties: {
        ecrm_order_id: 'o-77',
        dealname: 'Order o-77',
        pipeline: 'default',
        dealstage: 'closedwon',
        closedate: '2026-03-01T09:00:00.000Z',
        amount: 42.5,
        deal_currency_code: 'EUR',
      },
    })
    expect(server.requests[2]!.json.inputs[0]).toMatchObject({
      eventName: 'pe4242_product_viewed',
      email: 'ada@example.com',
      properties: { product_id: 'sku-1', price: 9.99 },
    })
    expect(server.requests[3]!.json).toEqual({ objectId: 'gone@example.com', idProperty: 'email' })
    expect(fanout.stats().hubspot).toMatchObject({ delivered: 6, queued: 0, deadLettered: 0, requests: 4 })
    await fanout.close()
  })

  it('waits out a 429 for the interval HubSpot names, without counting an attempt', async () => {
    const { time, fanout, deadLetters } = setup()
    let limited = true
    server.handle = (request) => {
      server.problems.push(...checkHubspot(request))
      if (limited) {
        limited = false
        return {
          status: 429,
          headers: { ...rateHeaders, 'x-hubspot-ratelimit-remaining': '0' },
          body: {
            status: 'error',
            message: 'You have reached your ten_secondly_rolling limit.',
            errorType: 'RATE_LIMIT',
            correlationId: 'c-2',
            policyName: 'TEN_SECONDLY_ROLLING',
          },
        }
      }
      return documentedAnswer(request)
    }
    await fanout.deliver([makeEvent({ type: 'identify', userId: 'u-1', traits: { email: 'ada@example.com' } })])
    await fanout.flush()
    expect(server.requests).toHaveLength(1)
    expect(fanout.stats().hubspot).toMatchObject({ retried: 1, queued: 1, pausedUntil: time.clock.now() + 10_000 })
    time.advance(9_000)
    await fanout.flush()
    expect(server.requests).toHaveLength(1)
    time.advance(1_000)
    await fanout.flush()
    expect(server.requests).toHaveLength(2)
    expect(server.requests[1]!.body).toBe(server.requests[0]!.body)
    expect(fanout.stats().hubspot).toMatchObject({ delivered: 1, queued: 0 })
    expect(deadLetters).toEqual([])
    expect(server.problems).toEqual([])
    await fanout.close()
  })

  it('dead-letters what HubSpot refuses as invalid, with its message', async () => {
    const { fanout, deadLetters } = setup()
    server.handle = () => ({
      status: 400,
      body: {
        status: 'error',
        message: 'Property values were not valid: [{"name":"email","message":"Email address ada@ is invalid"}]',
        correlationId: 'c-3',
        category: 'VALIDATION_ERROR',
      },
    })
    await fanout.deliver([makeEvent({ type: 'identify', userId: 'u-1', traits: { email: 'ada@x' } })])
    await fanout.flush()
    expect(deadLetters).toHaveLength(1)
    expect(deadLetters[0]!.reason).toContain('status 400')
    expect(deadLetters[0]!.reason).toContain('Email address ada@ is invalid')
    expect(fanout.stats().hubspot).toMatchObject({ deadLettered: 1, queued: 0 })
    await fanout.close()
  })
})
