import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it, vi } from 'vitest'
import { EcrmValidationError } from '@ecrm/core'
import { main } from '../src/cli.js'
import { loadRules, parseRules } from '../src/rules/loadRules.js'
import { startIngestServer } from '../src/serve.js'

const dir = mkdtempSync(join(tmpdir(), 'ecrm-rules-file-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const thankYou = { id: 'thank_you', when: 'Order Completed', then: { event: 'Thank You Sent' } }

describe('parseRules', () => {
  it('accepts an array or { rules: [...] }', () => {
    expect(parseRules([thankYou])).toEqual([thankYou])
    expect(parseRules({ rules: [thankYou] })).toEqual([thankYou])
  })

  it('reports every fault with the index of its rule, and duplicate ids', () => {
    let caught: unknown
    try {
      parseRules([thankYou, { id: 'late', when: 'Product Added', unless: 'Order Completed' }, { ...thankYou }])
    } catch (error) {
      caught = error
    }
    expect(caught).toBeInstanceOf(EcrmValidationError)
    const issues = (caught as EcrmValidationError).issues
    expect(issues).toContainEqual(expect.objectContaining({ path: [1, 'within'] }))
    expect(issues).toContainEqual(expect.objectContaining({ path: [2, 'id'], code: 'duplicate_rule' }))
    expect(() => parseRules('nope')).toThrow(/expected an array of rules/)
  })
})

describe('loadRules', () => {
  it('names the file and the position of malformed JSON', async () => {
    const file = join(dir, 'broken.json')
    writeFileSync(file, '[{"id": "x",]')
    await expect(loadRules(file)).rejects.toThrow(/Invalid rules file .*broken\.json.*line 1/)
  })
})

describe('ecrm serve --rules', () => {
  it('refuses an invalid rules file with exit code 2 before listening', async () => {
    const file = join(dir, 'invalid.json')
    writeFileSync(file, JSON.stringify([{ id: 'Bad Id', when: 'Order Completed' }]))
    const errors: string[] = []
    const spy = vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => void errors.push(args.join(' ')))
    try {
      expect(await main(['serve', '--port', '0', '--rules', file])).toBe(2)
    } finally {
      spy.mockRestore()
    }
    expect(errors.join('\n')).toMatch(/\[0\]\.id \(expected a snake_case id/)
  })

  it('runs the rules on ingested events: the firing is logged and recorded as a firing, not an event', async () => {
    const lines: string[] = []
    const server = await startIngestServer({
      port: 0,
      dataDir: 'memory://',
      writeKeys: ['wk'],
      rules: parseRules([thankYou]),
      log: (line) => lines.push(line),
    })
    try {
      const response = await fetch(`${server.url}/v1/track`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          writeKey: 'wk',
          messageId: 'serve-1',
          userId: 'serve-u',
          event: 'Order Completed',
          properties: { order_id: 'o-1', total: 12 },
        }),
      })
      expect(response.status).toBe(200)
      expect(lines).toContain('ecrm: running 1 rule(s): thank_you')
      expect(lines).toContain('ecrm: rule thank_you fired for serve-u (Thank You Sent)')
      const firings = await server.store.query<{ customer_id: string; rule_id: string }>(
        'select customer_id, rule_id from ecrm_firings',
      )
      expect(firings).toEqual([{ customer_id: 'serve-u', rule_id: 'thank_you' }])
      const events = await server.store.query("select 1 from ecrm_events where event = 'Thank You Sent'")
      expect(events).toEqual([])
    } finally {
      await server.close()
    }
  }, 60_000)
})
