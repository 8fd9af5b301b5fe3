import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startExampleBackend, waitUntil } from './support/nodeBackend.js'
import type { ExampleBackend, SentEmail } from './support/nodeBackend.js'

const WRITE_KEY = 'wk_example'
const CART_ABANDON_MS = 1_500
const WIN_BACK_MS = 3_000

/** POSTs a batch the way the browser client does: a CORS-simple text/plain body with the key inside. */
async function postBatch(backend: ExampleBackend, batch: Record<string, unknown>[]): Promise<unknown> {
  const response = await fetch(`${backend.url}/v1/batch`, {
    method: 'POST',
    headers: { 'content-type': 'text/plain', origin: 'http://shop.localhost' },
    body: JSON.stringify({ writeKey: WRITE_KEY, batch }),
  })
  return response.json()
}

const visitorBatch = [
  { type: 'page', messageId: 'm-1', anonymousId: 'a-ada', properties: { path: '/products' } },
  {
    type: 'track',
    messageId: 'm-2',
    anonymousId: 'a-ada',
    event: 'Product Added',
    properties: { product_id: 'sku-1', price: 19.99 },
  },
  { type: 'identify', messageId: 'm-3', anonymousId: 'a-ada', userId: 'u-ada', traits: { email: 'ada@shop.example' } },
  { type: 'identify', messageId: 'm-4', anonymousId: 'a-bob', userId: 'u-bob', traits: { email: 'bob@shop.example' } },
  {
    type: 'track',
    messageId: 'm-5',
    anonymousId: 'a-bob',
    userId: 'u-bob',
    event: 'Product Added',
    properties: { product_id: 'sku-2', price: 25 },
  },
]

const byTemplateAndTo = (emails: readonly SentEmail[]): string[] =>
  emails.map((email) => `${email.template} → ${email.to ?? '(none)'}`).sort()

describe('examples/node-backend', () => {
  let folder: string
  let backend: ExampleBackend
  const log: string[] = []

  beforeAll(async () => {
    folder = await mkdtemp(join(tmpdir(), 'ecrm-node-backend-'))
    backend = await startExampleBackend({
      port: 0,
      queueDir: join(folder, 'queue'),
      emailLog: join(folder, 'emails.log'),
      writeKey: WRITE_KEY,
      windows: { cartAbandonMs: CART_ABANDON_MS, winBackMs: WIN_BACK_MS },
      flushIntervalMs: 50,
      log: (line) => log.push(line),
    })
  }, 120_000)

  afterAll(async () => {
    await backend?.close()
    if (folder !== undefined) await rm(folder, { recursive: true, force: true })
  })

  it('stores a browser batch and a server-side order, and the rules send welcome, cart and win-back emails', async () => {
    expect(await postBatch(backend, visitorBatch)).toEqual({ success: true, accepted: 5, duplicates: 0, rejected: [] })

    // Ada checks out on the shop backend: 2 × 19.99 + 5.01 = 44.99 EUR, computed by the server.
    const order = {
      orderId: 'o-1001',
      userId: 'u-ada',
      anonymousId: 'a-ada',
      currency: 'EUR',
      products: [
        { product_id: 'sku-1', price: 19.99, quantity: 2 },
        { product_id: 'sku-3', price: 5.01 },
      ],
    }
    const placed = await fetch(`${backend.url}/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(order),
    })
    expect(placed.status).toBe(202)
    expect(await placed.json()).toMatchObject({
      orderId: 'o-1001',
      messageId: 'order-o-1001',
      total: 44.99,
      currency: 'EUR',
    })

    type OrderRow = { message_id: string; user_id: string; total: number }
    const readOrders = (): Promise<OrderRow[]> =>
      backend.store.query<OrderRow>(
        "select message_id, user_id, (payload->'properties'->>'total')::float8 as total from ecrm_events where event = 'Order Completed'",
      )
    expect(await waitUntil(readOrders, (rows) => rows.length > 0, 15_000, 'the order in the store')).toEqual([
      { message_id: 'order-o-1001', user_id: 'u-ada', total: 44.99 },
    ])

    // The shop retries its call: the order id is the messageId, so the collector keeps one.
    await fetch(`${backend.url}/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(order),
    })
    await backend.client.flush()
    expect(await readOrders()).toHaveLength(1)

    // Bob's cart times out; Ada's is cancelled by her order; Ada gets a win-back offer later.
    const emails = await waitUntil(
      backend.outbox.read,
      (sent) => sent.some((email) => email.template === 'win_back'),
      30_000,
      'the win-back email',
    )
    expect(byTemplateAndTo(emails)).toEqual([
      'cart_reminder → bob@shop.example',
      'welcome → ada@shop.example',
      'welcome → bob@shop.example',
      'win_back → ada@shop.example',
    ])
    expect(emails.find((email) => email.template === 'cart_reminder')?.data).toMatchObject({
      trigger: 'Product Added',
      product_id: 'sku-2',
      price: 25,
    })
    // Both of Ada's ids (anonymous cart, signed-in order) resolved to one customer.
    const ada = await backend.store.getProfile('u-ada')
    expect(ada?.identities.anonymousIds).toEqual(['a-ada'])
    expect(
      emails.filter((email) => email.to === 'ada@shop.example').every((email) => email.customerId === ada?.id),
    ).toBe(true)
  }, 90_000)

  it('feeds a re-sent batch to nobody, and welcomes a customer once', async () => {
    const before = (await backend.outbox.read()).length
    expect(await postBatch(backend, visitorBatch)).toMatchObject({ accepted: 0, duplicates: 5 })
    // A new identify of a known customer (new messageId) reaches the rules; maxFirings stops it.
    expect(
      await postBatch(backend, [{ type: 'identify', messageId: 'm-6', userId: 'u-bob', traits: { plan: 'pro' } }]),
    ).toMatchObject({ accepted: 1 })
    await backend.client.flush()
    expect((await backend.outbox.read()).length).toBe(before)
  }, 30_000)

  it('records each firing in ecrm_firings, delivered, and never as an event of the customer', async () => {
    type Row = { event: string; user_id: string; rule_id: string }
    const read = (): Promise<Row[]> =>
      backend.store.query<Row>(
        `select f.payload->>'event' as event, i.value as user_id, f.rule_id from ecrm_firings f
           join ecrm_identities i on i.customer_id = f.customer_id and i.kind = 'user_id'
          where f.delivered_at is not null order by event, user_id, rule_id`,
      )
    const rows = await waitUntil(read, (found) => found.length >= 4, 15_000, 'the firings')
    expect(rows).toEqual([
      { event: 'Cart Abandoned', user_id: 'u-bob', rule_id: 'cart_abandoned' },
      { event: 'Rule Fired', user_id: 'u-ada', rule_id: 'welcome' },
      { event: 'Rule Fired', user_id: 'u-ada', rule_id: 'win_back' },
      { event: 'Rule Fired', user_id: 'u-bob', rule_id: 'welcome' },
    ])
    expect(
      await backend.store.query(
        "select count(*)::int as n from ecrm_events where event in ('Cart Abandoned', 'Rule Fired')",
      ),
    ).toEqual([{ n: 0 }])
  }, 30_000)

  it('answers a malformed order with 400 and the field to fix', async () => {
    const response = await fetch(`${backend.url}/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ orderId: 'o-2', userId: 'u-ada', products: [{ product_id: 'sku-1' }] }),
    })
    expect(response.status).toBe(400)
    expect(await response.json()).toEqual({ error: expect.stringMatching(/^Invalid order: products\[0\]/) })
  })
})

describe('examples/node-backend with a data folder', () => {
  it('re-arms a pending cart timer after a restart and sends the reminder once', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'ecrm-node-backend-restart-'))
    const options = {
      port: 0,
      dataDir: join(folder, 'data'),
      queueDir: join(folder, 'queue'),
      writeKey: WRITE_KEY,
      windows: { cartAbandonMs: 2_000 },
      flushIntervalMs: 50,
      log: () => undefined,
    }
    try {
      const first = await startExampleBackend(options)
      await postBatch(first, [
        {
          type: 'identify',
          messageId: 'r-1',
          anonymousId: 'a-cy',
          userId: 'u-cy',
          traits: { email: 'cy@shop.example' },
        },
        {
          type: 'track',
          messageId: 'r-2',
          userId: 'u-cy',
          event: 'Product Added',
          properties: { product_id: 'sku-9' },
        },
      ])
      expect((await first.runner.pending()).map((timer) => timer.ruleId)).toEqual(['cart_abandoned'])
      await first.close() // before the window ends

      const second = await startExampleBackend(options)
      try {
        const emails = await waitUntil(
          second.outbox.read,
          (sent) => sent.some((email) => email.template === 'cart_reminder'),
          20_000,
          'the cart reminder',
        )
        await new Promise((resolve) => setTimeout(resolve, 500))
        expect(byTemplateAndTo(await second.outbox.read())).toEqual([
          'cart_reminder → cy@shop.example',
          'welcome → cy@shop.example',
        ])
        expect(emails[0]?.template).toBe('welcome')
        expect(await second.runner.pending()).toEqual([])
      } finally {
        await second.close()
      }
    } finally {
      await rm(folder, { recursive: true, force: true })
    }
  }, 120_000)
})
