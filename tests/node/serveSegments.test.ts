import { afterAll, describe, expect, it } from 'vitest'
import { startIngestServer } from '../../packages/node/src/serve.js'
import type { IngestServer } from '../../packages/node/src/serve.js'

describe('startIngestServer with derive config and rules', () => {
  let server: IngestServer | undefined
  afterAll(async () => {
    await server?.close()
  })

  it('feeds the rule runner the Segment Entered events of a batch (a rule triggers on a customer becoming VIP)', async () => {
    const log: string[] = []
    server = await startIngestServer({
      port: 0,
      dataDir: 'memory://',
      writeKeys: ['wk'],
      log: (line) => void log.push(line),
      refreshEveryMinutes: 0,
      derive: { segments: { vip: { name: 'VIP', when: { '>=': [{ var: 'money.revenue' }, 100] } } } },
      rules: [{ id: 'vip_welcome', when: { event: 'Segment Entered' } }],
    })
    const batch = [
      {
        type: 'track',
        event: 'Order Completed',
        userId: 'sv-u',
        messageId: 'sv-1',
        timestamp: new Date().toISOString(),
        properties: { order_id: 'sv-o', total: 120 },
      },
    ]
    const response = await fetch(`${server.url}/v1/batch`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: JSON.stringify({ writeKey: 'wk', batch }),
    })
    expect(response.status).toBe(200)
    const profile = await server.store.getProfile('sv-u')
    expect(profile?.segments).toEqual(['vip'])
    // Entered vip (named) and new_customers (RFM): the runner saw both as Segment Entered, keyed
    // as the rule keys customers (by userId), not by the store's customer id.
    expect(log.filter((line) => line.includes('rule vip_welcome fired for sv-u'))).toHaveLength(2)
  }, 60_000)
})
