import { createServer } from 'node:http'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { applyLogic, isTruthy } from '@ecrm/core'
import type { CustomerProfile, DeriveConfig, EcrmEvent } from '@ecrm/core'
import { createReadApiHandler, isReadApiPath } from '../src/api/readApiHandler.js'
import {
  membersPageSchema,
  previewResponseSchema,
  profileResponseSchema,
  segmentListResponseSchema,
} from '../src/api/readApiSchemas.js'
import { createIngestHandler } from '../src/ingest/ingestHandler.js'
import { toNodeListener } from '../src/ingest/nodeListener.js'
import { createPgliteStore } from '../src/store/pgliteStore.js'
import type { Store } from '../src/store/storeTypes.js'
import { simulateBgNbd } from '../../core/test/clv/simulate.js'

const DAY = 86_400_000
const SECRET = 'sk_test_0123456789abcdef'
const WRITE_KEY = 'wk_public_0123456789'
const derive: DeriveConfig = {
  segments: {
    vip: { name: 'VIP', description: 'Spent 100 or more', when: { '>=': [{ var: 'money.revenue' }, 100] } },
    repeat_buyers: { name: 'Repeat buyers', when: { '>=': [{ var: 'money.orderCount' }, 2] } },
  },
}

let sequence = 0
function event(body: Record<string, unknown>): EcrmEvent {
  sequence += 1
  return { messageId: `ra-${sequence}`, ...body } as EcrmEvent
}
const order = (userId: string, at: number, total: number): EcrmEvent =>
  event({
    type: 'track',
    event: 'Order Completed',
    userId,
    timestamp: new Date(at).toISOString(),
    properties: { order_id: `ra-o-${sequence}`, total, currency: 'EUR' },
  })

describe('createReadApiHandler over HTTP, on a PGlite store fed through the ingest handler', () => {
  let store: Store
  let server: Server
  let base: string
  const now = Date.now()

  beforeAll(async () => {
    store = await createPgliteStore(undefined, { derive })
    const ingest = createIngestHandler({ store, writeKeys: [WRITE_KEY] })
    const api = createReadApiHandler({
      store,
      secretKeys: [SECRET],
      writeKeys: [WRITE_KEY],
      segments: derive.segments ?? {},
    })
    // One port for both, as `ecrm serve` mounts them.
    server = createServer(
      toNodeListener((request, info) =>
        isReadApiPath(new URL(request.url).pathname) ? api(request) : ingest(request, info),
      ),
    )
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    // 300 buyers simulated from BG/NBD (CDNOW's parameters, weeks), so the refresh fits a CLV.
    const histories = simulateBgNbd({ r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 }, 300, (i) => 4 + (i % 48), 5)
    const events = histories.flatMap((h, i) => {
      const first = now - h.age * 7 * DAY
      return [
        event({
          type: 'identify',
          userId: `u-${i}`,
          anonymousId: `anon-${i}`,
          traits: { email: `Buyer${i}@Shop.example`, company: { employee_count: i % 300 } },
          timestamp: new Date(first).toISOString(),
        }),
        order(`u-${i}`, first, 25 + (i % 9) * 5),
        ...Array.from({ length: h.frequency }, (_, n) =>
          order(`u-${i}`, first + ((n + 1) * h.recency * 7 * DAY) / h.frequency, 20 + ((i + n) % 7) * 6),
        ),
      ]
    })
    for (let start = 0; start < events.length; start += 400) {
      const response = await fetch(`${base}/v1/batch`, {
        method: 'POST',
        headers: { 'content-type': 'text/plain' },
        body: JSON.stringify({ writeKey: WRITE_KEY, batch: events.slice(start, start + 400) }),
      })
      expect(response.status).toBe(200)
    }
    expect(await store.refresh({ pageSize: 100 })).toMatchObject({ customers: 300, clvFitted: true })
  }, 180_000)
  afterAll(async () => {
    await new Promise((resolve) => server?.close(resolve))
    await store?.close()
  })

  const get = (path: string, key: string | null = SECRET, headers: Record<string, string> = {}) =>
    fetch(`${base}${path}`, { headers: { ...(key === null ? {} : { authorization: `Bearer ${key}` }), ...headers } })
  const preview = (body: string, contentType = 'application/json') =>
    fetch(`${base}/v1/segments/preview`, {
      method: 'POST',
      headers: { authorization: `Bearer ${SECRET}`, 'content-type': contentType },
      body,
    })
  const refusal = async (
    response: Response,
  ): Promise<{ status: number; code: string; issues?: { path: unknown[]; code: string }[] }> => {
    const body = (await response.json()) as {
      error: { code: string; message: string; issues?: { path: unknown[]; code: string }[] }
    }
    expect(body.error.message.length).toBeGreaterThan(10)
    return {
      status: response.status,
      code: body.error.code,
      ...(body.error.issues === undefined
        ? {}
        : { issues: body.error.issues.map(({ path, code }) => ({ path, code })) }),
    }
  }

  it("shows a customer's RFM segment, lead grade, CLV and segments, by customer id, userId, anonymousId or email", async () => {
    const stored = (await store.getProfile('u-7')) as CustomerProfile
    for (const id of [stored.id, 'u-7', 'anon-7', 'buyer7@shop.example', 'BUYER7@shop.example']) {
      const response = await get(`/v1/profiles/${encodeURIComponent(id)}`)
      expect(response.status).toBe(200)
      const { profile } = profileResponseSchema.parse(await response.json())
      expect(profile.id).toBe(stored.id)
      expect(profile.rfm?.segment).toBe(stored.rfm?.segment)
      expect(profile.rfm?.segment).toMatch(/^[a-z_]+$/)
      expect(profile.lead?.grade).toMatch(/^[A-D][1-3]$/)
      expect(profile.clv?.pAlive).toBeGreaterThan(0)
      expect(profile.clv?.value).toBe(stored.clv?.value)
      expect(profile.segments).toEqual(stored.segments)
      expect(profile.traits).toMatchObject({ company: { employee_count: 7 } })
    }
    const vip = (await store.listProfiles({ limit: 1000 })).find((p) =>
      (p.segments ?? []).includes('vip'),
    ) as CustomerProfile
    const { profile } = profileResponseSchema.parse(await (await get(`/v1/profiles/${vip.id}`)).json())
    expect(profile.segments).toContain('vip')
    expect(profile.segmentsSince['vip']).toBeGreaterThan(0)
  })

  it('refuses without a secret key, with a write key, or with a wrong key: 401 with a clear body', async () => {
    expect(await refusal(await get('/v1/segments', null))).toEqual({ status: 401, code: 'missing_secret_key' })
    expect(await refusal(await get('/v1/segments', WRITE_KEY))).toEqual({ status: 401, code: 'write_key_refused' })
    expect(await refusal(await get('/v1/segments', 'sk_test_0123456789abcdeX'))).toEqual({
      status: 401,
      code: 'invalid_secret_key',
    })
    const basic = `Basic ${Buffer.from(`${WRITE_KEY}:`).toString('base64')}`
    expect(await refusal(await get('/v1/profiles/u-1', null, { authorization: basic }))).toEqual({
      status: 401,
      code: 'secret_key_required',
    })
    expect((await get('/v1/segments', null)).headers.get('www-authenticate')).toMatch(/^Bearer/)
    expect(() => createReadApiHandler({ store, secretKeys: [WRITE_KEY], writeKeys: [WRITE_KEY] })).toThrow(
      /equals a write key/,
    )
    expect(() => createReadApiHandler({ store, secretKeys: ['short'] })).toThrow(/16 characters/)
  })

  it('answers bad ids with 400 and the path, unknown ones with 404', async () => {
    expect(await refusal(await get('/v1/profiles/%ZZ'))).toEqual({
      status: 400,
      code: 'invalid_id',
      issues: [{ path: ['path', 'id'], code: 'invalid_encoding' }],
    })
    expect(await refusal(await get('/v1/profiles/a%00b'))).toEqual({
      status: 400,
      code: 'invalid_id',
      issues: [{ path: ['path', 'id'], code: 'invalid_characters' }],
    })
    expect(await refusal(await get(`/v1/profiles/${'x'.repeat(321)}`))).toEqual({
      status: 400,
      code: 'invalid_id',
      issues: [{ path: ['path', 'id'], code: 'invalid_length' }],
    })
    expect(await refusal(await get("/v1/profiles/nobody'%3B%20drop%20table%20ecrm_profiles"))).toEqual({
      status: 404,
      code: 'profile_not_found',
    })
    expect(await refusal(await get('/v1/segments/nope/members'))).toEqual({ status: 404, code: 'unknown_segment' })
    expect(
      await refusal(
        await fetch(`${base}/v1/profiles/u-1`, { method: 'DELETE', headers: { authorization: `Bearer ${SECRET}` } }),
      ),
    ).toEqual({ status: 405, code: 'method_not_allowed' })
    expect((await store.query<{ n: number }>('select count(*)::int as n from ecrm_profiles'))[0]?.n).toBe(300)
  })

  it('lists the named segments and the RFM segments', async () => {
    const { segments } = segmentListResponseSchema.parse(await (await get('/v1/segments')).json())
    expect(segments.filter((s) => s.kind === 'named').map((s) => s.id)).toEqual(['repeat_buyers', 'vip'])
    expect(segments.find((s) => s.id === 'vip')).toEqual({
      id: 'vip',
      kind: 'named',
      name: 'VIP',
      description: 'Spent 100 or more',
      when: derive.segments?.['vip']?.when,
    })
    expect(segments.filter((s) => s.kind === 'rfm')).toHaveLength(10)
  })

  it('pages through the members of a named and an RFM segment with keyset cursors, each member once', async () => {
    const profiles = await store.listProfiles({ limit: 1000 })
    const sizes = new Map<string, number>()
    for (const p of profiles) if (p.rfm !== undefined) sizes.set(p.rfm.segment, (sizes.get(p.rfm.segment) ?? 0) + 1)
    const [rfmSegment] = [...sizes].sort((a, b) => b[1] - a[1])[0] as [string, number]
    for (const [segment, isMember] of [
      ['vip', (p: CustomerProfile) => (p.segments ?? []).includes('vip')],
      [rfmSegment, (p: CustomerProfile) => p.rfm?.segment === rfmSegment],
    ] as const) {
      const expected = profiles
        .filter(isMember)
        .map((p) => p.id)
        .sort()
      expect(expected.length).toBeGreaterThan(7)
      const seen: string[] = []
      let next: string | null = null
      let pages = 0
      do {
        const query: string = next === null ? '?limit=7' : `?limit=7&after=${encodeURIComponent(next)}`
        const page = membersPageSchema.parse(await (await get(`/v1/segments/${segment}/members${query}`)).json())
        expect(page.members.length).toBeLessThanOrEqual(7)
        seen.push(...page.members.map((m) => m.id))
        if (segment === 'vip') for (const member of page.members) expect(member.enteredAt).toBeGreaterThan(0)
        next = page.next
        pages += 1
      } while (next !== null)
      expect(seen).toEqual(expected)
      expect(pages).toBe(Math.ceil(expected.length / 7))
    }
    expect(await refusal(await get('/v1/segments/vip/members?after=not-a-cursor'))).toEqual({
      status: 400,
      code: 'invalid_cursor',
      issues: [{ path: ['query', 'after'], code: 'invalid_cursor' }],
    })
    expect(await refusal(await get('/v1/segments/vip/members?limit=0'))).toEqual({
      status: 400,
      code: 'invalid_query',
      issues: [{ path: ['query', 'limit'], code: 'too_small' }],
    })
    expect(await refusal(await get('/v1/segments/vip/members?limit=ten'))).toMatchObject({
      status: 400,
      code: 'invalid_query',
    })
  })

  it('previews a JsonLogic condition: the count and a sample, computed in SQL, as memory computes them', async () => {
    const profiles = await store.listProfiles({ limit: 1000 })
    const when = {
      and: [
        { '>': [{ count_events: ['Order Completed', 365] }, 2] },
        { '<': [{ var: 'traits.company.employee_count' }, 150] },
      ],
    }
    const response = await preview(
      JSON.stringify({ when, sample: 5, now, traits: { 'company.employee_count': 'number' } }),
    )
    expect(response.status).toBe(200)
    const body = previewResponseSchema.parse(await response.json())
    const expected = profiles
      .filter((p) => isTruthy(applyLogic(when, p, { now })))
      .map((p) => p.id)
      .sort()
    expect(expected.length).toBeGreaterThan(5)
    expect(body.count).toBe(expected.length)
    expect(body.sample.map((m) => m.id)).toEqual(expected.slice(0, 5))
    expect(body.sample[0]?.email).toMatch(/@shop\.example$/)
  })

  it('answers bad JSON, bad bodies and bad JsonLogic with 400 and the path, a wrong media type with 415', async () => {
    expect(await refusal(await preview('{"when": '))).toMatchObject({ status: 400, code: 'invalid_json' })
    expect(await refusal(await preview(JSON.stringify({ when: true, sample: 1000 })))).toEqual({
      status: 400,
      code: 'invalid_body',
      issues: [{ path: ['sample'], code: 'too_big' }],
    })
    expect(await refusal(await preview(JSON.stringify({ when: true, extra: 1 })))).toMatchObject({
      status: 400,
      code: 'invalid_body',
    })
    expect(await refusal(await preview(JSON.stringify({ when: { and: [{ nope: 1 }] } })))).toEqual({
      status: 400,
      code: 'invalid_rule',
      issues: [{ path: ['when', 'and', 0, 'nope'], code: 'unknown_operator' }],
    })
    // The body's JSON check (core's, shared with ingest) refuses a NUL before the rule compiler sees it.
    expect(
      await refusal(await preview(JSON.stringify({ when: { '==': [{ var: 'money.currency' }, 'EUR\u0000'] } }))),
    ).toMatchObject({ status: 400, code: 'invalid_body', issues: [{ path: ['when', '==', 1] }] })
    expect(await refusal(await preview(JSON.stringify({ when: { '>': [{ var: 'traits.unknown' }, 1] } })))).toEqual({
      status: 400,
      code: 'invalid_rule',
      issues: [{ path: ['when', '>', 0, 'var'], code: 'unsupported_in_sql' }],
    })
    expect(await refusal(await preview('{}', 'text/plain'))).toEqual({ status: 415, code: 'unsupported_media_type' })
    expect(await refusal(await get('/v1/segments/preview'))).toEqual({ status: 405, code: 'method_not_allowed' })
  })

  it('serves an OpenAPI 3.1 document generated from the schemas, without a key', async () => {
    const response = await get('/v1/openapi.json', null)
    expect(response.status).toBe(200)
    const doc = (await response.json()) as {
      openapi: string
      paths: Record<string, unknown>
      components: { schemas: Record<string, { properties?: Record<string, unknown> }> }
    }
    expect(doc.openapi).toBe('3.1.0')
    expect(Object.keys(doc.paths)).toEqual([
      '/v1/profiles/{id}',
      '/v1/segments',
      '/v1/segments/{id}/members',
      '/v1/segments/preview',
      '/v1/kpis',
      '/v1/openapi.json',
    ])
    expect(Object.keys(doc.components.schemas['Profile']?.properties ?? {})).toEqual(
      expect.arrayContaining(['rfm', 'lead', 'clv', 'segments', 'loyalty']),
    )
    // Every $ref points at a component of the document.
    const refs = JSON.stringify(doc).match(/"\$ref":"[^"]+"/g) ?? []
    expect(refs.length).toBeGreaterThan(5)
    for (const ref of refs)
      expect(Object.keys(doc.components.schemas)).toContain(ref.slice('"$ref":"#/components/schemas/'.length, -1))
  })
})
