import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { loadConfig, parseConfig } from '../src/config/loadConfig.js'

const dir = mkdtempSync(join(tmpdir(), 'ecrm-config-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('parseConfig', () => {
  it('splits a config into what to derive, the refresh schedule, rules and exposed segments', async () => {
    const config = await parseConfig(
      {
        segments: { vip: { name: 'VIP', when: { '>=': [{ var: 'money.revenue' }, 500] } } },
        loyalty: { pointsPerUnit: 2, tiers: [{ id: 'gold', minPoints: 1000 }] },
        rfm: { method: 'fixed', recencyEdgesDays: [7, 30, 90, 180] },
        clv: { horizonDays: 180 },
        refresh: { everyMinutes: 15 },
        exposeSegments: ['vip'],
      },
      dir,
    )
    expect(config).toMatchObject({ refreshEveryMinutes: 15, rules: [], exposeSegments: ['vip'] })
    expect(Object.keys(config.derive).sort()).toEqual(['clv', 'loyalty', 'rfm', 'segments'])
    expect((await parseConfig({}, dir)).refreshEveryMinutes).toBe(60)
  })

  it('names the path of each fault: unknown keys, bad edges, a condition that does not compile, a bad rule', async () => {
    await expect(parseConfig({ rfm: { recencyEdgesDay: [7] } }, dir)).rejects.toThrow(/rfm/)
    await expect(parseConfig({ rfm: { recencyEdgesDays: [7, 30] } }, dir)).rejects.toThrow(/rfm\.recencyEdgesDays/)
    await expect(parseConfig({ segments: { vip: { name: 'VIP', when: { no_such_op: [1] } } } }, dir)).rejects.toThrow(
      /segments\.vip\.when/,
    )
    await expect(parseConfig({ segments: { 'Not An Id': { name: 'x', when: true } } }, dir)).rejects.toThrow(
      /segments\.Not An Id/,
    )
    await expect(parseConfig({ rules: [{ id: 'r1' }] }, dir)).rejects.toThrow(/rules\[0\]/)
  })
})

describe('loadConfig', () => {
  it('reads rules from a path relative to the config file, and names the file in errors', async () => {
    writeFileSync(
      join(dir, 'rules.json'),
      JSON.stringify([{ id: 'welcome', when: { event: 'Signed Up' }, then: { event: 'Welcome Due' } }]),
    )
    writeFileSync(join(dir, 'ecrm.config.json'), JSON.stringify({ rules: 'rules.json' }))
    const config = await loadConfig(join(dir, 'ecrm.config.json'))
    expect(config.rules.map((rule) => rule.id)).toEqual(['welcome'])
    writeFileSync(join(dir, 'broken.json'), '{ "segments": ')
    await expect(loadConfig(join(dir, 'broken.json'))).rejects.toThrow(
      /Invalid config file .*broken\.json: \(root\) \(malformed JSON/,
    )
  })
})

describe('docs/config.md', () => {
  it('its example config loads and derives through the real pipeline (ingest → store → profile)', async () => {
    const { readFileSync } = await import('node:fs')
    const { createPgliteStore } = await import('../src/store/pgliteStore.js')
    const { createIngestHandler } = await import('../src/ingest/ingestHandler.js')
    const markdown = readFileSync(new URL('../../../docs/config.md', import.meta.url), 'utf8')
    const example = /```json\n([\s\S]*?)\n```/.exec(markdown)?.[1] ?? ''
    const docDir = mkdtempSync(join(tmpdir(), 'ecrm-config-doc-'))
    writeFileSync(join(docDir, 'ecrm.config.json'), example)
    writeFileSync(join(docDir, 'rules.json'), '[]')
    const config = await loadConfig(join(docDir, 'ecrm.config.json'))
    expect(config).toMatchObject({ refreshEveryMinutes: 60, exposeSegments: ['vip', 'champions'], rules: [] })
    const store = await createPgliteStore(undefined, { derive: config.derive })
    try {
      const ingest = createIngestHandler({ store, writeKeys: ['wk'], exposeSegments: config.exposeSegments })
      const batch = [
        {
          type: 'track',
          event: 'Order Completed',
          userId: 'doc-u',
          messageId: 'doc-1',
          timestamp: new Date().toISOString(),
          properties: { order_id: 'doc-o1', total: 600 },
        },
      ]
      const response = await ingest(
        new Request('http://collect.test/v1/batch', {
          method: 'POST',
          headers: { 'content-type': 'text/plain' },
          body: JSON.stringify({ writeKey: 'wk', batch }),
        }),
      )
      expect(await response.json()).toMatchObject({ accepted: 1, segments: ['vip'] })
      expect(await store.getProfile('doc-u')).toMatchObject({
        segments: ['vip'],
        loyalty: { balance: 600, tier: 'silver' },
        rfm: { r: 5, method: 'fixed' },
      })
    } finally {
      await store.close()
      rmSync(docDir, { recursive: true, force: true })
    }
  }, 60_000)
})
