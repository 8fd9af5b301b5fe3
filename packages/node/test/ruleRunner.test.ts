import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { defineRule } from '@ecrm/core'
import type { EcrmEvent, RuleFiring } from '@ecrm/core'
import { createRuleRunner } from '../src/rules/ruleRunner.js'
import { createPgliteStore } from '../src/store/pgliteStore.js'
import { createManualTime, runRuleRunnerContract } from './ruleRunnerContract.js'

// One in-memory PGlite is one process's database: the "second process" shares the instance.
runRuleRunnerContract('PGlite (in memory)', async () => {
  const store = await createPgliteStore()
  return { store, openSecond: async () => store }
})

describe('createRuleRunner on PGlite on disk', () => {
  it('fires exactly once across a real close and reopen of the data directory mid-window', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ecrm-rules-'))
    const start = Date.UTC(2026, 5, 1, 10, 0)
    const rule = defineRule({
      id: 'cart_abandoned',
      when: 'Product Added',
      unless: 'Order Completed',
      within: '1h',
      then: { event: 'Cart Abandoned' },
    })
    const added = {
      type: 'track',
      messageId: 'disk-1',
      userId: 'disk-u',
      event: 'Product Added',
      properties: { product_id: 'sku' },
    } as EcrmEvent
    try {
      const fired: RuleFiring[] = []
      const first = await createPgliteStore(dir)
      const timeA = createManualTime(start)
      const a = createRuleRunner({
        store: first,
        rules: [rule],
        clock: timeA.clock,
        scheduler: timeA.scheduler,
        pollIntervalMs: 0,
        onFire: (f) => void fired.push(f),
      })
      timeA.watch(a)
      await a.start()
      const { stored } = await first.insertEvents([added], { returnStored: true })
      await a.processEvents(stored ?? [])
      await timeA.advance(40 * 60_000)
      a.stop()
      await first.close()

      const reopened = await createPgliteStore(dir)
      const timeB = createManualTime(start + 45 * 60_000)
      const b = createRuleRunner({
        store: reopened,
        rules: [rule],
        clock: timeB.clock,
        scheduler: timeB.scheduler,
        pollIntervalMs: 0,
        onFire: (f) => void fired.push(f),
      })
      timeB.watch(b)
      await b.start()
      await timeB.advance(60 * 60_000)
      expect(fired.map((f) => [f.customerId, f.at])).toEqual([['disk-u', start + 60 * 60_000]])
      expect(
        await reopened.query(
          "select count(*)::int as n from ecrm_firings where rule_id = 'cart_abandoned' and delivered_at is not null",
        ),
      ).toEqual([{ n: 1 }])
      expect(await reopened.query("select count(*)::int as n from ecrm_events where event = 'Cart Abandoned'")).toEqual(
        [{ n: 0 }],
      )
      b.stop()
      await reopened.close()
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  }, 60_000)
})
