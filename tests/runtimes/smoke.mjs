// Runs the built packages, as users install them, on whichever Node executes this file: a collector
// on PGlite over node:http, the server client with a file queue sending to it, the stored result
// checked, and the core intelligence called once. Exits non-zero with the reason on any difference.
import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import http from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { applyLogic, hashFnv, scoreRfm } from '@ecrm/core'
import { createIngestHandler, createNodeClient, createPgliteStore, toNodeListener } from '@ecrm/node'

const dir = await mkdtemp(join(tmpdir(), 'ecrm-runtime-'))
const store = await createPgliteStore(join(dir, 'data'))
const server = http.createServer(toNodeListener(createIngestHandler({ store, writeKeys: ['wk'] })))
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
const endpoint = `http://127.0.0.1:${server.address().port}`

try {
  const client = createNodeClient({ writeKey: 'wk', endpoint, queueDir: join(dir, 'queue') })
  client.identify({ userId: 'u-1', traits: { email: 'a@b.example' } })
  for (let index = 0; index < 50; index += 1) {
    client.track({ userId: 'u-1', event: 'Order Completed', properties: { order_id: `o-${index}`, total: 10 + index } })
  }
  await client.close()

  const [{ count }] = await store.query('select count(*)::int as count from ecrm_events')
  assert.equal(Number(count), 51, 'every event stored once')
  assert.equal(applyLogic({ '>': [{ var: 'orders' }, 2] }, { orders: 3 }), true)
  assert.equal(hashFnv('', 'a', 1), 0.22)
  const rfm = scoreRfm([{ id: 'u-1', lastOrderAt: Date.now(), orderCount: 50, monetary: 1725 }], { now: Date.now() })
  assert.ok(rfm.get('u-1'), 'RFM scored')
  console.log(`runtime smoke test passed on Node ${process.versions.node}`)
} finally {
  server.close()
  await store.close()
  await rm(dir, { recursive: true, force: true })
}
