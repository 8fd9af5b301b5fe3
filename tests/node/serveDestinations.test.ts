import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { parseConfig } from '../../packages/node/src/config/loadConfig.js'
import { createDestinations } from '../../packages/node/src/destinations/destinationConfig.js'
import { startIngestServer } from '../../packages/node/src/serve.js'
import type { IngestServer } from '../../packages/node/src/serve.js'
import { pointAtStandIns, STAND_IN_SECRETS, startStandIns } from './vendorStandIns.js'
import type { StandIns } from './vendorStandIns.js'

const docs = readFileSync(fileURLToPath(new URL('../../docs/destinations/serve.md', import.meta.url)), 'utf8')
const documented =
  /<!-- ecrm\.config\.json, run by tests\/node\/serveDestinations\.test\.ts[^>]*-->\n```json\n([\s\S]*?)\n```/.exec(
    docs,
  )?.[1]
const dir = mkdtempSync(join(tmpdir(), 'ecrm-serve-destinations-'))

let standIns: StandIns
let server: IngestServer | undefined
const log: string[] = []

/** Starts `ecrm serve`'s server from the documented config (only the `keep` destinations, if given). */
async function serve(options: { keep?: readonly string[]; dataDir?: string } = {}): Promise<IngestServer> {
  if (documented === undefined) throw new Error('docs/destinations/serve.md lost its ecrm.config.json block')
  const raw = pointAtStandIns(JSON.parse(documented), standIns.server.url)
  if (options.keep !== undefined)
    raw.destinations = Object.fromEntries(
      Object.entries(raw.destinations).filter(([name]) => options.keep?.includes(name)),
    )
  const config = await parseConfig(raw, dir)
  server = await startIngestServer({
    port: 0,
    dataDir: options.dataDir ?? 'memory://',
    writeKeys: ['wk'],
    log: (line) => void log.push(line),
    refreshEveryMinutes: 0,
    derive: config.derive,
    rules: config.rules,
    destinations: createDestinations(config.destinations, STAND_IN_SECRETS),
  })
  return server
}

async function post(batch: readonly Record<string, unknown>[]): Promise<Response> {
  const at = new Date().toISOString()
  return fetch(`${server?.url}/v1/batch`, {
    method: 'POST',
    headers: { 'content-type': 'text/plain' },
    body: JSON.stringify({ writeKey: 'wk', batch: batch.map((event) => ({ timestamp: at, ...event })) }),
  })
}

async function until<T>(read: () => T | undefined | false | Promise<T | undefined | false>, what: string): Promise<T> {
  for (let tries = 0; tries < 150; tries += 1) {
    const value = await read()
    if (value !== undefined && value !== false) return value
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  throw new Error(`timed out waiting for ${what}\n${log.join('\n')}`)
}

const requestsTo = (prefix: string) => standIns.server.requests.filter((request) => request.pathname.startsWith(prefix))
const rows = async (destination: string) =>
  server!.store.query<{ item_id: string; status: string; reason: string | null; attempts: number }>(
    'select item_id, status, reason, attempts from ecrm_destination_items where destination = $1 order by item_id',
    [destination],
  )

beforeAll(async () => {
  standIns = await startStandIns()
})
afterEach(async () => {
  await server?.close()
  server = undefined
  log.length = 0
  standIns.server.requests.length = 0
  standIns.webhookEvents.length = 0
  standIns.persons.clear()
  standIns.refuse.clear()
  standIns.pg.logins = 0
  standIns.pg.valid.clear()
  standIns.pg.expiresInMs = 3_600_000
  standIns.pgCreateCrashes.left = 0
})
afterAll(async () => {
  await standIns.server.close()
  rmSync(dir, { recursive: true, force: true })
})

describe('ecrm serve with the documented destinations', () => {
  it('delivers ingested events, trait changes, rule firings and segment entries to every destination, and a re-sent batch to none again', async () => {
    await serve()
    const batch = [
      {
        type: 'identify',
        messageId: 'sd-id-1',
        userId: 'u-1',
        traits: { email: 'Ada@Shop.example', first_name: 'Ada', last_name: 'Lovelace' },
      },
      {
        type: 'track',
        messageId: 'sd-order-1',
        userId: 'u-1',
        event: 'Order Completed',
        properties: { order_id: 'o-1', total: 120, currency: 'EUR' },
      },
    ]
    expect((await post(batch)).status).toBe(200)

    const names = await until(() => {
      const seen = standIns.webhookEvents.map((event) => event.event ?? event.type)
      return seen.includes('Rule Fired') && seen.includes('Segment Entered') && seen
    }, 'the webhook to get the firing and the segment entry')
    expect(names.filter((name) => name === 'identify')).toHaveLength(1)
    expect(names.filter((name) => name === 'Order Completed')).toHaveLength(1)
    const entered = standIns.webhookEvents
      .filter((event) => event.event === 'Segment Entered')
      .map((event) => event.properties.segment_id)
    expect(entered).toContain('big_spenders')
    const fired = standIns.webhookEvents.find((event) => event.event === 'Rule Fired')
    expect(fired?.userId).toBe('u-1')
    expect(fired?.properties.rule_id).toBe('first_order')

    await until(() => standIns.persons.size === 1, 'Payamgostar to get the person')
    expect([...standIns.persons.values()][0]).toMatchObject({
      RefId: 'u-1',
      Email: 'ada@shop.example',
      FirstName: 'Ada',
      LastName: 'Lovelace',
    })
    await until(
      () => requestsTo('/crm/v3/objects/deals/').length === 1 && requestsTo('/crm/v3/objects/contacts/').length === 1,
      'HubSpot contact and deal upserts',
    )
    expect(requestsTo('/crm/v3/objects/contacts/')[0]?.json.inputs[0]).toMatchObject({
      idProperty: 'email',
      id: 'ada@shop.example',
    })
    await until(() => requestsTo('/services/data/').length === 2, 'Salesforce Contact and Opportunity upserts')
    expect(
      requestsTo('/services/data/')
        .map((request) => request.pathname)
        .sort(),
    ).toEqual([
      '/services/data/v62.0/composite/sobjects/Contact/Ecrm_Id__c',
      '/services/data/v62.0/composite/sobjects/Opportunity/Ecrm_Order_Id__c',
    ])
    await until(() => requestsTo('/crm/v8/').length === 2, 'Zoho Contacts and Deals upserts')

    // The client did not see the answer and sends the batch again: stored as duplicates, queued nowhere again.
    const again = await post(batch)
    expect(await again.json()).toMatchObject({ accepted: 0, duplicates: 2 })
    await server!.destinations!.fanout.flush()
    expect(standIns.webhookEvents.filter((event) => event.type === 'identify')).toHaveLength(1)
    expect(requestsTo('/crm/v3/objects/contacts/')).toHaveLength(1)
    expect(requestsTo('/api/v2/crmobject/person/create')).toHaveLength(1)
    expect((await rows('hooks')).every((row) => row.status === 'delivered')).toBe(true)
  }, 60_000)

  it('settles a 2xx bulk answer record by record: refused records dead-lettered with the vendor reason, transient ones retried alone', async () => {
    standIns.refuse.set('b@shop.example', {
      vendor: 'hubspot',
      code: 'VALIDATION_ERROR',
      message: 'Property values were not valid: phone',
      times: 9,
    })
    standIns.refuse.set('c@shop.example', {
      vendor: 'hubspot',
      code: 'RATE_LIMITS',
      message: 'You have reached your secondly limit.',
      times: 1,
    })
    standIns.refuse.set('u-b', {
      vendor: 'salesforce',
      code: 'REQUIRED_FIELD_MISSING',
      message: 'Required fields are missing: [LastName]',
      times: 9,
    })
    standIns.refuse.set('u-c', {
      vendor: 'salesforce',
      code: 'UNABLE_TO_LOCK_ROW',
      message: 'unable to obtain exclusive access to this record',
      times: 1,
    })
    standIns.refuse.set('a@shop.example', { vendor: 'zoho', code: 'INVALID_DATA', message: 'invalid data', times: 9 })
    await serve({ keep: ['hubspot', 'salesforce', 'zoho'] })
    const person = (id: string) => ({
      type: 'identify',
      messageId: `pf-${id}`,
      userId: `u-${id}`,
      traits: { email: `${id}@shop.example`, last_name: id.toUpperCase() },
    })
    expect((await post([person('a'), person('b'), person('c')])).status).toBe(200)

    for (const destination of ['hubspot', 'salesforce', 'zoho']) {
      await until(
        async () =>
          (await rows(destination)).every((row) => row.status !== 'queued') && (await rows(destination)).length === 3,
        `${destination} to settle every record`,
      )
    }
    const hubspot = await rows('hubspot')
    expect(hubspot.map((row) => [row.item_id, row.status])).toEqual([
      ['pf-a', 'delivered'],
      ['pf-b', 'dead'],
      ['pf-c', 'delivered'],
    ])
    expect(hubspot[1]?.reason).toContain('VALIDATION_ERROR: Property values were not valid: phone')
    // The retry carried the rate-limited record alone, once.
    const upserts = requestsTo('/crm/v3/objects/contacts/batch/upsert')
    expect(upserts.map((request) => request.json.inputs.map((input: { id: string }) => input.id))).toEqual([
      ['a@shop.example', 'b@shop.example', 'c@shop.example'],
      ['c@shop.example'],
    ])

    const salesforce = await rows('salesforce')
    expect(salesforce.map((row) => [row.item_id, row.status])).toEqual([
      ['pf-a', 'delivered'],
      ['pf-b', 'dead'],
      ['pf-c', 'delivered'],
    ])
    expect(salesforce[1]?.reason).toContain('REQUIRED_FIELD_MISSING: Required fields are missing: [LastName]')
    expect(
      requestsTo('/services/data/')
        .at(-1)
        ?.json.records.map((record: { Ecrm_Id__c: string }) => record.Ecrm_Id__c),
    ).toEqual(['u-c'])

    const zoho = await rows('zoho')
    expect(zoho.map((row) => [row.item_id, row.status])).toEqual([
      ['pf-a', 'dead'],
      ['pf-b', 'delivered'],
      ['pf-c', 'delivered'],
    ])
    expect(zoho[0]?.reason).toContain('INVALID_DATA: invalid data')
    expect(requestsTo('/crm/v8/')).toHaveLength(1)
    expect(
      log.some(
        (line) => line.includes('destination hubspot gave up on 1 event(s)') && line.includes('VALIDATION_ERROR'),
      ),
    ).toBe(true)
  }, 60_000)

  it('logs in to Payamgostar again when the token expires or is refused, sets DontSms/DontEmail from consent, and a retried create finds the person instead of duplicating it', async () => {
    standIns.pg.expiresInMs = 61_500 // renewed a minute early: stale 1.5 s after login
    await serve({ keep: ['payamgostar'] })
    expect(
      (
        await post([
          {
            type: 'identify',
            messageId: 'pg-1',
            userId: 'pg-u1',
            traits: { email: 'sara@shop.example', first_name: 'Sara' },
            context: { consent: { categories: { 'marketing.sms': false, 'marketing.email': true } } },
          },
        ])
      ).status,
    ).toBe(200)
    await until(() => standIns.persons.size === 1, 'the first person')
    expect([...standIns.persons.values()][0]).toMatchObject({
      RefId: 'pg-u1',
      FirstName: 'Sara',
      DontSms: true,
      DontEmail: false,
    })
    expect(standIns.pg.logins).toBe(1)

    await new Promise((resolve) => setTimeout(resolve, 1_800))
    await post([{ type: 'identify', messageId: 'pg-2', userId: 'pg-u1', traits: { last_name: 'Karimi' } }])
    await until(() => [...standIns.persons.values()][0]?.LastName === 'Karimi', 'the update')
    expect(standIns.pg.logins).toBe(2)
    expect(standIns.persons.size).toBe(1)

    standIns.pg.expiresInMs = 3_600_000
    standIns.pg.valid.clear() // the server forgets every token (a restart): 401
    standIns.pgCreateCrashes.left = 1 // and the next create is stored but answered 500
    await post([
      {
        type: 'identify',
        messageId: 'pg-3',
        userId: 'pg-u2',
        traits: { email: 'reza@shop.example', first_name: 'Reza' },
      },
    ])
    await until(
      async () => (await rows('payamgostar')).find((row) => row.item_id === 'pg-3')?.status === 'delivered',
      'the retried create to settle',
    )
    expect(standIns.pg.logins).toBe(3)
    expect([...standIns.persons.values()].filter((person) => person.RefId === 'pg-u2')).toHaveLength(1)
    expect(
      requestsTo('/api/v2/crmobject/person/create').filter((request) => request.json.RefId === 'pg-u2'),
    ).toHaveLength(1)
    expect(
      requestsTo('/api/v2/crmobject/person/update').filter((request) => request.json.RefId === 'pg-u2'),
    ).toHaveLength(1)
  }, 60_000)

  it('keeps undelivered items in the store through a restart and delivers them once after it', async () => {
    const dataDir = join(dir, 'restart')
    const handle = standIns.server.handle
    standIns.server.handle = () => ({ status: 503, body: { message: 'down for maintenance' } })
    await serve({ keep: ['hooks'], dataDir })
    await post([
      { type: 'track', messageId: 'rs-1', userId: 'rs-u', event: 'Product Viewed', properties: { sku: 'p-1' } },
    ])
    await until(
      async () => (await rows('hooks')).find((row) => row.item_id === 'rs-1' && row.attempts >= 1),
      'a failed attempt',
    )
    await server!.close()
    server = undefined
    standIns.server.handle = handle
    await serve({ keep: ['hooks'], dataDir })
    await until(
      () => standIns.webhookEvents.some((event) => event.messageId === 'rs-1'),
      'the queued event after the restart',
    )
    await server!.destinations!.fanout.flush()
    expect(standIns.webhookEvents.filter((event) => event.messageId === 'rs-1')).toHaveLength(1)
  }, 60_000)
})
